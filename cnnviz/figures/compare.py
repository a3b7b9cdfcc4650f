"""Figures of two runs compared: overlaid curves, the change per class and per
confusion-matrix cell; the test images the two answer differently are drawn by
`figures.disagreements` (importable from here too).

They draw what `cnnviz.compare.compare_runs` computed; A is drawn blue, B orange.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.figures.alt import count, extremes, number, percent, with_text
from cnnviz.figures.base import (
    as_text,
    axis_suffix,
    base_layout,
    class_bars_layout,
    make_figure,
    paper_text,
)
from cnnviz.figures.colors import DIVERGING_TEXT, RUN_A_COLOR, RUN_B_COLOR, TEXT_COLOR
from cnnviz.figures.disagreements import disagreements_figure
from cnnviz.figures.training import curves_layout, history_rows

__all__ = [
    "compare_curves",
    "confusion_diff_figure",
    "disagreements_figure",
    "per_class_change_figure",
]

RUN_COLORS = (RUN_A_COLOR, RUN_B_COLOR)
LOSS_CAP = 5.0  # the loss axis stops at 5x the median loss, so one blow-up hides no curve


def compare_curves(
    histories: Sequence[dict[str, Sequence[float]]], *, labels: Sequence[str] = ("A", "B")
) -> go.Figure:
    """Loss and accuracy of two runs overlaid: validation solid, training dotted.

    Args:
        histories: two per-epoch histories ({"loss", "accuracy", "val_loss",
            "val_accuracy"}; missing keys are skipped).
        labels: how the legend names the two runs.

    Returns:
        Two panels ("Loss" left, "Accuracy" right); traces named e.g. "A validation".
    """
    traces: list[dict] = []
    for history, label, color in zip(histories, labels, RUN_COLORS, strict=True):
        traces += run_curve_traces(history, label, color, widths=(4, 2), markers=(7, 4))
    layout = capped_losses(curves_layout(height=420), traces)
    return with_text(make_figure(traces, layout), *_curves_text(histories, labels))


def run_curve_traces(
    history: dict[str, Sequence[float]],
    name: str,
    color: str,
    *,
    widths: tuple[float, float],
    markers: tuple[int, int],
) -> list[dict]:
    """One run's curves on the two panels: validation solid, training dotted.

    Args:
        history: its per-epoch history (missing keys are skipped).
        name: the legend's name of the run (traces "<name> validation", "<name> training").
        color: the run's colour.
        widths, markers: line widths and marker sizes, validation's then training's.

    Returns:
        Plotly scatter traces, loss on the left panel, accuracy on the right.
    """
    traces = []
    for panel, metric in ((1, "loss"), (2, "accuracy")):
        for key, split, dash, width, size in (
            (f"val_{metric}", "validation", "solid", widths[0], markers[0]),
            (metric, "training", "dot", widths[1], markers[1]),
        ):
            values = [float(v) for v in history.get(key, [])]
            if not values:
                continue
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": f"{name} {split}",
                    "x": list(range(1, len(values) + 1)),
                    "y": values,
                    "line": {"color": color, "width": width, "dash": dash},
                    "marker": {"size": size},
                    "showlegend": panel == 1,
                    "legendgroup": f"{name} {split}",
                    "xaxis": f"x{axis_suffix(panel)}",
                    "yaxis": f"y{axis_suffix(panel)}",
                }
            )
    return traces


def capped_losses(layout: dict, traces: list[dict]) -> dict:
    """The curves' layout with the loss axis cut at LOSS_CAP x the median loss when one
    run's loss blew up (said on the chart), so that it hides no other curve."""
    losses = [v for t in traces if t["yaxis"] == "y" for v in t["y"] if np.isfinite(v)]
    if losses and max(losses) > LOSS_CAP * float(np.median(losses)):
        top = LOSS_CAP * float(np.median(losses))
        axis = {k: v for k, v in layout["yaxis"].items() if k != "rangemode"}
        layout["yaxis"] = {**axis, "range": [0, top]}
        layout["annotations"].append(
            paper_text(f"(cut at {top:.2g}: higher losses are off the chart)", 0.23, 1.03, size=12)
        )
    return layout


def _curves_text(
    histories: Sequence[dict[str, Sequence[float]]], labels: Sequence[str]
) -> tuple[str, list[dict]]:
    """Each run's last accuracy and loss (validation's, training's when it has none)."""
    parts, table = [], []
    for history, label in zip(histories, labels):
        rows = history_rows(history)
        table += [{"run": label, **row} for row in rows]
        if not rows:
            parts.append(f"{label} has no finished epoch")
            continue
        last = rows[-1]
        split = "validation " if any(key.startswith("validation") for key in last) else ""
        ends = [
            f"{split}{metric} {say(last[split + metric])}"
            for metric, say in (("accuracy", percent), ("loss", number))
            if last.get(split + metric) is not None
        ]
        parts.append(f"{label} after {count(last['epoch'], 'epoch')}: " + ", ".join(ends))
    columns = {key: None for row in table for key in row}
    return "; ".join(parts), [{**columns, **row} for row in table]


