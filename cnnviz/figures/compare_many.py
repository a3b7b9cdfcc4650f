"""Figures of 2 to 10 runs compared: their curves overlaid, and each class's accuracy
side by side.

They draw what `cnnviz.compare_many.compare_many` read; run i is drawn in the i-th
colour of the Okabe-Ito palette. Each carries its text alternative in `layout.meta`
(see `cnnviz.figures.sweep.with_summary`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.figures.base import as_text, axis_suffix, base_layout, make_figure, paper_text
from cnnviz.figures.colors import GRID_COLOR
from cnnviz.figures.compare import LOSS_CAP
from cnnviz.figures.sweep import with_summary
from cnnviz.figures.training import CLASS_COLORS, curves_layout

__all__ = ["per_class_runs_figure", "runs_curves_figure"]


def _color(i: int) -> str:
    return CLASS_COLORS[i % len(CLASS_COLORS)]


def _finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


def runs_curves_figure(
    histories: Sequence[dict[str, Sequence[float]]], labels: Sequence[str]
) -> go.Figure:
    """Loss and accuracy of several runs overlaid: validation solid, training dotted.

    Args:
        histories: one per-epoch history per run ({"loss", "accuracy", "val_loss",
            "val_accuracy"}; missing keys are skipped).
        labels: how the legend names each run (text a person may have typed).

    Returns:
        Two panels ("Loss" left, "Accuracy" right); traces named "<label> validation"
        and "<label> training".
    """
    traces: list[dict] = []
    losses: list[float] = []
    rows: list[dict[str, Any]] = []
    ends = []
    for i, (history, label) in enumerate(zip(histories, labels, strict=True)):
        name = as_text(label)
        for panel, metric in ((1, "loss"), (2, "accuracy")):
            for key, split, dash, width in (
                (f"val_{metric}", "validation", "solid", 3),
                (metric, "training", "dot", 1.5),
            ):
                values = [float(v) for v in history.get(key, [])]
                if not values:
                    continue
                if metric == "loss":
                    losses += _finite(values)
                traces.append(
                    {
                        "type": "scatter",
                        "mode": "lines+markers",
                        "name": f"{name} {split}",
                        "x": list(range(1, len(values) + 1)),
                        "y": values,
                        "line": {"color": _color(i), "width": width, "dash": dash},
                        "marker": {"size": 6 if split == "validation" else 3},
                        "showlegend": panel == 1,
                        "legendgroup": f"{name} {split}",
                        "xaxis": f"x{axis_suffix(panel)}",
                        "yaxis": f"y{axis_suffix(panel)}",
                    }
                )
        epochs = max((len(v) for v in history.values()), default=0)
        rows += [
            {"run": label, "epoch": e + 1, **{k: _at(history.get(k), e) for k in _KEYS}}
            for e in range(epochs)
        ]
        key = "val_accuracy" if _finite(history.get("val_accuracy", [])) else "accuracy"
        last = _finite(history.get(key, []))
        if last:
            ends.append((label, last[-1], key))
    layout = curves_layout(height=440)
    if losses and max(losses) > LOSS_CAP * float(np.median(losses)):
        top = LOSS_CAP * float(np.median(losses))
        axis = {k: v for k, v in layout["yaxis"].items() if k != "rangemode"}
        layout["yaxis"] = {**axis, "range": [0, top]}
        layout["annotations"].append(
            paper_text(f"(cut at {top:.2g}: higher losses are off the chart)", 0.23, 1.03, size=12)
        )
    return make_figure(traces, with_summary(layout, _curves_summary(ends, len(labels)), rows))


_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")


def _at(values: Sequence[float] | None, epoch: int) -> float | None:
    if not values or epoch >= len(values):
        return None
    return float(values[epoch])


def _curves_summary(ends: list[tuple[str, float, str]], runs: int) -> str:
    if not ends:
        return f"None of the {runs} runs has finished an epoch yet."
    words = "validation accuracy" if all(k == "val_accuracy" for *_, k in ends) else "accuracy"
    best = max(ends, key=lambda e: e[1])
    listed = ", ".join(f"{label} {value:.1%}" for label, value, _ in ends)
    return (
        f"{words.capitalize()} after the last epoch of {runs} runs: {listed}; highest: {best[0]}."
    )


def per_class_runs_figure(
    per_class: Any, class_names: Sequence[str], labels: Sequence[str]
) -> go.Figure:
    """Each class's accuracy in every run, side by side.

    Args:
        per_class: float array of shape (n_runs, n_classes), each run's accuracy on
            each class's test images.
        class_names: one name per class (text a person may have typed).
        labels: how the legend names each run.

    Returns:
        One bar trace per run, named by its label.
    """
    per_class = np.asarray(per_class, dtype=float)
    names = [as_text(n) for n in class_names]
    traces = [
        {
            "type": "bar",
            "name": as_text(label),
            "x": names,
            "y": per_class[i].tolist(),
            "marker": {"color": _color(i)},
            "hovertemplate": f"class %{{x}}: {as_text(label)} %{{y:.1%}}<extra></extra>",
        }
        for i, label in enumerate(labels)
    ]
    rows = [
        {"class": str(name), "run": label, "accuracy": float(per_class[i, k])}
        for k, name in enumerate(class_names)
        for i, label in enumerate(labels)
    ]
    layout = base_layout(
        "Accuracy on each class's test images",
        420,
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
    return make_figure(traces, with_summary(layout, _class_summary(per_class, class_names), rows))


def _class_summary(per_class: np.ndarray, class_names: Sequence[str]) -> str:
    if per_class.size == 0:
        return "No class to compare."
    mean = per_class.mean(axis=0)
    gap = per_class.max(axis=0) - per_class.min(axis=0)
    hard, easy, split = int(mean.argmin()), int(mean.argmax()), int(gap.argmax())
    return (
        f"Accuracy on each class's test images in {len(per_class)} runs: the hardest class "
        f"is {class_names[hard]} (mean {mean[hard]:.1%}), the easiest {class_names[easy]} "
        f"(mean {mean[easy]:.1%}); the runs differ most on {class_names[split]} (from "
        f"{per_class[:, split].min():.1%} to {per_class[:, split].max():.1%})."
    )
