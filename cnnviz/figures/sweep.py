"""Figures of a sweep or class experiment: results grouped by a setting (each run a dot,
each group's mean and spread) and each group's curves overlaid; every run's settings and
test accuracy in parallel coordinates are drawn by `figures.parallel`.

They draw what `cnnviz.grouping` computed (groups are read by their attributes: value,
runs, labels, accuracies, mean, std, mean_curve, histories; effects by setting, spread
and best_mean). Each carries its text alternative (`alt.with_text`): one sentence naming
its key numbers, and its numbers as a table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from cnnviz.figures.alt import count, extremes, number, percent, with_text
from cnnviz.figures.base import as_text, base_layout, make_figure
from cnnviz.figures.colors import GRID_COLOR, TEXT_COLOR
from cnnviz.figures.training import CLASS_COLORS

__all__ = ["group_curves_figure", "grouped_results_figure", "value_text"]

JITTER = 0.3  # width of a group's column of dots, in category units


def value_text(value: Any) -> str:
    """A setting's value as a label: on/off, 0.001, adam ("none" for None).

    The figures' copy of `cnnviz.sweep_settings.value_label` (figures import no compute
    module); `tests/test_figures_sweep.py` holds the two to the same text.
    """
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _points(share: float) -> str:
    """A difference of two shares in percentage points: 0.02 -> 2.0 points."""
    return f"{share * 100:.1f} points"


def _color(i: int) -> str:
    return CLASS_COLORS[i % len(CLASS_COLORS)]


def grouped_results_figure(
    groups: Sequence[Any], *, setting: str, effects: Sequence[Any] = ()
) -> go.Figure:
    """Test accuracy grouped by a setting: each run a dot, each group's mean a bar with
    its spread (one standard deviation) above and below.

    Args:
        groups: `cnnviz.grouping.Group`s in the order to draw them.
        setting: the setting's name, e.g. "learning_rate".
        effects: when several settings were varied, each one's spread of group means,
            the largest first (`cnnviz.grouping.effects`, `SweepResults.effects`): the
            summary names the setting that mattered most.

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
    summary = _grouped_summary(groups, setting, effects)
    return with_text(make_figure(traces, layout), summary, rows)


def _grouped_summary(groups: Sequence[Any], setting: str, effects: Sequence[Any]) -> str:
    """Each group's mean and spread, the best group, how far apart the means are, and the
    setting that mattered most when `effects` ranks more than one."""
    with_mean = [g for g in groups if g.mean is not None]
    if not with_mean:
        return f"No run grouped by {setting} has a test accuracy yet."
    parts = [
        f"{value_text(g.value)} averages {percent(g.mean)} (spread {_points(g.std)}, "
        f"{count(sum(a is not None for a in g.accuracies), 'run')})"
        for g in with_mean
    ]
    low, high = extremes([g.mean for g in with_mean])
    said = (
        f"Test accuracy by {setting}: {'; '.join(parts)}. "
        f"The highest mean is {setting} = {value_text(with_mean[high].value)}"
    )
    if len(with_mean) > 1:
        said += f", {_points(with_mean[high].mean - with_mean[low].mean)} above the lowest"
    ranked = sorted((e for e in effects if e.best_mean is not None), key=lambda e: -e.spread)
    if len(ranked) > 1:
        top, next_ = ranked[0], ranked[1]
        varied = count(len(ranked), "setting")
        said += (
            f"; of the {varied} varied, {setting} mattered most (next: {next_.setting}, "
            f"{_points(next_.spread)} apart)"
            if top.setting == setting
            else f"; of the {varied} varied, {top.setting} mattered most (its group means "
            f"{_points(top.spread)} apart)"
        )
    return said + "."


def _last(values: Sequence[float]) -> tuple[int, float] | None:
    """(epoch, value) of the last finite value of a curve, epochs counted from 1."""
    finite = [(e, float(v)) for e, v in enumerate(values, 1) if v is not None and math.isfinite(v)]
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
    name = as_text(setting)
    words = metric.replace("val_", "validation ").replace("_", " ")
    traces, rows = [], []
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
    layout = base_layout(
        f"{words.capitalize()} of each group, by {name}",
        440,
        margin={"l": 70, "r": 20, "t": 60, "b": 110},
        showlegend=True,
        legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"},  # below "epoch"
    )
    layout["xaxis"] = {"title": {"text": "epoch"}, "gridcolor": GRID_COLOR, "dtick": 1}
    layout["yaxis"] = {"title": {"text": words}, "gridcolor": GRID_COLOR}
    if "accuracy" in metric:
        layout["yaxis"].update(range=[0, 1.02], tickformat=".0%")
    else:
        layout["yaxis"]["rangemode"] = "tozero"
    summary = _curves_summary(groups, setting, metric, words)
    return with_text(make_figure(traces, layout), summary, rows)


def _curves_summary(groups: Sequence[Any], setting: str, metric: str, words: str) -> str:
    """Where each group's mean curve ends (and between which values its runs end), and
    the best group: the highest accuracy, the lowest loss."""
    say = percent if "accuracy" in metric else number
    parts, ends = [], []
    for group in groups:
        end = _last(group.mean_curve.get(metric, []))
        if end is None:
            continue
        epoch, value = end
        ends.append((value_text(group.value), value))
        part = f"{value_text(group.value)} {say(value)} at epoch {epoch}"
        runs = [last[1] for h in group.histories if (last := _last(h.get(metric, [])))]
        if len(runs) > 1 and min(runs) == max(runs):
            part += f" (its {len(runs)} runs all end at {say(min(runs))})"
        elif len(runs) > 1:
            part += f" (its {len(runs)} runs end from {say(min(runs))} to {say(max(runs))})"
        parts.append(part)
    if not ends:
        return f"No run grouped by {setting} has finished an epoch yet."
    low, high = extremes([value for _, value in ends])
    best = ends[high if "accuracy" in metric else low][0]
    return (
        f"Mean {words} at each group's last epoch, by {setting}: {'; '.join(parts)}; "
        f"the best: {setting} = {best}."
    )
