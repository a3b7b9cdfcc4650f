"""One layer in detail (the Inspect page's layer maps), and a convolution's filters."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.figures.alt import count as counted
from cnnviz.figures.alt import extremes, layer_text, number, with_text
from cnnviz.figures.base import (
    base_layout,
    hidden_axis,
    make_figure,
    note,
    picture_trace,
    shape_label,
)
from cnnviz.figures.colors import DIVERGING, GRID_COLOR, NEGATIVE_COLOR, POSITIVE_COLOR
from cnnviz.figures.pixels import filter_images, normalize_channels, symmetric_range, tile_maps
from cnnviz.images import tile

__all__ = ["filters_figure", "layer_maps"]

MAP_SCALE = "Viridis"  # the lab's colour map for normalised feature maps


def layer_maps(
    activation: Any, *, max_channels: int = 64, columns: int | None = None, max_side: int = 96
) -> go.Figure:
    """One layer's output in detail, as the lab shows it.

    Feature maps (h, w, c): every channel normalised on its own (`normalize_channels`:
    mean at mid-scale, two standard deviations either side), tiled in a grid on the
    lab's viridis scale; hovering a pixel gives its channel and raw value. A flat
    output (units,): one bar per unit, positive blue, negative red.

    Args:
        activation: a LayerActivation (name, type, output).
        max_channels: at most this many channels (the first ones); the title says so.
        columns: maps per row (default close to square).
        max_side: larger maps are shown subsampled to about this many pixels a side.
    """
    values = np.asarray(activation.output, dtype=float)
    title = f"{activation.name} ({activation.type}), output {shape_label(values.shape)}"
    if values.ndim == 1:
        return with_text(_unit_bars(values, title), *layer_text(activation))
    h, w, total = values.shape
    count = min(total, max_channels)
    step = max(1, -(-max(h, w) // max_side))
    raw = values[::step, ::step, :count]
    shown = normalize_channels(raw).astype(float)
    grid = tile_maps(shown, columns=columns, gap=1)
    channel = tile_maps(
        np.broadcast_to(np.arange(count, dtype=float), raw.shape), columns=columns, gap=1
    )
    custom = np.stack([tile_maps(raw, columns=columns, gap=1), channel], axis=-1)
    notes = []
    if count < total:
        title += f": first {count} of {total} channels"
    if step > 1:
        title += f", every {step}th pixel"
    trace = {
        "type": "heatmap",
        "z": grid,
        "customdata": custom,
        "colorscale": MAP_SCALE,
        "zmin": 0,
        "zmax": 255,
        "name": activation.name,
        "hovertemplate": "channel %{customdata[1]}: %{customdata[0]:.4g}<extra></extra>",
        "colorbar": {
            "title": {"text": "per channel"},
            "tickvals": [0, 128, 255],
            "ticktext": ["mean − 2σ", "mean", "mean + 2σ"],
        },
    }
    rows_px = grid.shape[0] / grid.shape[1] * 900
    layout = base_layout(
        title,
        int(min(max(rows_px, 260), 1100)) + 70,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        annotations=notes,
    )
    layout["xaxis"] = hidden_axis(constrain="domain")
    layout["yaxis"] = hidden_axis(autorange="reversed", scaleanchor="x")
    text = layer_text(activation, shown=count)
    if step > 1:
        text = text._replace(summary=text.summary + f" (drawn: every {step}th pixel)")
    return with_text(make_figure([trace], layout), *text)


def _unit_bars(values: np.ndarray, title: str) -> go.Figure:
    colors = np.where(values >= 0, POSITIVE_COLOR, NEGATIVE_COLOR).tolist()
    trace = {
        "type": "bar",
        "x": list(range(len(values))),
        "y": values.tolist(),
        "marker": {"color": colors},
        "name": "units",
        "hovertemplate": "unit %{x}: %{y:.4g}<extra></extra>",
    }
    layout = base_layout(title, 360, margin={"l": 60, "r": 10, "t": 60, "b": 50})
    layout["xaxis"] = {"title": {"text": "unit"}}
    layout["yaxis"] = {
        "title": {"text": "activation"},
        "gridcolor": GRID_COLOR,
        "zerolinecolor": "#888888",
    }
    return make_figure([trace], layout)


def filters_figure(
    kernel: Any, *, layer_name: str = "", max_filters: int = 16, max_inputs: int = 8
) -> go.Figure:
    """The filters (kernels) of one convolution as small pictures.

    A kernel reading 3 colour channels (a first layer on colour images) is drawn in
    colour, one picture per filter, all filters scaled together to [0, 1]. Any other
    kernel is drawn as a grid, a row per filter and a column per input channel, on a
    red-white-blue scale symmetric around 0 (white); hover shows each weight.

    Args:
        kernel: ndarray of shape (kh, kw, in_channels, filters) (`features.filters`).
        layer_name: named in the title.
        max_filters, max_inputs: at most this many filters (rows) and input channels
            (columns); the title says when some are left out.
    """
    kernel = np.asarray(kernel, dtype=float)
    kh, kw, inputs, total = kernel.shape
    count = min(total, max_filters)
    name = f"{layer_name} " if layer_name else ""
    title = f"Filters of {name}({kh}×{kw}, {inputs} input channels, {total} filters)"
    if count < total:
        title += f": first {count}"
    text = _filters_text(kernel, layer_name, count)
    if inputs == 3:
        return with_text(_colour_filters(kernel[..., :count], title), *text)
    used = min(inputs, max_inputs)
    # a row per filter, a column per input channel
    kernels = np.transpose(kernel[:, :, :used, :count], (3, 2, 0, 1)).reshape(-1, kh, kw)
    grid = tile(kernels, columns=used, gap=1, fill=np.nan)
    if used < inputs:
        title += f", input channels 0–{used - 1} of {inputs}"
    limit = symmetric_range(kernel[..., :count])
    trace = {
        "type": "heatmap",
        "z": grid,
        "colorscale": DIVERGING,
        "zmin": -limit,
        "zmax": limit,
        "xgap": 0,
        "ygap": 0,
        "name": "weights",
        "hovertemplate": "weight %{z:.4g}<extra></extra>",
        "colorbar": {"title": {"text": "weight"}},
    }
    ticks = {"showgrid": False, "zeroline": False, "ticks": "", "fixedrange": True}
    layout = base_layout(
        title, min(90 + count * 46, 900), margin={"l": 70, "r": 10, "t": 60, "b": 60}
    )
    layout["xaxis"] = {
        **ticks,
        "title": {"text": "input channel"},
        "constrain": "domain",
        "tickvals": [c * (kw + 1) + (kw - 1) / 2 for c in range(used)],
        "ticktext": [str(c) for c in range(used)],
    }
    layout["yaxis"] = {
        **ticks,
        "title": {"text": "filter"},
        "autorange": "reversed",
        "scaleanchor": "x",
        "tickvals": [f * (kh + 1) + (kh - 1) / 2 for f in range(count)],
        "ticktext": [str(f) for f in range(count)],
    }
    return with_text(make_figure([trace], layout), *text)


def _filters_text(kernel: np.ndarray, layer_name: str, shown: int) -> tuple[str, list[dict]]:
    """Each filter's weights: lowest, highest, mean and size (L2 norm)."""
    kh, kw, inputs, total = kernel.shape
    flat = kernel.reshape(-1, total)
    norms = np.sqrt((flat**2).sum(axis=0))
    summary = (
        f"{counted(total, 'filter')} of {kh}×{kw} over {counted(inputs, 'input channel')}"
        + (f" in {layer_name}" if layer_name else "")
        + (f" ({shown} drawn)" if shown < total else "")
        + f", weights from {number(np.nanmin(kernel))} to {number(np.nanmax(kernel))}"
    )
    ends = extremes(norms)
    if ends is not None:
        summary += f"; filter {ends[1]} has the largest weights (norm {number(norms[ends[1]])})"
    table = [
        {
            "filter": f,
            "lowest": flat[:, f].min(),
            "highest": flat[:, f].max(),
            "mean": flat[:, f].mean(),
            "norm": norms[f],
        }
        for f in range(total)
    ]
    return summary, table


def _colour_filters(kernel: np.ndarray, title: str) -> go.Figure:
    pictures = filter_images(kernel)  # (count, kh, kw, 3) in [0, 1]
    columns = min(len(pictures), 8)
    size, pitch = 84, 100
    traces, notes = [], []
    for index, picture in enumerate(pictures):
        row, col = divmod(index, columns)
        traces.append(
            picture_trace(
                picture, x=col * pitch, y=row * (pitch + 16), size=size, name=f"filter {index}"
            )
        )
        notes.append(
            note(f"filter {index}", col * pitch + size / 2, row * (pitch + 16) + size + 10, size=12)
        )
    rows = -(-len(pictures) // columns)
    height = rows * (pitch + 16)
    layout = base_layout(
        title + " in colour",
        height + 90,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        annotations=notes,
    )
    layout["xaxis"] = hidden_axis(range=[-6, columns * pitch])
    layout["yaxis"] = hidden_axis(range=[height, -6], scaleanchor="x")
    return make_figure(traces, layout)
