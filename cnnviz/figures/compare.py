"""Figures of two runs compared: overlaid curves, the change per class and per
confusion-matrix cell, and the test images the two answer differently.

They draw what `cnnviz.compare.compare_runs` computed; A is drawn blue, B orange.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.figures.base import (
    as_text,
    axis_suffix,
    base_layout,
    hidden_axis,
    make_figure,
    note,
    paper_text,
    picture_trace,
)
from cnnviz.figures.colors import (
    DIVERGING,
    GRID_COLOR,
    RIGHT_COLOR,
    RUN_A_COLOR,
    RUN_B_COLOR,
    WRONG_COLOR,
)
from cnnviz.figures.training import curves_layout

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
    losses: list[float] = []
    for history, label, color in zip(histories, labels, RUN_COLORS, strict=True):
        for panel, metric in ((1, "loss"), (2, "accuracy")):
            for key, split, dash, width in (
                (f"val_{metric}", "validation", "solid", 4),
                (metric, "training", "dot", 2),
            ):
                values = [float(v) for v in history.get(key, [])]
                if not values:
                    continue
                if metric == "loss":
                    losses += [v for v in values if np.isfinite(v)]
                traces.append(
                    {
                        "type": "scatter",
                        "mode": "lines+markers",
                        "name": f"{label} {split}",
                        "x": list(range(1, len(values) + 1)),
                        "y": values,
                        "line": {"color": color, "width": width, "dash": dash},
                        "marker": {"size": 7 if split == "validation" else 4},
                        "showlegend": panel == 1,
                        "legendgroup": f"{label} {split}",
                        "xaxis": f"x{axis_suffix(panel)}",
                        "yaxis": f"y{axis_suffix(panel)}",
                    }
                )
    layout = curves_layout(height=420)
    if losses and max(losses) > LOSS_CAP * float(np.median(losses)):
        top = LOSS_CAP * float(np.median(losses))
        axis = {k: v for k, v in layout["yaxis"].items() if k != "rangemode"}
        layout["yaxis"] = {**axis, "range": [0, top]}
        layout["annotations"].append(
            paper_text(f"(cut at {top:.2g}: higher losses are off the chart)", 0.23, 1.03, size=12)
        )
    return make_figure(traces, layout)


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
        "colorscale": DIVERGING,
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
        trace["textfont"] = {"size": 16 if n <= 10 else 12}
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
    return make_figure([trace], layout)


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
    layout = base_layout(
        "Accuracy on each class's test images",
        400,
        margin={"l": 60, "r": 10, "t": 70, "b": 60},
        barmode="group",
        showlegend=True,
        legend={"orientation": "h", "x": 0, "y": 1.12},
    )
    layout["xaxis"] = {"type": "category", "title": {"text": "class"}, "automargin": True}
    layout["yaxis"] = {
        "title": {"text": "accuracy"},
        "range": [0, 1.05],
        "tickformat": ".0%",
        "gridcolor": GRID_COLOR,
    }
    return make_figure(traces, layout)


def disagreements_figure(
    disagreements: Sequence[Any],
    *,
    total: int | None = None,
    labels: Sequence[str] = ("A", "B"),
    columns: int = 6,
) -> go.Figure:
    """Test images the two runs answer differently, each with both answers.

    Args:
        disagreements: `cnnviz.compare.Disagreement`s (index, image, true_name, a, b).
        total: how many there are in all, when more than those drawn.
        labels: how the captions name the two runs.
        columns: images per row.

    Returns:
        Image traces named "test image <index>"; the captions say true class and each
        run's answer, green when right and red when wrong.
    """
    shown = list(disagreements)
    total = len(shown) if total is None else total
    title = f"Test images the two answer differently: {total}" + (
        f" (the first {len(shown)})" if len(shown) < total else ""
    )
    size, pitch_x, pitch_y = 110, 160, 200
    traces, notes = [], []
    for i, item in enumerate(shown):
        row, col = divmod(i, columns)
        x, y = col * pitch_x, row * pitch_y
        trace = picture_trace(item.image, x=x, y=y, size=size, name=f"test image {item.index}")
        traces.append(trace)
        notes.append(
            note(f"true <b>{as_text(item.true_name)}</b>", x + size / 2, y + size + 14, size=13)
        )
        for k, (label, answer) in enumerate(zip(labels, (item.a, item.b), strict=True)):
            right = answer.name == item.true_name
            mark = "✓" if right else "✗"
            notes.append(
                note(
                    f"{label}: {as_text(answer.name)} ({answer.probability:.0%}) {mark}",
                    x + size / 2,
                    y + size + 33 + 18 * k,
                    size=13,
                    color=RIGHT_COLOR if right else WRONG_COLOR,
                )
            )
    if not shown:
        notes.append(note("The two runs give the same answer on every test image", 300, 40))
    rows = max(1, -(-len(shown) // columns))
    width = max(columns * pitch_x, 600)
    layout = base_layout(
        title, rows * pitch_y + 80, margin={"l": 10, "r": 10, "t": 60, "b": 10}, annotations=notes
    )
    layout["xaxis"] = hidden_axis(range=[-10, width])
    layout["yaxis"] = hidden_axis(range=[rows * pitch_y, -10], scaleanchor="x")
    return make_figure(traces, layout)
