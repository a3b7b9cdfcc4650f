"""Figures of a sweep or class experiment: results grouped by a setting (each run a dot,
each group's mean and spread), each group's curves overlaid, and a parallel-coordinates
plot of every run's settings and test accuracy.

They draw what `cnnviz.grouping` computed (groups are read by their attributes: value,
label, runs, labels, accuracies, mean, std, mean_curve, histories). Every figure carries
its text alternative in `layout.meta`: {"summary": one plain-text sentence naming its key
numbers, "table": its numbers as rows}; show both as text, never as Markdown.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from cnnviz.figures.base import as_text, base_layout, make_figure
from cnnviz.figures.colors import GRID_COLOR, TEXT_COLOR
from cnnviz.figures.training import CLASS_COLORS

__all__ = [
    "group_curves_figure",
    "grouped_results_figure",
    "parallel_coordinates_figure",
    "value_text",
    "with_summary",
]

ACCURACY_SCALE = [[0.0, "#e69f00"], [1.0, "#0072b2"]]  # Okabe-Ito orange (low) to blue (high)
JITTER = 0.3  # width of a group's column of dots, in category units


def with_summary(layout: dict, summary: str, table: Sequence[Mapping[str, Any]]) -> dict:
    """`layout` with the figure's text alternative in `meta` (NaN becomes None)."""

    def plain(v: Any) -> Any:
        return None if isinstance(v, float) and not math.isfinite(v) else v

    rows = [{k: plain(v) for k, v in row.items()} for row in table]
    return {**layout, "meta": {"summary": summary, "table": rows}}


