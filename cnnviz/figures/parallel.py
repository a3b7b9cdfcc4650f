"""Every run of a sweep (or of a comparison) as one line through its settings' values to
its test accuracy: a parallel-coordinates plot.

It draws the rows `cnnviz.grouping.SweepResults.rows` or
`cnnviz.compare_many.ManyComparison.run_rows` give, and carries its text alternative
(`alt.with_text`): the range of the scores and the best run's settings and score.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from cnnviz.figures.alt import count, extremes, percent, with_text
from cnnviz.figures.base import as_text, base_layout, make_figure
from cnnviz.figures.sweep import value_text

__all__ = ["parallel_coordinates_figure"]

ACCURACY_SCALE = [[0.0, "#e69f00"], [1.0, "#0072b2"]]  # Okabe-Ito orange (low) to blue (high)


def _order(value: Any) -> tuple:
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, json.dumps(value, sort_keys=True))


def _dimension(setting: str, values: Sequence[Any]) -> dict:
    """One axis: numbers as numbers (log10 when they span 100 times or more), anything
    else as evenly spaced categories; ticks at the values that occur."""
    keys = [json.dumps(v, sort_keys=True) for v in values]  # lists too (a zoom range)
    distinct = sorted(dict(zip(keys, values)).values(), key=_order)
    if not distinct:
        return {"label": as_text(setting), "values": [], "range": [0, 1]}
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in distinct)
    if numbers and min(distinct) > 0 and max(distinct) >= 100 * min(distinct):
        spots = [math.log10(v) for v in distinct]
    elif numbers:
        spots = [float(v) for v in distinct]
    else:
        spots = [float(k) for k in range(len(distinct))]
    place = dict(zip((json.dumps(v, sort_keys=True) for v in distinct), spots))
    low, high = min(spots), max(spots)
    pad = (high - low) * 0.05 or 1.0
    return {
        "label": as_text(setting),
        "values": [place[k] for k in keys],
        "tickvals": spots,
        "ticktext": [as_text(value_text(v)) for v in distinct],
        "range": [low - pad, high + pad],
    }


def parallel_coordinates_figure(
    rows: Sequence[Mapping[str, Any]], settings: Sequence[str], *, value: str = "test_accuracy"
) -> go.Figure:
    """Every run as one line through its settings' values to its test accuracy.

    Args:
        rows: one per run, with an entry per setting and `value` (e.g.
            `SweepResults.rows`); runs whose `value` is None are left out.
        settings: the settings to draw an axis for, left to right.
        value: the entry drawn last and as the line's colour.
    """
    drawn = [row for row in rows if row.get(value) is not None]
    scores = [float(row[value]) for row in drawn]
    dimensions = [_dimension(s, [row.get(s) for row in drawn]) for s in settings]
    dimensions.append(
        {"label": "test accuracy", "values": scores, "tickformat": ".0%"}
        if scores
        else {"label": "test accuracy", "values": [], "range": [0, 1]}
    )
    trace = {
        "type": "parcoords",
        "name": "runs",
        "dimensions": dimensions,
        "line": {
            "color": scores,
            "colorscale": ACCURACY_SCALE,
            "showscale": bool(scores),
            "colorbar": {"title": {"text": "test accuracy"}, "tickformat": ".0%"},
        },
        "labelfont": {"size": 15},  # `make_figure` colours them, as every text left uncoloured
        "tickfont": {"size": 13},
        "rangefont": {"size": 11},
    }
    table = [
        {
            "run": row.get("run_id"),
            "label": row.get("label"),
            **{s: value_text(row.get(s)) for s in settings},
            "test accuracy": row.get(value),
        }
        for row in rows
    ]
    layout = base_layout(
        "Every run: its settings and its test accuracy",
        420,
        margin={"l": 70, "r": 70, "t": 90, "b": 30},
    )
    summary = _parallel_summary(drawn, settings, value, untested=len(rows) - len(drawn))
    return with_text(make_figure([trace], layout), summary, table)


def _parallel_summary(
    rows: Sequence[Mapping[str, Any]], settings: Sequence[str], value: str, *, untested: int
) -> str:
    """The range of the runs' scores, and the best run: its name, score and settings."""
    if not rows:
        return "No run has a test accuracy yet."
    scores = [float(row[value]) for row in rows]
    low, high = extremes(scores)
    best = rows[high]
    chosen = ", ".join(f"{s} = {value_text(best.get(s))}" for s in settings)
    said = (
        f"{count(len(rows), 'run')} over {', '.join(settings)}: test accuracy from "
        f"{percent(scores[low])} to {percent(scores[high])}; the best run, "
        f"{best.get('label') or best.get('run_id')} ({percent(scores[high])}), had {chosen}"
    )
    if untested:
        said += f"; {count(untested, 'run')} not tested yet"
    return said + "."