def confusion_diff_figure(diff: Any, class_names: Sequence[str]) -> go.Figure:
    """B's confusion matrix minus A's, coloured by what the change means.

    A cell on the diagonal that grows is good (more right answers), a cell off it
    that grows is bad (more mistakes): blue cells are better for B, red worse.

    Args:
        diff: int array of shape (n_classes, n_classes), rows are true classes.
        class_names: one name per class.
    """
    diff = np.asarray(diff, dtype=float)
    names = [as_text(n) for n in class_names]
    n = len(names)
    better = np.where(np.eye(n, dtype=bool), diff, -diff)
    limit = max(float(np.abs(diff).max()), 1.0)
    trace = {
        "type": "heatmap",
        "z": better,
        "x": names,
        "y": names,
        "customdata": diff,
        "colorscale": DIVERGING_TEXT,  # light enough for dark numbers on every cell (AA)
        "zmin": -limit,
        "zmax": limit,
        "xgap": 1,
        "ygap": 1,
        "showscale": False,
        "name": "confusion difference",
        "hovertemplate": "true %{y}, predicted %{x}: %{customdata:+d} images (B - A)"
        "<extra></extra>",
    }
    if n <= 20:
        trace["text"] = [[f"{int(v):+d}" if v else "" for v in row] for row in diff]
        trace["texttemplate"] = "%{text}"
        trace["textfont"] = {"size": 16 if n <= 10 else 12, "color": TEXT_COLOR}
    layout = base_layout(
        "Confusion matrix, B minus A (blue: better for B, red: worse)",
        min(900, 160 + 44 * n) if n <= 20 else 900,
        margin={"l": 90, "r": 10, "t": 60, "b": 80},
        plot_bgcolor="#f3f4f6",
    )
    axis = {"type": "category", "showgrid": False, "tickfont": {"size": 14 if n <= 20 else 9}}
    layout["xaxis"] = {**axis, "title": {"text": "predicted class"}, "constrain": "domain"}
    layout["yaxis"] = {
        **axis,
        "title": {"text": "true class"},
        "autorange": "reversed",
        "scaleanchor": "x",
    }
    return with_text(make_figure([trace], layout), *_diff_text(diff, class_names))


def _diff_text(diff: np.ndarray, class_names: Sequence[str]) -> tuple[str, list[dict]]:
    """How many more images B answers right, and the mistake that changed most."""
    gained = int(np.trace(diff))
    if gained:
        summary = (
            f"B answers {count(abs(gained), 'test image')} {'more' if gained > 0 else 'fewer'}"
        )
        summary += " right than A"
    else:
        summary = "B answers as many test images right as A"
    off = np.where(np.eye(len(class_names), dtype=bool), 0, np.abs(diff))
    if off.size and off.max() > 0:
        t, p = np.unravel_index(int(np.argmax(off)), off.shape)
        summary += (
            f"; the mistake that changed most: true {class_names[t]} predicted as "
            f"{class_names[p]}, {int(diff[t, p]):+d} images"
        )
    table = [
        {
            "true class": name,
            **{f"predicted {q}": int(diff[i, j]) for j, q in enumerate(class_names)},
        }
        for i, name in enumerate(class_names)
    ]
    return summary, table


def per_class_change_figure(
    per_class: Any, class_names: Sequence[str], *, labels: Sequence[str] = ("A", "B")
) -> go.Figure:
    """Each class's accuracy in A and in B, side by side (the change on hover).

    Args:
        per_class: float array of shape (2, n_classes), A's row first.
        class_names: one name per class.
        labels: how the legend names the two runs.
    """
    per_class = np.asarray(per_class, dtype=float)
    names = [as_text(n) for n in class_names]
    change = (per_class[1] - per_class[0]) * 100
    traces = [
        {
            "type": "bar",
            "name": label,
            "x": names,
            "y": per_class[i].tolist(),
            "customdata": change.tolist(),
            "marker": {"color": color},
            "hovertemplate": f"class %{{x}}: {label} %{{y:.1%}} "
            "(B - A: %{customdata:+.1f} points)<extra></extra>",
        }
        for i, (label, color) in enumerate(zip(labels, RUN_COLORS, strict=True))
    ]
    layout = class_bars_layout("Accuracy on each class's test images", 400, value="accuracy")
    return with_text(make_figure(traces, layout), *_change_text(per_class, class_names, labels))


def _change_text(
    per_class: np.ndarray, class_names: Sequence[str], labels: Sequence[str]
) -> tuple[str, list[dict]]:
    a, b = labels
    change = (per_class[1] - per_class[0]) * 100
    better, worse = int((change > 0).sum()), int((change < 0).sum())
    summary = (
        f"{b} does better than {a} on {count(better, 'class', 'classes')} and worse on "
        f"{count(worse, 'class', 'classes')}"
    )
    ends = extremes(np.abs(change))
    if ends is not None and change[ends[1]]:
        k = ends[1]
        summary += (
            f"; the largest change: {class_names[k]}, {change[k]:+.1f} points "
            f"({percent(per_class[0, k])} to {percent(per_class[1, k])})"
        )
    table = [
        {
            "class": name,
            f"accuracy {a}": per_class[0, k],
            f"accuracy {b}": per_class[1, k],
            "change (points)": change[k],
        }
        for k, name in enumerate(class_names)
    ]
    return summary, table
