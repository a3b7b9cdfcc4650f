"""Figures of training: loss and accuracy curves."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from cnnviz.figures.base import axis_suffix, make_figure, paper_text
from cnnviz.figures.colors import FONT_FAMILY, TEXT_COLOR

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
    return make_figure(traces, curves_layout())


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