def value_text(value: Any) -> str:
    """A setting's value as a label: on/off, 0.001, adam ("none" for None)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _percent(value: float | None) -> str:
    return "not tested" if value is None else f"{value:.1%}"


def _color(i: int) -> str:
    return CLASS_COLORS[i % len(CLASS_COLORS)]


def grouped_results_figure(groups: Sequence[Any], *, setting: str) -> go.Figure:
    """Test accuracy grouped by a setting: each run a dot, each group's mean a bar with
    its spread (one standard deviation) above and below.

    Args:
        groups: `cnnviz.grouping.Group`s in the order to draw them.
        setting: the setting's name, e.g. "learning_rate".

    Returns:
        Dots named "runs: <value>", one trace per group; means named "mean and spread".
    """
    name = as_text(setting)
    traces, rows = [], []
    positions = list(range(len(groups)))
    for i, group in enumerate(groups):
        members = list(zip(group.runs, group.labels, group.accuracies))
        tested = [(r, lab, a) for r, lab, a in members if a is not None]
        n = len(tested)
        xs = [i + (JITTER * (k / (n - 1) - 0.5) if n > 1 else 0.0) for k in range(n)]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"runs: {as_text(value_text(group.value))}",
                "x": xs,
                "y": [a for _, _, a in tested],
                "customdata": [[as_text(lab), r] for r, lab, _ in tested],
                "marker": {"size": 13, "color": _color(i), "line": {"width": 1, "color": "white"}},
                "hovertemplate": "%{customdata[0]} (%{customdata[1]}): %{y:.1%}<extra></extra>",
            }
        )
        rows += [
            {
                setting: value_text(group.value),
                "run": r,
                "label": lab,
                "test accuracy": a,
                "group mean": group.mean,
                "group spread": group.std,
            }
            for r, lab, a in members
        ]
    with_mean = [(i, g) for i, g in enumerate(groups) if g.mean is not None]
    traces.append(
        {
            "type": "scatter",
            "mode": "markers",
            "name": "mean and spread",
            "x": [i for i, _ in with_mean],
            "y": [g.mean for _, g in with_mean],
            "error_y": {
                "type": "data",
                "array": [g.std for _, g in with_mean],
                "color": TEXT_COLOR,
                "thickness": 2,
                "width": 14,
            },
            "marker": {"symbol": "line-ew", "size": 44, "line": {"width": 4, "color": TEXT_COLOR}},
            "hovertemplate": "mean %{y:.1%} ± %{error_y.array:.1%}<extra></extra>",
        }
    )
    layout = base_layout(
        f"Test accuracy by {name}",
        420,
        margin={"l": 70, "r": 20, "t": 60, "b": 60},
        showlegend=False,
    )
    layout["xaxis"] = {
        "title": {"text": name},
        "tickvals": positions,
        "ticktext": [as_text(value_text(g.value)) for g in groups],
        "range": [-0.6, max(len(groups), 1) - 0.4],
        "showgrid": False,
        "zeroline": False,
    }
    layout["yaxis"] = {
        "title": {"text": "test accuracy"},
        "tickformat": ".0%",
        "gridcolor": GRID_COLOR,
    }
    return make_figure(traces, with_summary(layout, _grouped_summary(groups, setting), rows))


def _grouped_summary(groups: Sequence[Any], setting: str) -> str:
    with_mean = [g for g in groups if g.mean is not None]
    if not with_mean:
        return f"No run grouped by {setting} has a test accuracy yet."
    parts = [
        f"{value_text(g.value)} averages {g.mean:.1%} (spread {g.std * 100:.1f} points, "
        f"{sum(a is not None for a in g.accuracies)} runs)"
        for g in with_mean
    ]
    best = max(with_mean, key=lambda g: g.mean)
    return (
        f"Test accuracy by {setting}: {'; '.join(parts)}. "
        f"The highest mean is {setting} = {value_text(best.value)}."
    )


def _last(values: Sequence[float]) -> float | None:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return finite[-1] if finite else None


def group_curves_figure(
    groups: Sequence[Any], *, setting: str, metric: str = "val_accuracy"
) -> go.Figure:
    """One metric over the epochs for every run, coloured by group, and each group's
    mean curve drawn thick.

    Args:
        groups: `cnnviz.grouping.Group`s (with `histories` and `mean_curve`).
        setting: the setting they are grouped by.
        metric: a history column: "val_accuracy", "accuracy", "val_loss" or "loss".

    Returns:
        Thin traces named "<value>: <run>", thick ones "<setting> = <value> (mean)".
    """
    name, accuracy = as_text(setting), "accuracy" in metric
    words = metric.replace("val_", "validation ").replace("_", " ")
    traces, rows, ends = [], [], []
    for i, group in enumerate(groups):
        label = as_text(value_text(group.value))
        for run, history in zip(group.runs, group.histories):
            values = [float(v) for v in history.get(metric, [])]
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": f"{label}: {run}",
                    "x": list(range(1, len(values) + 1)),
                    "y": values,
                    "line": {"color": _color(i), "width": 1.5},
                    "opacity": 0.4,
                    "showlegend": False,
                    "legendgroup": label,
                    "hoverinfo": "skip",
                }
            )
        mean = group.mean_curve.get(metric, [])
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"{name} = {label} (mean)",
                "x": list(range(1, len(mean) + 1)),
                "y": mean,
                "line": {"color": _color(i), "width": 4},
                "marker": {"size": 7},
                "legendgroup": label,
            }
        )
        rows += [
            {setting: value_text(group.value), "epoch": e, f"mean {words}": v}
            for e, v in enumerate(mean, start=1)
        ]
        ends.append((value_text(group.value), _last(mean)))
    shown = [(v, end) for v, end in ends if end is not None]
    form = (lambda x: f"{x:.1%}") if accuracy else (lambda x: f"{x:.3f}")
    summary = (
        f"Mean {words} after the last epoch, by {setting}: "
        + ", ".join(f"{v} {form(end)}" for v, end in shown)
        + "."
        if shown
        else f"No run grouped by {setting} has finished an epoch yet."
    )
    layout = base_layout(
        f"{words.capitalize()} of each group, by {name}",
        400,
        margin={"l": 70, "r": 20, "t": 60, "b": 50},
        showlegend=True,
        legend={"orientation": "h", "x": 0, "y": -0.2},
    )
    layout["xaxis"] = {"title": {"text": "epoch"}, "gridcolor": GRID_COLOR, "dtick": 1}
    layout["yaxis"] = {"title": {"text": words}, "gridcolor": GRID_COLOR}
    if accuracy:
        layout["yaxis"].update(range=[0, 1.02], tickformat=".0%")
    else:
        layout["yaxis"]["rangemode"] = "tozero"
    return make_figure(traces, with_summary(layout, summary, rows))


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
        "labelfont": {"size": 15},
        "tickfont": {"size": 13},
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
    return make_figure(
        [trace], with_summary(layout, _parallel_summary(drawn, settings, value), table)
    )


def _parallel_summary(
    rows: Sequence[Mapping[str, Any]], settings: Sequence[str], value: str
) -> str:
    if not rows:
        return "No run has a test accuracy yet."
    best = max(rows, key=lambda row: row[value])
    scores = [row[value] for row in rows]
    chosen = ", ".join(f"{s} = {value_text(best.get(s))}" for s in settings)
    return (
        f"{len(rows)} runs over {', '.join(settings)}: test accuracy from {min(scores):.1%} "
        f"to {max(scores):.1%}; the best run ({best.get('label') or best.get('run_id')}) "
        f"had {chosen}."
    )
