"""One image's answer: the model's top classes, and where it looked (Grad-CAM)."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.figures.alt import number, percent, plain, with_text
from cnnviz.figures.base import (
    as_text,
    base_layout,
    hidden_axis,
    make_figure,
    paper_text,
    picture_trace,
)
from cnnviz.figures.colors import GRID_COLOR, OTHER_COLOR, PREDICTED_COLOR, TEXT_COLOR
from cnnviz.figures.pixels import fit_within, heat_overlay

__all__ = ["gradcam_overlay", "gradcam_picture", "prediction_bars"]

HEAT_SCALE = "Jet"  # Grad-CAM's usual colours: blue (ignored) to red (looked at)
ANSWER_MARK = "◀ answer"  # beside the answer's bar or name: not told by its colour alone
REGIONS = (("top", "middle", "bottom"), ("left", "centre", "right"))


def gradcam_overlay(
    image: Any, heatmap: Any, *, title: str = "Grad-CAM", opacity: float = 0.45
) -> go.Figure:
    """The image and, beside it, the image under its Grad-CAM heatmap.

    Args:
        image: the model's input, shape (H, W, C), floats in [0, 1] or uint8.
        heatmap: ndarray of shape (H, W), values in [0, 1] (`gradcam.grad_cam`).
        title: the figure title (say which class and layer).
        opacity: how strongly the heatmap covers the image.

    Returns:
        Panel 1: the image (trace "image"); panel 2: the image (trace "image
        under heatmap") and the heatmap (trace "Grad-CAM", with a colour bar).
    """
    heat = np.asarray(heatmap, dtype=float)
    h, w = heat.shape
    size = float(max(h, w))
    traces = [
        picture_trace(image, x=-0.5, y=-0.5, size=size, name="image"),
        picture_trace(image, x=-0.5, y=-0.5, size=size, name="image under heatmap", panel=2),
        {
            "type": "heatmap",
            "z": heat,
            "colorscale": HEAT_SCALE,
            "zmin": 0,
            "zmax": 1,
            "opacity": opacity,
            "name": "Grad-CAM",
            "xaxis": "x2",
            "yaxis": "y2",
            "hovertemplate": "row %{y}, column %{x}: %{z:.2f}<extra></extra>",
            "colorbar": {
                "title": {"text": "attention"},
                "tickvals": [0, 0.5, 1],
                "ticktext": ["0 (ignored)", "0.5", "1 (most)"],
            },
        },
    ]
    layout = base_layout(title, 300, margin={"l": 10, "r": 10, "t": 60, "b": 10})
    for suffix, domain in (("", [0, 0.44]), ("2", [0.5, 0.94])):
        layout[f"xaxis{suffix}"] = hidden_axis(
            range=[-0.5, w - 0.5], domain=domain, constrain="domain"
        )
        layout[f"yaxis{suffix}"] = hidden_axis(  # the pictures sit under their titles
            range=[h - 0.5, -0.5],
            scaleanchor=f"x{suffix}",
            constrain="domain",
            constraintoward="top",
        )
    layout["annotations"] = [
        paper_text("image", 0.22, 1.0, size=16, yanchor="bottom"),
        paper_text("where the model looked", 0.72, 1.0, size=16, yanchor="bottom"),
    ]
    return with_text(make_figure(traces, layout), *_heatmap_text(heat, plain(title)))


def gradcam_picture(
    image: Any, heatmap: Any, *, title: str = "Grad-CAM", max_side: int | None = None
) -> tuple[np.ndarray, str]:
    """The image under its Grad-CAM heatmap as one picture, and its text: what a live
    camera shows a few times a second (a picture swaps faster than a figure redraws).

    Args:
        image: the model's input, shape (H, W, C), floats in [0, 1] or uint8.
        heatmap: ndarray of shape (H, W), values in [0, 1] (`gradcam.grad_cam`).
        title: what it shows (the class), for its text.
        max_side: the picture's longer side at most (None: the image's own size).

    Returns:
        (uint8 ndarray of shape (h, w, 3), one sentence saying where the heatmap is
        strongest: the picture's alternative text).
    """
    if max_side is not None:
        image, heatmap = fit_within(image, max_side), fit_within(heatmap, max_side)
    heat = np.asarray(heatmap, dtype=float)
    return heat_overlay(image, heat), _heatmap_text(heat, plain(title))[0]


def _heatmap_text(heat: np.ndarray, title: str) -> tuple[str, list[dict]]:
    """Where a heatmap is strongest, in words: the image cut in 3x3 regions (top left ...
    bottom right), each region's mean and highest value."""
    table = []
    for rows, vertical in zip(np.array_split(np.arange(heat.shape[0]), 3), REGIONS[0]):
        for cols, horizontal in zip(np.array_split(np.arange(heat.shape[1]), 3), REGIONS[1]):
            if rows.size and cols.size:
                part = heat[np.ix_(rows, cols)]
                region = f"{vertical} {horizontal}".replace("middle centre", "centre")
                table.append(
                    {"region": region, "mean": float(part.mean()), "highest": float(part.max())}
                )
    if not table or not np.isfinite(heat).any():
        return f"{title}: no heatmap", table
    strongest = max(table, key=lambda row: row["mean"])
    row, col = np.unravel_index(int(np.nanargmax(heat)), heat.shape)
    summary = (
        f"{title}: the heatmap is strongest in the {strongest['region']} of the image "
        f"(mean {number(strongest['mean'])}); its peak, {number(heat[row, col])}, is at row "
        f"{row}, column {col}"
    )
    return summary, table


def prediction_bars(prediction: Any) -> go.Figure:
    """The model's answer for one image: its top classes as horizontal bars.

    A one-unit sigmoid head also gets a dashed line at the 0.5 threshold.

    Args:
        prediction: a `cnnviz.predict.Prediction` (top, name, probability, binary).
    """
    top = list(prediction.top)
    names = [as_text(s.name) for s in top][::-1]  # most probable at the top
    values = [s.probability for s in top][::-1]
    answers = [s.index == prediction.label for s in top][::-1]
    colors = [PREDICTED_COLOR if answer else OTHER_COLOR for answer in answers]
    trace = {
        "type": "bar",
        "orientation": "h",
        "x": values,
        "y": names,
        "marker": {"color": colors},
        "name": "probability",
        "text": [f"{v:.1%}" + (f" {ANSWER_MARK}" if a else "") for v, a in zip(values, answers)],
        "textposition": "outside",
        "cliponaxis": False,
        "textfont": {"size": 16},
        "hovertemplate": "%{y}: %{x:.2%}<extra></extra>",
    }
    layout = base_layout(
        f"Top {len(top)} classes",  # the page states the answer itself, above the bars
        130 + 46 * len(top),
        margin={"l": 10, "r": 140, "t": 60, "b": 50},
    )
    layout["xaxis"] = {
        "title": {"text": "probability"},
        "range": [0, 1.0],
        "tickformat": ".0%",
        "gridcolor": GRID_COLOR,
    }
    layout["yaxis"] = {"type": "category", "automargin": True, "tickfont": {"size": 16}}
    if prediction.binary:
        layout["shapes"] = [
            {
                "type": "line",
                "x0": 0.5,
                "x1": 0.5,
                "y0": 0,
                "y1": 1,
                "xref": "x",
                "yref": "paper",
                "name": "threshold",
                "line": {"dash": "dash", "color": TEXT_COLOR, "width": 2},
            }
        ]
        layout["annotations"] = [
            {
                "text": "threshold 0.5",
                "x": 0.5,
                "y": 1.0,
                "xref": "x",
                "yref": "paper",
                "showarrow": False,
                "yanchor": "bottom",
                "font": {"size": 13},
            }
        ]
    return with_text(make_figure([trace], layout), *_bars_text(prediction))


def _positive_class(prediction: Any) -> str:
    """The class a one-unit sigmoid head answers at or above the threshold (class 1)."""
    return next((s.name for s in prediction.top if s.index == 1), "class 1")


def _bars_text(prediction: Any) -> tuple[str, list[dict]]:
    top = list(prediction.top)
    answer = next((s for s in top if s.index == prediction.label), None)
    p = answer.probability if answer else float(np.asarray(prediction.probabilities).max())
    summary = f"The model answers {prediction.name} with {percent(p)} probability"
    others = [f"{s.name} {percent(s.probability)}" for s in top if s is not answer]
    if others:
        summary += "; then " + ", ".join(others)
    if prediction.binary:
        summary += f" (one sigmoid output: {_positive_class(prediction)} at 0.5 or more)"
    table = [
        {"rank": rank, "class": s.name, "probability": s.probability, "answer": s is answer}
        for rank, s in enumerate(top, start=1)
    ]
    return summary, table
