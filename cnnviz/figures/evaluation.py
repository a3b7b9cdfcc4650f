"""How well a model does on the test images: confusion matrix (clickable) and per-class
scores. The mistakes and the images of one confusion cell are drawn by `figures.mistakes`
(importable from here too)."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.figures.alt import count, extremes, number, percent, with_text
from cnnviz.figures.base import as_text, base_layout, class_bars_layout, make_figure
from cnnviz.figures.colors import HIGHLIGHT_COLOR, SEQUENTIAL, TEXT_COLOR
from cnnviz.figures.mistakes import cell_images_figure, mistakes_figure

__all__ = [
    "cell_images_figure",
    "confusion_matrix_figure",
    "mistakes_figure",
    "per_class_metrics_figure",
]


def _matrix_side(n: int) -> int:
    """The plot area's side in pixels: cells of 52-120 px up to 13 classes, then smaller
    (the whole figure, colour bar included, stays under ~950 px wide)."""
    return int(np.clip(52 * n, 240, 680)) if n <= 20 else 700


def confusion_matrix_figure(
    metrics: Any, *, normalized: bool = False, picked: tuple[int, int] | None = None
) -> go.Figure:
    """The confusion matrix, one square per cell, that a click can select.

    Rows are true classes (the first at the top), columns predicted ones. The cells
    are square scatter markers on a fixed-size plot, not a heatmap: Streamlit reports
    clicks on scatter points only.

    Args:
        metrics: a `cnnviz.metrics.ClassificationMetrics`.
        normalized: colour and label each cell by its share of the row (the recall
            of the diagonal) instead of its count.
        picked: (true, predicted) of the cell to outline, if any.

    Returns:
        One scatter trace named "confusion matrix" with a point per cell in row-major
        order, x the predicted and y the true class index; its customdata is
        [true, predicted, count, row share]. Numbers are written in the cells up to
        20 classes. The picked cell gets a rectangle shape named "picked".
    """
    counts = np.asarray(metrics.confusion_matrix, dtype=float)
    shares = np.asarray(metrics.normalized(), dtype=float)
    names = [as_text(n) for n in metrics.class_names]
    n = len(names)
    true_index, predicted_index = (a.ravel() for a in np.indices((n, n)))
    z = (shares if normalized else counts).ravel()
    side = _matrix_side(n)
    cells = list(zip(true_index.tolist(), predicted_index.tolist()))
    custom = np.stack([true_index, predicted_index, counts.ravel(), shares.ravel()], axis=1)
    trace = {
        "type": "scatter",
        "mode": "markers+text" if n <= 20 else "markers",
        "x": predicted_index.tolist(),
        "y": true_index.tolist(),
        "customdata": custom.tolist(),  # a list: a numpy array reaches the browser as a dict
        "marker": {
            "symbol": "square",
            "size": side / n * 0.95,
            "color": z.tolist(),
            "colorscale": SEQUENTIAL,
            "cmin": 0,
            "cmax": 1 if normalized else max(counts.max(), 1),
            "line": {"width": 0},
            "colorbar": {
                "title": {"text": "share of row" if normalized else "images"},
                "tickformat": ".0%" if normalized else ",",
            },
        },
        "selected": {"marker": {"opacity": 1}},
        "unselected": {"marker": {"opacity": 1}},
        "name": "confusion matrix",
        "hovertext": [f"true {names[t]}, predicted {names[p]}" for t, p in cells],
        "hovertemplate": "%{hovertext}: %{customdata[2]:,} images "
        "(%{customdata[3]:.0%} of the row)<br>click to see them<extra></extra>",
    }
    if n <= 20:
        trace["text"] = [f"{v:.0%}" if normalized else f"{int(v):,}" for v in z]
        trace["textposition"] = "middle center"
        trace["textfont"] = {"size": 20 if n <= 10 else 14, "color": TEXT_COLOR}
    kind = "each row sums to 100%" if normalized else "counts"
    margin = {"l": 110, "r": 40, "t": 70, "b": 90}
    layout = base_layout(
        f"Confusion matrix ({kind}), accuracy {metrics.accuracy:.1%}",
        side + margin["t"] + margin["b"],
        width=side + margin["l"] + margin["r"] + 90,  # and the colour bar
        margin=margin,
        clickmode="event+select",
        dragmode=False,
        hovermode="closest",
    )
    ticks = {"tickfont": {"size": 16 if n <= 20 else 9}, "showgrid": False, "zeroline": False}
    shown = list(range(n)) if n <= 20 else list(range(0, n, max(1, n // 10)))
    layout["xaxis"] = {
        **ticks,
        "title": {"text": "predicted class", "font": {"size": 17}},
        "range": [-0.5, n - 0.5],
        "fixedrange": True,
        "tickvals": shown,
        "ticktext": [names[i] for i in shown],
    }
    layout["yaxis"] = {
        **ticks,
        "title": {"text": "true class", "font": {"size": 17}},
        "range": [n - 0.5, -0.5],
        "fixedrange": True,
        "tickvals": shown,
        "ticktext": [names[i] for i in shown],
    }
    if picked is not None:
        t, p = picked
        layout["shapes"] = [
            {
                "type": "rect",
                "name": "picked",
                "x0": p - 0.5,
                "x1": p + 0.5,
                "y0": t - 0.5,
                "y1": t + 0.5,
                "line": {"color": HIGHLIGHT_COLOR, "width": 4},
            }
        ]
    figure = make_figure([trace], layout)
    return with_text(figure, *_matrix_text(metrics, counts, shares, normalized, picked))


def _matrix_text(
    metrics: Any,
    counts: np.ndarray,
    shares: np.ndarray,
    normalized: bool,
    picked: tuple[int, int] | None,
) -> tuple[str, list[dict]]:
    """Accuracy, the most confused pair and the picked cell in words; the matrix as rows
    (a row per true class, a column per predicted class: counts, or row shares)."""
    names = list(metrics.class_names)
    right, total = int(np.trace(counts)), int(counts.sum())
    summary = (
        f"Accuracy {percent(metrics.accuracy)}: {right:,} of {count(total, 'test image')} "
        "answered right"
    )
    off = np.where(np.eye(len(names), dtype=bool), -1, counts)
    if off.size and off.max() > 0:
        t, p = np.unravel_index(int(np.argmax(off)), off.shape)
        summary += (
            f"; most confused: true {names[t]} predicted as {names[p]}, "
            f"{count(counts[t, p], 'image')}"
        )
    else:
        summary += "; no class is confused with another"
    if picked is not None:
        t, p = picked
        summary += (
            f"; picked: true {names[t]}, predicted {names[p]}, {count(counts[t, p], 'image')}"
        )
    cells = shares if normalized else counts.astype(int)
    table = [
        {"true class": name, **{f"predicted {q}": cells[i, j] for j, q in enumerate(names)}}
        for i, name in enumerate(names)
    ]
    return summary, table


def per_class_metrics_figure(metrics: Any) -> go.Figure:
    """Precision, recall and F1 of every class as grouped bars (support on hover).

    Args:
        metrics: a `cnnviz.metrics.ClassificationMetrics`.
    """
    names = [as_text(n) for n in metrics.class_names]
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
    layout = class_bars_layout(
        f"Per-class scores, accuracy {metrics.accuracy:.1%}", 420, value="score"
    )
    return with_text(make_figure(traces, layout), *_scores_text(metrics))


def _scores_text(metrics: Any) -> tuple[str, list[dict]]:
    names = list(metrics.class_names)
    summary = f"Accuracy {percent(metrics.accuracy)} over {count(len(names), 'class', 'classes')}"
    ends = extremes(metrics.f1)
    if ends is not None:
        low, high = ends
        summary += (
            f"; F1 is highest for {names[high]} ({number(metrics.f1[high])}) and lowest for "
            f"{names[low]} ({number(metrics.f1[low])})"
        )
    table = [
        {
            "class": name,
            "precision": metrics.precision[i],
            "recall": metrics.recall[i],
            "F1": metrics.f1[i],
            "test images": metrics.support[i],
        }
        for i, name in enumerate(names)
    ]
    return summary, table
