"""Figures of 2 to 10 runs compared: their curves overlaid, and each class's accuracy
side by side.

They draw what `cnnviz.compare_many.compare_many` read; run i is drawn in the i-th
colour of the Okabe-Ito palette. Each carries its text alternative (`alt.with_text`):
where each run ends, each run's best and worst class.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.figures.alt import count, extremes, percent, with_text
from cnnviz.figures.base import (
    as_text,
    class_bars_layout,
    make_figure,
)
from cnnviz.figures.compare import capped_losses, run_curve_traces
from cnnviz.figures.training import CLASS_COLORS, curves_layout, history_rows

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
    rows: list[dict[str, Any]] = []
    ends = []
    for i, (history, label) in enumerate(zip(histories, labels, strict=True)):
        traces += run_curve_traces(
            history, as_text(label), _color(i), widths=(3, 1.5), markers=(6, 3)
        )
        rows += [{"run": label, **row} for row in history_rows(history)]
        key = "val_accuracy" if _finite(history.get("val_accuracy", [])) else "accuracy"
        values = [float(v) for v in history.get(key, [])]
        finite = [e for e, v in enumerate(values) if math.isfinite(v)]
        if finite:
            ends.append((label, values[finite[-1]], finite[-1] + 1, key))
    layout = capped_losses(curves_layout(height=440), traces)
    columns = {key: None for row in rows for key in row}  # the same columns in every row
    table = [{**columns, **row} for row in rows]
    return with_text(make_figure(traces, layout), _curves_summary(ends, labels), table)


def _curves_summary(ends: list[tuple[str, float, int, str]], labels: Sequence[str]) -> str:
    """Where each run ends (its last validation accuracy, else training's, and that
    epoch), the highest, and the runs with no finished epoch."""
    if not ends:
        return f"None of the {len(labels)} runs has finished an epoch yet."
    words = "validation accuracy" if all(e[3] == "val_accuracy" for e in ends) else "accuracy"
    best = ends[extremes([e[1] for e in ends])[1]]
    epochs = {e[2] for e in ends}
    if len(epochs) == 1:
        where = f"after {count(epochs.pop(), 'epoch')}"
        listed = ", ".join(f"{label} {percent(value)}" for label, value, *_ in ends)
    else:
        where = "at its last epoch"
        listed = ", ".join(f"{label} {percent(v)} (epoch {e})" for label, v, e, _ in ends)
    said = (
        f"{words.capitalize()} of {count(len(labels), 'run')}, each {where}: {listed}; "
        f"highest: {best[0]} ({percent(best[1])})"
    )
    ended = {e[0] for e in ends}
    waiting = [label for label in labels if label not in ended]
    if waiting:
        said += f"; no finished epoch yet: {', '.join(waiting)}"
    return said + "."


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
    layout = class_bars_layout("Accuracy on each class's test images", 420, value="accuracy")
    summary = _class_summary(per_class, class_names, labels)
    return with_text(make_figure(traces, layout), summary, rows)


def _class_summary(per_class: np.ndarray, class_names: Sequence[str], labels: Sequence[str]) -> str:
    """Each run's best and worst class, and the class the runs differ most on."""
    if per_class.size == 0:
        return "No class to compare."
    parts = []
    for label, scores in zip(labels, per_class):
        ends = extremes(scores)
        if ends is None:
            parts.append(f"{label} has no class accuracy")
            continue
        worst, best = ends
        parts.append(
            f"{label} best on {class_names[best]} ({percent(scores[best])}), worst on "
            f"{class_names[worst]} ({percent(scores[worst])})"
        )
    said = f"Accuracy on each class's test images in {count(len(labels), 'run')}: " + "; ".join(
        parts
    )
    seen = np.isfinite(per_class)
    highest = np.where(seen, per_class, -np.inf).max(axis=0)
    lowest = np.where(seen, per_class, np.inf).min(axis=0)
    ends = extremes(highest - lowest)  # -inf for a class no run has a score for: left out
    if len(labels) > 1 and ends is not None and highest[ends[1]] > lowest[ends[1]]:
        k = ends[1]
        said += (
            f"; the runs differ most on {class_names[k]} (from {percent(lowest[k])} to "
            f"{percent(highest[k])})"
        )
    return said + "."
