"""How well a model does on the test images: confusion matrix, per-class scores, mistakes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.figures.base import base_layout, hidden_axis, make_figure, note, picture_trace
from cnnviz.figures.colors import GRID_COLOR, SEQUENTIAL, WRONG_COLOR

__all__ = ["confusion_matrix_figure", "mistakes_figure", "per_class_metrics_figure"]


def confusion_matrix_figure(metrics: Any, *, normalized: bool = False) -> go.Figure:
    """The confusion matrix: rows are true classes, columns predicted ones.

    Args:
        metrics: a `cnnviz.metrics.ClassificationMetrics`.
        normalized: colour and label each cell by its share of the row (the recall
            of the diagonal) instead of its count.

    Returns:
        One heatmap named "confusion matrix"; each cell's customdata is
        [true index, predicted index, count, row share], so a click can open that
        cell's mistakes. Numbers are written in the cells up to 20 classes.
    """
    counts = np.asarray(metrics.confusion_matrix, dtype=float)
    shares = np.asarray(metrics.normalized(), dtype=float)
    names = [str(n) for n in metrics.class_names]
    n = len(names)
    true_index, predicted_index = np.indices((n, n))
    custom = np.stack([true_index, predicted_index, counts, shares], axis=-1)
    z = shares if normalized else counts
    trace = {
        "type": "heatmap",
        "z": z,
        "x": names,
        "y": names,
        "customdata": custom,
        "colorscale": SEQUENTIAL,
        "zmin": 0,
        "zmax": 1 if normalized else max(counts.max(), 1),
        "xgap": 1,
        "ygap": 1,
        "name": "confusion matrix",
        "hovertemplate": "true %{y}, predicted %{x}: %{customdata[2]:,} images "
        "(%{customdata[3]:.0%} of the row)<extra></extra>",
        "colorbar": {
            "title": {"text": "share of row" if normalized else "images"},
            "tickformat": ".0%" if normalized else ",",
        },
    }
    if n <= 20:
        trace["text"] = [[f"{v:.0%}" if normalized else f"{int(v):,}" for v in row] for row in z]
        trace["texttemplate"] = "%{text}"
        trace["textfont"] = {"size": 16 if n <= 10 else 12}
    kind = "each row sums to 100%" if normalized else "counts"
    size = min(900, 160 + 44 * n) if n <= 20 else 900
    layout = base_layout(
        f"Confusion matrix ({kind}), accuracy {metrics.accuracy:.1%}",
        size,
        margin={"l": 90, "r": 10, "t": 60, "b": 80},
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


def per_class_metrics_figure(metrics: Any) -> go.Figure:
    """Precision, recall and F1 of every class as grouped bars (support on hover).

    Args:
        metrics: a `cnnviz.metrics.ClassificationMetrics`.
    """
    names = [str(n) for n in metrics.class_names]
    support = [int(s) for s in metrics.support]
    traces = [
        {
            "type": "bar",
            "name": label,
            "x": names,
            "y": [float(v) for v in values],
            "customdata": support,
            "marker": {"color": color},
            "hovertemplate": f"class %{{x}}: {label} %{{y:.1%}} "
            "(%{customdata} test images)<extra></extra>",
        }
        for label, values, color in (
            ("precision", metrics.precision, "#60a5fa"),
            ("recall", metrics.recall, "#f59e0b"),
            ("F1", metrics.f1, "#10b981"),
        )
    ]
    layout = base_layout(
        f"Per-class scores, accuracy {metrics.accuracy:.1%}",
        420,
        margin={"l": 60, "r": 10, "t": 70, "b": 60},
        barmode="group",
        showlegend=True,
        legend={"orientation": "h", "x": 0, "y": 1.12},
    )
    layout["xaxis"] = {"type": "category", "title": {"text": "class"}, "automargin": True}
    layout["yaxis"] = {
        "title": {"text": "score"},
        "range": [0, 1.05],
        "tickformat": ".0%",
        "gridcolor": GRID_COLOR,
    }
    return make_figure(traces, layout)


def mistakes_figure(
    mistakes: Sequence[Any], *, columns: int = 6, max_images: int = 24
) -> go.Figure:
    """Misclassified images in a grid, each captioned true → predicted (probability).

    Args:
        mistakes: `cnnviz.evaluate.mistakes` output (Mistake: image, true_name,
            predicted_name, top, ...), most confident first.
        columns: images per row.
        max_images: at most this many (the first ones); the title says so.

    Returns:
        Image traces named "mistake <index>"; hovering one lists its top classes.
    """
    shown = list(mistakes)[:max_images]
    title = f"Mistakes: {len(shown)}" + (
        f" of {len(mistakes)}, most confident first" if len(shown) < len(mistakes) else ""
    )
    size, pitch_x, pitch_y = 110, 150, 170
    traces, notes = [], []
    for i, mistake in enumerate(shown):
        row, col = divmod(i, columns)
        x, y = col * pitch_x, row * pitch_y
        top = "<br>".join(f"{s.name}: {s.probability:.1%}" for s in mistake.top)
        trace = picture_trace(mistake.image, x=x, y=y, size=size, name=f"mistake {mistake.index}")
        trace["hovertemplate"] = (
            f"test image {mistake.index}<br>true {mistake.true_name}<br>{top}<extra></extra>"
        )
        traces.append(trace)
        notes += [
            note(f"true <b>{mistake.true_name}</b>", x + size / 2, y + size + 14, size=13),
            note(
                f"→ {mistake.predicted_name} ({mistake.confidence:.0%})",
                x + size / 2,
                y + size + 32,
                size=13,
                color=WRONG_COLOR,
            ),
        ]
    if not shown:
        notes.append(
            note("No mistakes here: every image was classified correctly", 300, 40, size=16)
        )
    rows = max(1, -(-len(shown) // columns))
    width = max(columns * pitch_x, 600) if shown else 600
    layout = base_layout(
        title, rows * pitch_y + 80, margin={"l": 10, "r": 10, "t": 60, "b": 10}, annotations=notes
    )
    layout["xaxis"] = hidden_axis(range=[-10, width])
    layout["yaxis"] = hidden_axis(range=[rows * pitch_y, -10], scaleanchor="x")
    return make_figure(traces, layout)
