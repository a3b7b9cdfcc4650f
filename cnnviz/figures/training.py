"""Figures of training: loss and accuracy curves."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from cnnviz.figures.alt import count, extremes, number, percent, with_text
from cnnviz.figures.base import as_text, axis_suffix, make_figure, paper_text
from cnnviz.figures.colors import FONT_FAMILY, TEXT_COLOR

__all__ = ["class_accuracy_curves", "curves_layout", "history_rows", "training_curves"]

# --- training ----------------------------------------------------------------------------------

TRAIN_COLOR, VAL_COLOR = "#2563eb", "#f97316"  # blue for training, orange for validation


def training_curves(
    history: dict[str, Sequence[float]],
    *,
    batch_curve: dict[str, Sequence[float]] | None = None,
) -> go.Figure:
    """Loss and accuracy, training and validation, in two panels side by side.

    Args:
        history: per-epoch values, e.g. {"loss": [...], "accuracy": [...],
            "val_loss": [...], "val_accuracy": [...]} (missing keys are skipped).
        batch_curve: optional per-batch points while an epoch runs: {"epoch":
            fractional epochs, "loss": [...], "accuracy": [...]}, drawn thin and faint.

    Returns:
        A figure with "Loss" on the left and "Accuracy" on the right, epochs along x.
    """
    traces: list[dict] = []
    for panel, metric in ((1, "loss"), (2, "accuracy")):
        axes = {"xaxis": f"x{axis_suffix(panel)}", "yaxis": f"y{axis_suffix(panel)}"}
        if batch_curve and batch_curve.get(metric):
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": "training (batches)",
                    "x": list(batch_curve["epoch"]),
                    "y": list(batch_curve[metric]),
                    "line": {"color": TRAIN_COLOR, "width": 1},
                    "opacity": 0.35,
                    "showlegend": panel == 1,
                    "legendgroup": "batches",
                    **axes,
                }
            )
        for key, name, color in (
            (metric, "training", TRAIN_COLOR),
            (f"val_{metric}", "validation", VAL_COLOR),
        ):
            values = list(history.get(key, []))
            if values:
                traces.append(
                    {
                        "type": "scatter",
                        "mode": "lines+markers",
                        "name": name,
                        "x": list(range(1, len(values) + 1)),
                        "y": values,
                        "line": {"color": color, "width": 3},
                        "marker": {"size": 8},
                        "showlegend": panel == 1,
                        "legendgroup": name,
                        **axes,
                    }
                )
    figure = make_figure(traces, curves_layout())
    return with_text(figure, _curves_summary(history, batch_curve), history_rows(history))


COLUMNS = {  # history key -> its column in the figures' tables
    "loss": "loss",
    "accuracy": "accuracy",
    "val_loss": "validation loss",
    "val_accuracy": "validation accuracy",
}


def history_rows(history: dict[str, Sequence[float]]) -> list[dict]:
    """A history as table rows, one per epoch: {"epoch", "loss", "accuracy",
    "validation loss", "validation accuracy"} (the metrics it has)."""
    present = {key: list(history[key]) for key in COLUMNS if len(history.get(key, []))}
    epochs = max((len(values) for values in present.values()), default=0)
    return [
        {
            "epoch": epoch + 1,
            **{
                COLUMNS[key]: (values[epoch] if epoch < len(values) else None)
                for key, values in present.items()
            },
        }
        for epoch in range(epochs)
    ]


def _change(values: Sequence[float], what: str) -> str:
    """How a metric moved, e.g. `loss falls from 2.30 to 0.08` (or rises, or is)."""
    first, last = float(values[0]), float(values[-1])
    if len(values) == 1 or first == last:
        return f"{what} is {number(last)}"
    verb = "falls" if last < first else "rises"
    return f"{what} {verb} from {number(first)} to {number(last)}"


def _curves_summary(history: dict, batch_curve: dict | None) -> str:
    epochs = max((len(history.get(key, [])) for key in COLUMNS), default=0)
    parts = []
    if len(history.get("loss", [])):
        parts.append(f"{_change(history['loss'], 'loss')} over {count(epochs, 'epoch')}")
    elif epochs:
        parts.append(f"{count(epochs, 'epoch')} done")
    val_loss = list(history.get("val_loss", []))
    best = extremes(val_loss)
    if best is not None:
        at = best[0]
        parts.append(f"validation loss is lowest at epoch {at + 1} ({number(val_loss[at])})")
    accuracy, val_accuracy = history.get("accuracy", []), history.get("val_accuracy", [])
    if len(accuracy):
        ends = f"accuracy ends at {percent(accuracy[-1])}"
        if len(val_accuracy):
            ends += f" (validation {percent(val_accuracy[-1])})"
        parts.append(ends)
    elif len(val_accuracy):
        parts.append(f"validation accuracy ends at {percent(val_accuracy[-1])}")
    batches = batch_curve or {}
    if len(batches.get("loss", [])) and len(batches.get("epoch", [])):
        under_way = int(np.ceil(float(batches["epoch"][-1])))
        if under_way > epochs:
            parts.append(
                f"epoch {under_way} is under way, its last batch's loss "
                f"{number(batches['loss'][-1])}"
            )
    if not parts:
        return "No epoch has finished yet: the curves are empty"
    summary = "; ".join(parts)
    return summary[0].upper() + summary[1:]


def curves_layout(*, height: int = 380) -> dict:
    """The two-panel layout of loss (left) and accuracy (right) over epochs."""
    axis = {"title": {"text": "epoch"}, "gridcolor": "#e5e5e5", "rangemode": "tozero"}
    layout = {
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "font": {"family": FONT_FAMILY, "size": 15, "color": TEXT_COLOR},
        "legend": {"orientation": "h", "x": 0, "y": -0.2},
        "xaxis": {**axis, "domain": [0, 0.46]},
        "xaxis2": {**axis, "domain": [0.54, 1], "anchor": "y2"},
        "yaxis": {"title": {"text": "loss"}, "gridcolor": "#e5e5e5", "rangemode": "tozero"},
        "yaxis2": {
            "title": {"text": "accuracy"},
            "gridcolor": "#e5e5e5",
            "range": [0, 1.02],
            "tickformat": ".0%",
            "anchor": "x2",
        },
        "annotations": [
            paper_text("<b>Loss</b>", 0.23, 1.1, size=18),
            paper_text("<b>Accuracy</b>", 0.77, 1.1, size=18),
        ],
    }
    return layout


# Okabe-Ito and friends: distinguishable lines for up to 10 classes (more reuse them).
CLASS_COLORS = [
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#f0e442",
    "#000000",
    "#999999",
    "#882255",
]


def class_accuracy_curves(
    curves: Sequence[Sequence[float]], class_names: Sequence[str], *, marked: int | None = None
) -> go.Figure:
    """Each class's validation accuracy over the epochs, one line per class.

    Args:
        curves: one list per class of its validation accuracy after each epoch, in class
            order (`history["val_accuracy_class_<i>"]`); NaN where a class had none.
        class_names: one name per class.
        marked: an epoch (1-based) to mark with a vertical line, e.g. the one shown.

    Returns:
        One trace per class named after it, epochs along x, accuracy in [0, 1] along y.
    """
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": as_text(name),
            "x": list(range(1, len(values) + 1)),
            "y": [float(v) for v in values],
            "line": {"color": CLASS_COLORS[i % len(CLASS_COLORS)], "width": 2},
            "marker": {"size": 6},
            "hovertemplate": f"class {as_text(name)}, epoch %{{x}}: %{{y:.0%}}<extra></extra>",
        }
        for i, (name, values) in enumerate(zip(class_names, curves))
    ]
    layout = {
        "height": 360,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "font": {"family": FONT_FAMILY, "size": 15, "color": TEXT_COLOR},
        "title": {"text": "Validation accuracy of each class, epoch by epoch", "x": 0.01},
        "xaxis": {"title": {"text": "epoch"}, "gridcolor": "#e5e5e5", "dtick": 1},
        "yaxis": {
            "title": {"text": "accuracy"},
            "gridcolor": "#e5e5e5",
            "range": [0, 1.02],
            "tickformat": ".0%",
        },
        "legend": {"title": {"text": "class"}},
    }
    if marked is not None:
        layout["shapes"] = [
            {
                "type": "line",
                "x0": marked,
                "x1": marked,
                "y0": 0,
                "y1": 1,
                "xref": "x",
                "yref": "paper",
                "name": "shown epoch",
                "line": {"dash": "dot", "color": TEXT_COLOR, "width": 2},
            }
        ]
    figure = make_figure(traces, layout)
    return with_text(figure, *_class_curves_text(curves, class_names, marked))


def _class_curves_text(
    curves: Sequence[Sequence[float]], class_names: Sequence[str], marked: int | None
) -> tuple[str, list[dict]]:
    epochs = max((len(values) for values in curves), default=0)
    table = [
        {
            "class": name,
            **{f"epoch {e + 1}": values[e] if e < len(values) else None for e in range(epochs)},
        }
        for name, values in zip(class_names, curves)
    ]
    summary = (
        f"Validation accuracy of {count(len(table), 'class', 'classes')} "
        f"over {count(epochs, 'epoch')}"
    )
    at = marked if marked is not None and 1 <= marked <= epochs else epochs
    scores = [float(v[at - 1]) if len(v) >= at else np.nan for v in curves] if at else []
    ends = extremes(scores)
    if ends is not None:
        low, high = ends
        summary += (
            f"; at epoch {at} {class_names[high]} is highest ({percent(scores[high])}) "
            f"and {class_names[low]} lowest ({percent(scores[low])})"
        )
    return summary, table
