"""Shared figure helpers: grids of numbers drawn as heatmaps with the values in the
cells, side by side in panels with square cells, and a fast figure constructor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.concepts import format_number

SEQUENTIAL = [[0.0, "#f7fbff"], [1.0, "#5b9bd0"]]  # white to mid blue: black text stays legible
DIVERGING = [[0.0, "#e07b6a"], [0.5, "#ffffff"], [1.0, "#5b9bd0"]]  # red < 0, white 0, blue > 0
PAD_COLOR = "#c9c9c9"  # zero padding, grey as in CNN Explainer
EMPTY_COLOR = "#eeeeee"  # output cells not computed yet
HIGHLIGHT_COLOR = "#e8291c"
TEXT_COLOR = "#1a1a1a"
FONT_FAMILY = "Arial, Helvetica, sans-serif"
GAP_CELLS = 1.6  # space between panels, in cells
TOP_MARGIN = 64  # room for panel titles


def make_figure(traces: Sequence[dict], layout: dict) -> go.Figure:
    """A figure from plain trace and layout dicts, without per-property validation.

    The layout gets the empty template "none" unless it names one: copying plotly's
    default template costs more than drawing the figure (Streamlit applies its own theme).
    """
    layout = {"template": "none", **layout}
    return go.Figure(data=list(traces), layout=layout, _validate=False)


def cell_text(values: Any, *, decimals: int = 2, fractions: bool = False) -> np.ndarray:
    """Each value as short text (``3``, ``-1.5``, ``1/9``); same shape; NaN gives ``""``."""
    array = np.asarray(values, dtype=float)
    text = [
        "" if np.isnan(v) else format_number(v, decimals=decimals, fractions=fractions)
        for v in array.ravel()
    ]
    return np.array(text, dtype=object).reshape(array.shape)


def _constant_scale(color: str) -> list[list[Any]]:
    return [[0.0, color], [1.0, color]]


def _suffix(panel: int) -> str:
    return "" if panel == 1 else str(panel)


def number_grid_trace(
    values: Any,
    *,
    panel: int = 1,
    text: Any = None,
    colorscale: Any = SEQUENTIAL,
    zmin: float | None = None,
    zmax: float | None = None,
    font_size: int = 18,
    name: str = "values",
    decimals: int = 2,
) -> dict:
    """A heatmap trace (as a dict) of a 2-D grid with each value written in its cell.

    Args:
        values: ndarray of shape (rows, cols); NaN cells are left undrawn.
        panel: which panel (1-based) of a `panel_layout` it goes in.
        text: strings of shape (rows, cols) to write instead of the values.
        colorscale, zmin, zmax: colour mapping (plotly conventions).
        font_size: size of the numbers.
        name: trace name (tests and hover use it).
        decimals: decimals shown when `text` is not given.
    """
    z = np.asarray(values, dtype=float)
    if text is None:
        text = cell_text(z, decimals=decimals)
    return {
        "type": "heatmap",
        "z": z,
        "text": np.asarray(text, dtype=object),
        "texttemplate": "%{text}",
        "textfont": {"size": font_size, "family": FONT_FAMILY},
        "colorscale": colorscale,
        "zmin": zmin,
        "zmax": zmax,
        "showscale": False,
        "xgap": 2,
        "ygap": 2,
        "name": name,
        "hovertemplate": "row %{y}, column %{x}: %{text}<extra>" + name + "</extra>",
        "xaxis": f"x{_suffix(panel)}",
        "yaxis": f"y{_suffix(panel)}",
    }


def cell_size(shapes: Sequence[tuple[int, int]], *, width_px: int = 1150) -> int:
    """Pixels per cell so panels of these (rows, cols) shapes fill about `width_px`."""
    total = sum(c for _, c in shapes) + GAP_CELLS * (len(shapes) - 1)
    return int(max(26, min(64, width_px / total)))


def cell_font_size(cell_px: int) -> int:
    """A legible size for numbers in cells of `cell_px` pixels."""
    return int(max(11, min(20, cell_px * 0.36)))


def panel_layout(
    shapes: Sequence[tuple[int, int]],
    titles: Sequence[str],
    *,
    operators: Sequence[str] | None = None,
    cell_px: int | None = None,
) -> dict:
    """A layout (as a dict) with grids side by side and square cells of one size.

    Args:
        shapes: (rows, cols) of each panel, left to right.
        titles: one title per panel, written above it.
        operators: symbols written between panels (``"×"``, ``"="``, ``"→"``), one
            fewer than panels; None for none.
        cell_px: cell size in pixels (sets the height); default `cell_size(shapes)`.

    Returns:
        Panel i (1-based) uses axes ``x{i}``/``y{i}``; row 0 is on top. Add
        highlights to ``layout["shapes"]`` (see `highlight_shape`).
    """
    total = sum(c for _, c in shapes) + GAP_CELLS * (len(shapes) - 1)
    if cell_px is None:
        cell_px = cell_size(shapes)
    layout: dict[str, Any] = {
        "height": max(r for r, _ in shapes) * cell_px + TOP_MARGIN + 16,
        "margin": {"l": 10, "r": 10, "t": TOP_MARGIN, "b": 10},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "font": {"family": FONT_FAMILY, "color": TEXT_COLOR, "size": 15},
        "showlegend": False,
        "annotations": [],
        "shapes": [],
    }
    start, domains = 0.0, []
    for index, ((rows, cols), title) in enumerate(zip(shapes, titles, strict=True)):
        suffix = _suffix(index + 1)
        domain = [start, min(start + cols / total, 1.0)]
        domains.append(domain)
        hidden = {"showticklabels": False, "showgrid": False, "zeroline": False, "ticks": ""}
        layout[f"xaxis{suffix}"] = {
            "domain": domain,
            "range": [-0.5, cols - 0.5],
            "side": "top",
            "title": {"text": title, "font": {"size": 20, "color": TEXT_COLOR}, "standoff": 8},
            "fixedrange": True,
            **hidden,
        }
        layout[f"yaxis{suffix}"] = {
            "anchor": f"x{suffix}",
            "domain": [0.0, 1.0],
            "range": [rows - 0.5, -0.5],
            "scaleanchor": f"x{suffix}",
            "constrain": "domain",
            "constraintoward": "top",
            "fixedrange": True,
            **hidden,
        }
        start = domain[1] + GAP_CELLS / total
    for symbol, left, right in zip(operators or (), domains, domains[1:]):
        layout["annotations"].append(paper_text(symbol, (left[1] + right[0]) / 2, 0.5, size=32))
    return layout


def paper_text(text: str, x: float, y: float, *, size: int, **extra: Any) -> dict:
    """A text annotation placed in figure (paper) coordinates, e.g. a panel's title."""
    return {"text": text, "x": x, "y": y, "xref": "paper", "yref": "paper",
            "showarrow": False, "font": {"size": size}, **extra}


