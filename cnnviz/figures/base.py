"""Shared pieces of the plotly figures: a fast figure constructor, pictures drawn as
image traces, notes in axis units, hidden axes and the common layout."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.figures.colors import FONT_FAMILY, GRID_COLOR, TEXT_COLOR
from cnnviz.figures.pixels import rgb_pixels
from cnnviz.images import enlarge, png_bytes


def make_figure(traces: Sequence[dict], layout: dict) -> go.Figure:
    """A figure from plain trace and layout dicts, without per-property validation.

    The layout gets the empty template "none" unless it names one: copying plotly's
    default template costs more than drawing the figure (Streamlit applies its own theme).
    Every text the builder left uncoloured (title, axes, legend, notes, colour bars, a
    parallel-coordinates plot's axes) is written in TEXT_COLOR, so Streamlit's theme
    cannot draw it in a grey below WCAG AA.
    """
    layout = _dark_text({"template": "none", **layout})
    traces = [_dark_bars(trace) for trace in traces]
    return go.Figure(data=traces, layout=layout, _validate=False)


def _coloured(part: Any, key: str = "font") -> Any:
    """A copy of a layout part (a dict, or a title's text) whose `key` font has a colour."""
    if isinstance(part, str):
        part = {"text": part}
    if not isinstance(part, dict):
        return part
    return {**part, key: {"color": TEXT_COLOR, **part.get(key, {})}}


def _dark_text(layout: dict) -> dict:
    for key, part in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(part, dict):
            axis = _coloured(part, "tickfont")
            if "title" in axis:
                axis["title"] = _coloured(axis["title"])
            layout[key] = axis
    for key in ("title", "legend"):
        if key in layout:
            layout[key] = _coloured(layout[key])
    if "annotations" in layout:
        layout["annotations"] = [_coloured(note) for note in layout["annotations"]]
    return layout


def _bar(bar: dict) -> dict:
    bar = _coloured(bar, "tickfont")
    return {**bar, "title": _coloured(bar.get("title", {}))}


def _dark_bars(trace: dict) -> dict:
    """The trace with its colour bar's ticks and title coloured (a bar of its own, its
    markers' or its lines'), and a parallel-coordinates plot's axis names, ticks and range
    ends."""
    if isinstance(trace.get("colorbar"), dict):
        trace = {**trace, "colorbar": _bar(trace["colorbar"])}
    for part in ("marker", "line"):
        owner = trace.get(part)
        if isinstance(owner, dict) and isinstance(owner.get("colorbar"), dict):
            trace = {**trace, part: {**owner, "colorbar": _bar(owner["colorbar"])}}
    if trace.get("type") == "parcoords":
        for key in ("labelfont", "tickfont", "rangefont"):
            trace = {**trace, key: {"color": TEXT_COLOR, **trace.get(key, {})}}
    return trace


def as_text(value: Any) -> str:
    """A name a user typed or uploaded (a class, a model), as plotly shows it: literally.

    Plotly reads a few HTML tags in any text it draws (<b>, <br>, <a href=...>); as
    entities they show as typed, like every other text of the app.
    """
    return html.escape(str(value), quote=False)


def axis_suffix(panel: int) -> str:
    """The axis name suffix of a panel: "" for the first, "2" for the second..."""
    return "" if panel == 1 else str(panel)


def paper_text(text: str, x: float, y: float, *, size: int, **extra: Any) -> dict:
    """A text annotation placed in figure (paper) coordinates, e.g. a panel's title."""
    return {
        "text": text,
        "x": x,
        "y": y,
        "xref": "paper",
        "yref": "paper",
        "showarrow": False,
        "font": {"size": size},
        **extra,
    }


def png_uri(pixels: np.ndarray) -> str:
    """uint8 pixels (h, w, 3) as a PNG data URI (compact, unlike a plotly `z` array)."""
    data = png_bytes(pixels, compress_level=1)
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def picture_trace(
    pixels: Any, *, x: float, y: float, size: float, name: str, panel: int = 1
) -> dict:
    """An image trace drawing a picture with its top-left corner at (x, y) and its
    longer side `size` units long (y grows downwards: use a reversed y axis).

    Small pictures are enlarged (nearest neighbour) first, so browsers do not blur
    a 4x4 feature map drawn 44 pixels wide.

    Args:
        pixels: uint8 or [0, 1] float pixels of shape (h, w), (h, w, 1) or (h, w, 3).
        x, y: the top-left corner in axis units.
        size: the longer side in axis units.
        name: shown on hover.
        panel: which x/y axes pair it uses.
    """
    rgb = enlarge(rgb_pixels(pixels), side=size)
    step = size / max(rgb.shape[:2])
    return {
        "type": "image",
        "source": png_uri(rgb),
        "x0": x + step / 2,
        "y0": y + step / 2,
        "dx": step,
        "dy": step,
        "name": name,
        "hovertemplate": f"{name}<extra></extra>",
        "xaxis": f"x{axis_suffix(panel)}",
        "yaxis": f"y{axis_suffix(panel)}",
    }


def note(
    text: str,
    x: float,
    y: float,
    *,
    size: int = 13,
    color: str = TEXT_COLOR,
    xanchor: str = "center",
    yanchor: str = "middle",
    panel: int = 1,
) -> dict:
    """A text annotation placed in axis units (of `panel`'s axes)."""
    return {
        "text": text,
        "x": x,
        "y": y,
        "xref": f"x{axis_suffix(panel)}",
        "yref": f"y{axis_suffix(panel)}",
        "showarrow": False,
        "xanchor": xanchor,
        "yanchor": yanchor,
        "font": {"size": size, "color": color},
    }


def hidden_axis(**extra: Any) -> dict:
    return {"visible": False, "showgrid": False, "zeroline": False, "fixedrange": True, **extra}


def base_layout(title: str, height: int, **extra: Any) -> dict:
    return {
        "title": {"text": title, "font": {"size": 20}, "x": 0.01},
        "height": height,
        "font": {"family": FONT_FAMILY, "size": 15, "color": TEXT_COLOR},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "showlegend": False,
        **extra,
    }


def class_bars_layout(title: str, height: int, *, value: str) -> dict:
    """The layout of bars grouped by class (a legend on top, a 0-100 % axis named
    `value`): per-class scores, and each run's accuracy on each class."""
    layout = base_layout(
        title,
        height,
        margin={"l": 60, "r": 10, "t": 70, "b": 60},
        barmode="group",
        showlegend=True,
        legend={"orientation": "h", "x": 0, "y": 1.12},
    )
    layout["xaxis"] = {"type": "category", "title": {"text": "class"}, "automargin": True}
    layout["yaxis"] = {
        "title": {"text": value},
        "range": [0, 1.05],
        "tickformat": ".0%",
        "gridcolor": GRID_COLOR,
    }
    return layout


def shape_label(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ")"
