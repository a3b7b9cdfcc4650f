"""Test images and the model's answers: the mistakes, and the images of one confusion-matrix
cell beside their Grad-CAM. Right and wrong are told by a mark (✓/✗) and in words, not by
colour alone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.figures.alt import count, percent, plain, with_text
from cnnviz.figures.base import as_text, base_layout, hidden_axis, make_figure, note, picture_trace
from cnnviz.figures.colors import PREDICTED_COLOR, TEXT_COLOR, WRONG_COLOR
from cnnviz.figures.predictions import HEAT_SCALE

__all__ = ["RIGHT_MARK", "WRONG_MARK", "cell_images_figure", "mistakes_figure"]

RIGHT_MARK, WRONG_MARK = "✓", "✗"  # beside every answer coloured right or wrong


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
        Image traces named "mistake <index>", each marked ✗ at its top right; hovering
        one lists its top classes.
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
            note(
                WRONG_MARK,
                x + size + 4,
                y,
                size=18,
                color=WRONG_COLOR,
                xanchor="left",
                yanchor="top",
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
    return with_text(make_figure(traces, layout), *_mistakes_text(mistakes, shown))


def _mistakes_text(mistakes: Sequence[Any], shown: list[Any]) -> tuple[str, list[dict]]:
    if not shown:
        return "No mistakes here: every image was classified correctly", []
    first = shown[0]
    summary = count(len(mistakes), "mistake")
    if len(shown) < len(mistakes):
        summary += f", the first {len(shown)} drawn"
    summary += (
        f"; the first: test image {first.index}, true {first.true_name}, predicted "
        f"{first.predicted_name} ({percent(first.confidence)})"
    )
    table = [
        {
            "test image": m.index,
            "true class": m.true_name,
            "predicted class": m.predicted_name,
            "confidence": m.confidence,
        }
        for m in shown
    ]
    return summary, table


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
        when wrong, and marked "✓ right" or "✗ wrong" at the end of its line; the true
        class in bold.
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
        mark = f"{RIGHT_MARK} right" if item.correct else f"{WRONG_MARK} wrong"
        notes.append(
            note(
                mark,
                x + 2 * CELL_SIZE + CELL_GAP,
                below + 24,
                size=15,
                color=PREDICTED_COLOR if item.correct else WRONG_COLOR,
                xanchor="right",
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
    return with_text(make_figure(traces, layout), *_cell_text(images, plain(title)))


def _cell_text(images: Sequence[Any], title: str) -> tuple[str, list[dict]]:
    lead = f"{title}: " if title else ""
    if not len(images):
        return f"{lead}no test images in this cell", []
    right = sum(1 for item in images if item.correct)
    summary = (
        f"{lead}{count(len(images), 'test image')}, {right:,} answered right and "
        f"{len(images) - right:,} wrong"
    )
    table = [
        {
            "test image": item.index,
            "true class": item.true_name,
            "answer": item.top[0].name if item.top else item.predicted_name,
            "probability": item.top[0].probability if item.top else item.confidence,
            "right": "yes" if item.correct else "no",
        }
        for item in images
    ]
    return summary, table


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