def highlight_shape(
    rows: tuple[int, int],
    cols: tuple[int, int],
    *,
    panel: int = 1,
    color: str = HIGHLIGHT_COLOR,
    name: str = "highlight",
) -> dict:
    """An outline (as a shape dict) around cells rows[0]..rows[1]-1 x cols[0]..cols[1]-1."""
    suffix = _suffix(panel)
    return {
        "type": "rect",
        "xref": f"x{suffix}",
        "yref": f"y{suffix}",
        "x0": cols[0] - 0.5,
        "x1": cols[1] - 0.5,
        "y0": rows[0] - 0.5,
        "y1": rows[1] - 0.5,
        "line": {"color": color, "width": 5},
        "fillcolor": "rgba(0, 0, 0, 0)",  # outline only: a tint would read as a value colour
        "layer": "above",
        "name": name,
    }


def heatmap_with_numbers(
    values: Any,
    *,
    title: str = "",
    x_labels: Sequence[str] | None = None,
    y_labels: Sequence[str] | None = None,
    colorscale: Any = SEQUENTIAL,
    zmin: float | None = None,
    zmax: float | None = None,
    decimals: int = 2,
    font_size: int = 16,
    show_scale: bool = False,
) -> go.Figure:
    """One grid of numbers as a heatmap with the values in the cells, row 0 on top.

    Args:
        values: ndarray of shape (rows, cols).
        title: figure title.
        x_labels, y_labels: column and row labels (e.g. class names), or None for
            indices.
        colorscale, zmin, zmax: colour mapping (plotly conventions).
        decimals: decimals shown in the cells.
        font_size: size of the numbers.
        show_scale: draw a colour bar.
    """
    trace = number_grid_trace(
        values,
        colorscale=colorscale,
        zmin=zmin,
        zmax=zmax,
        font_size=font_size,
        decimals=decimals,
    )
    trace["showscale"] = show_scale
    if x_labels is not None:
        trace["x"] = list(x_labels)
    if y_labels is not None:
        trace["y"] = list(y_labels)
    axis = {"showgrid": False, "zeroline": False}
    layout = {
        "title": {"text": title},
        "plot_bgcolor": "white",
        "font": {"family": FONT_FAMILY, "color": TEXT_COLOR},
        "margin": {"l": 10, "r": 10, "t": 50 if title else 10, "b": 10},
        "xaxis": {**axis, "side": "top"},
        "yaxis": {**axis, "autorange": "reversed"},
    }
    return make_figure([trace], layout)


