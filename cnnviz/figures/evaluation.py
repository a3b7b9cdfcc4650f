"""How well a model does on the test images: confusion matrix (clickable), per-class
scores, mistakes, and the images of one confusion cell beside their Grad-CAM."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.figures.base import as_text, base_layout, hidden_axis, make_figure, note, picture_trace
from cnnviz.figures.colors import (
    GRID_COLOR,
    HIGHLIGHT_COLOR,
    PREDICTED_COLOR,
    SEQUENTIAL,
    TEXT_COLOR,
    WRONG_COLOR,
)
from cnnviz.figures.predictions import HEAT_SCALE

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
    return make_figure([trace], layout)


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
        top = "<br>".join(f"{as_text(s.name)}: {s.probability:.1%}" for s in mistake.top)
        trace = picture_trace(mistake.image, x=x, y=y, size=size, name=f"mistake {mistake.index}")
        true = as_text(mistake.true_name)
        trace["hovertemplate"] = (
            f"test image {mistake.index}<br>true {true}<br>{top}<extra></extra>"
        )
        traces.append(trace)
        notes += [
            note(f"true <b>{true}</b>", x + size / 2, y + size + 14, size=13),
            note(
                f"→ {as_text(mistake.predicted_name)} ({mistake.confidence:.0%})",
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


CELL_SIZE, CELL_GAP = 132, 8  # one picture's side, and the gap between a picture and its CAM
CELL_PITCH_X, CELL_PITCH_Y = 2 * CELL_SIZE + CELL_GAP + 44, CELL_SIZE + 130


def cell_images_figure(
    images: Sequence[Any],
    heatmaps: Sequence[Any],
    *,
    title: str,
    columns: int = 3,
) -> go.Figure:
    """The test images of one confusion-matrix cell, each beside its Grad-CAM, with
    its number and its top classes written under it.

    Args:
        images: `cnnviz.evaluate.cell_images` output (Mistake: index, image,
            true_name, top, correct), in the order to show them.
        heatmaps: one Grad-CAM per image, ndarray of shape (H, W) in [0, 1]
            (`cnnviz.gradcam.grad_cam` of the predicted class), or None for none.
        title: the figure's title (say which cell and in what order).
        columns: images per row.

    Returns:
        Image traces "test image <index>" and "<index> under Grad-CAM", heatmap
        traces "Grad-CAM <index>"; the answer is written blue when right and orange
        when wrong, the true class in bold.
    """
    traces, notes = [], []
    for i, (item, heat) in enumerate(zip(images, heatmaps, strict=True)):
        row, col = divmod(i, columns)
        x, y = col * CELL_PITCH_X, row * CELL_PITCH_Y
        right = x + CELL_SIZE + CELL_GAP
        traces.append(
            picture_trace(item.image, x=x, y=y, size=CELL_SIZE, name=f"test image {item.index}")
        )
        if heat is not None:
            traces += _under_heatmap(item, np.asarray(heat, dtype=float), right, y)
        below = y + CELL_SIZE + 18
        notes.append(
            note(
                f"test image {item.index}, true <b>{as_text(item.true_name)}</b>",
                x,
                below,
                size=15,
                xanchor="left",
            )
        )
        for rank, score in enumerate(item.top):
            is_answer = rank == 0
            color = (PREDICTED_COLOR if item.correct else WRONG_COLOR) if is_answer else TEXT_COLOR
            name = as_text(score.name)
            name = f"<b>{name}</b>" if score.name == item.true_name else name
            notes.append(
                note(
                    f"{name}: {score.probability:.1%}",
                    x,
                    below + 24 * (rank + 1),
                    size=15,
                    color=color,
                    xanchor="left",
                )
            )
    if not images:
        notes.append(note("No test images in this cell", 300, 40, size=17))
    rows = max(1, -(-len(images) // columns))
    width = columns * CELL_PITCH_X
    top = 70 if title else 10
    layout = base_layout(
        title,
        rows * CELL_PITCH_Y + top + 10,
        margin={"l": 10, "r": 10, "t": top, "b": 10},
        annotations=notes,
    )
    layout["xaxis"] = hidden_axis(range=[-6, width])
    layout["yaxis"] = hidden_axis(range=[rows * CELL_PITCH_Y, -6], scaleanchor="x")
    return make_figure(traces, layout)


def _under_heatmap(item: Any, heat: np.ndarray, x: float, y: float) -> list[dict]:
    """The picture again at (x, y), under its Grad-CAM heatmap."""
    step = CELL_SIZE / max(heat.shape)
    picture = picture_trace(
        item.image, x=x, y=y, size=CELL_SIZE, name=f"{item.index} under Grad-CAM"
    )
    heatmap = {
        "type": "heatmap",
        "z": heat,
        "x0": x + step / 2,
        "dx": step,
        "y0": y + step / 2,
        "dy": step,
        "colorscale": HEAT_SCALE,
        "zmin": 0,
        "zmax": 1,
        "opacity": 0.45,
        "showscale": False,
        "name": f"Grad-CAM {item.index}",
        "hoverinfo": "skip",
    }
    return [picture, heatmap]
