"""One activation traced: a feature map whose pixels a click can pick, the arithmetic
of the picked value (window x kernel = products, their sum, the bias, the activation),
and its receptive field on the input image."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.figures.alt import count, extremes, number, plain, with_text
from cnnviz.figures.base import base_layout, hidden_axis, make_figure, note, picture_trace
from cnnviz.figures.colors import DIVERGING_TEXT, HIGHLIGHT_COLOR, PAD_COLOR, TEXT_COLOR
from cnnviz.figures.maps import MAP_SCALE
from cnnviz.figures.pixels import symmetric_range

__all__ = ["clickable_map", "receptive_field_figure", "trace_figure"]

MAP_SIDE = 420  # the clickable map's plot area, pixels a side
MAX_POINTS_SIDE = 64  # larger maps get a clickable point on every few pixels only
CELL = 66  # one number's cell in the arithmetic, pixels (3x3 kernels; larger get less)
OPERATOR = 44  # the room of a ×, = or + between two grids


def clickable_map(values: Any, *, title: str, picked: tuple[int, int] | None = None) -> go.Figure:
    """One feature map, drawn large, with an invisible point on every pixel to click
    (on every k-th pixel of a map more than MAX_POINTS_SIDE pixels a side, so the
    browser keeps up: a click then picks the nearest of those).

    Args:
        values: ndarray of shape (h, w), one channel of a layer's output.
        title: the figure's title (say which layer and channel).
        picked: (row, col) of the pixel to outline, if any.

    Returns:
        Trace 0: the heatmap (hover skipped); trace 1: a scatter named "pixels" with
        one transparent square per pixel in row-major order, customdata [row, col]
        and the raw value on hover. Clicks go to the nearest pixel.
    """
    values = np.asarray(values, dtype=float)
    h, w = values.shape
    step = -(-max(h, w) // MAX_POINTS_SIDE)
    rows, cols = (a.ravel() for a in np.mgrid[0:h:step, 0:w:step])
    cell = MAP_SIDE / max(h, w)
    heat = {
        "type": "heatmap",
        "z": values,
        "colorscale": MAP_SCALE,
        "name": "map",
        "hoverinfo": "skip",
        "colorbar": {"title": {"text": "value"}},
    }
    pixels = {
        "type": "scatter",
        "mode": "markers",
        "x": cols.tolist(),
        "y": rows.tolist(),
        "customdata": np.stack([rows, cols], axis=1).tolist(),
        "marker": {"symbol": "square", "size": cell * step * 0.95, "color": "rgba(0,0,0,0)"},
        "selected": {"marker": {"opacity": 0}},
        "unselected": {"marker": {"opacity": 0}},
        "name": "pixels",
        "text": [f"{v:.4g}" for v in values[rows, cols]],
        "hovertemplate": "row %{y}, column %{x}: %{text}<br>click to see how<extra></extra>",
    }
    margin = {"l": 50, "r": 10, "t": 60, "b": 40}
    layout = base_layout(
        title,
        int(h * cell) + margin["t"] + margin["b"],
        width=int(w * cell) + margin["l"] + margin["r"] + 100,
        margin=margin,
        clickmode="event+select",
        dragmode=False,
        hovermode="closest",
        hoverdistance=-1,  # a click anywhere picks the nearest pixel
    )
    axis = {"fixedrange": True, "showgrid": False, "zeroline": False, "tickfont": {"size": 13}}
    layout["xaxis"] = {**axis, "range": [-0.5, w - 0.5], "title": {"text": "column"}}
    layout["yaxis"] = {**axis, "range": [h - 0.5, -0.5], "title": {"text": "row"}}
    if picked is not None:
        r, c = picked
        layout["shapes"] = [_outline(c - 0.5, r - 0.5, c + 0.5, r + 0.5, name="picked")]
    figure = make_figure([heat, pixels], layout)
    return with_text(figure, *_map_text(values, plain(title), picked, step))


def _map_text(
    values: np.ndarray, title: str, picked: tuple[int, int] | None, step: int
) -> tuple[str, list[dict]]:
    """The map's extremes (and the picked pixel) in words; its values as rows (every
    `step`-th row and column, as the clickable points)."""
    h, w = values.shape
    summary = f"{title}: {h}×{w} values"
    ends = extremes(values.ravel())
    if ends is not None:
        (r0, c0), (r1, c1) = (divmod(i, w) for i in ends)
        summary += (
            f", from {number(values[r0, c0])} (row {r0}, column {c0}) to "
            f"{number(values[r1, c1])} (row {r1}, column {c1})"
        )
    if picked is not None:
        r, c = picked
        summary += f"; picked: row {r}, column {c}, {number(values[r, c])}"
    if step > 1:
        summary += f" (table: every {step}th row and column)"
    table = [
        {"row": r, **{f"column {c}": values[r, c] for c in range(0, w, step)}}
        for r in range(0, h, step)
    ]
    return summary, table


def _outline(x0: float, y0: float, x1: float, y1: float, *, name: str) -> dict:
    return {
        "type": "rect",
        "name": name,
        "x0": x0,
        "y0": y0,
        "x1": x1,
        "y1": y1,
        "line": {"color": HIGHLIGHT_COLOR, "width": 4},
    }


def _number(value: float) -> str:
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"


def _total(value: float) -> str:
    return f"{value:.4f}"


def _grid(values: np.ndarray, x: float, y: float, name: str, limit: float) -> dict:
    """A heatmap of numbers written in their cells, top-left corner at (x, y)."""
    return {
        "type": "heatmap",
        "z": values,
        "x0": x + 0.5,
        "dx": 1,
        "y0": y + 0.5,
        "dy": 1,
        "xgap": 2,
        "ygap": 2,
        "colorscale": DIVERGING_TEXT,  # light enough for dark numbers on every cell (AA)
        "zmin": -limit,
        "zmax": limit,
        "showscale": False,
        "text": [[_number(v) for v in row] for row in values],
        "texttemplate": "%{text}",
        "textfont": {
            "size": {1: 17, 2: 17, 3: 17, 4: 14, 5: 13}.get(values.shape[1], 11),
            "color": TEXT_COLOR,
        },
        "name": name,
        "hovertemplate": f"{name}: %{{text}}<extra></extra>",
    }


def trace_figure(trace: Any, *, max_channels: int = 3) -> go.Figure:
    """The arithmetic of one traced value, as a teacher would write it on the board.

    For each input channel shown (all of them up to `max_channels`, else the ones that
    add most): the input window, ×, the kernel, =, the products, and their sum. Then
    the sum of every channel, + the bias, the value before the activation, and after
    it beside Keras's own value. Padding cells of the window are outlined grey.

    Args:
        trace: a `cnnviz.trace.Trace`.
        max_channels: at most this many input channels written out.

    Returns:
        Heatmap traces named "window <c>", "kernel <c>" and "products <c>" for each
        input channel c shown; the totals as annotations.
    """
    kh, kw, count = trace.kernel.shape
    cell = max(30, min(CELL, 200 // kw))  # px: a 7x7 kernel's grids still fit a page
    shown = trace.top_channels(max_channels)
    products, sums = trace.products, trace.channel_sums
    width = 3 * kw + 2 * OPERATOR / cell + 3.2
    pitch = kh + 1.3
    traces, notes, shapes = [], [], []
    for line, position in enumerate(shown):
        y = 0.9 + line * pitch
        channel = trace.input_channels[position]
        parts = [
            ("window", trace.window[..., position]),
            ("kernel", trace.kernel[..., position]),
            ("products", products[..., position]),
        ]
        for k, (label, values) in enumerate(parts):
            x = k * (kw + OPERATOR / cell)
            traces.append(_grid(values, x, y, f"{label} {channel}", symmetric_range(values)))
            notes.append(note(label, x + kw / 2, y - 0.3, size=15))
        for k, symbol in enumerate(("×", "=")):
            x = (k + 1) * kw + (k + 0.5) * OPERATOR / cell
            notes.append(note(symbol, x, y + kh / 2, size=26))
        total = 3 * kw + 2 * OPERATOR / cell + 0.2
        notes.append(
            note(
                f"input channel {channel}<br>adds <b>{_number(sums[position])}</b>",
                total,
                y + kh / 2,
                size=16,
                xanchor="left",
            )
        )
        for r, c in zip(*np.nonzero(trace.padded)):
            shapes.append(
                {
                    "type": "rect",
                    "x0": c + 0.04,
                    "x1": c + 0.96,
                    "y0": y + r + 0.04,
                    "y1": y + r + 0.96,
                    "line": {"color": PAD_COLOR, "width": 3, "dash": "dot"},
                }
            )
    bottom = 0.9 + len(shown) * pitch
    gap = 50 / cell  # one line of the totals, in cells
    lines = []
    if count > len(shown):
        rest = float(sums.sum() - sums[shown].sum())
        lines.append(f"the other {count - len(shown)} input channels add {_number(rest)}")
    summed = f"sum of all {count} channels" if count > 1 else "sum"
    pre, value = _total(trace.pre_activation), _total(trace.value)
    lines += [
        f"{summed} {_total(float(sums.sum()))} + bias {_total(trace.bias)} = <b>{pre}</b> "
        "before the activation",
        f"{trace.activation}({pre}) = <b>{value}</b>"
        f"   (Keras's own output: {_total(trace.keras_value)})",
    ]
    for k, text in enumerate(lines):
        notes.append(note(text, 0, bottom + 0.1 + gap * k, size=18, xanchor="left"))
    if trace.padded.any():
        notes.append(
            note(
                "dotted grey: zero padding",
                0,
                bottom + 0.1 + gap * len(lines),
                size=14,
                xanchor="left",
                color="#666666",
            )
        )
        lines.append("")
    height_units = bottom + 0.2 + gap * len(lines)
    title = (
        f"{trace.layer} channel {trace.channel}, row {trace.row}, column {trace.col}: "
        f"window × kernel, summed"
    )
    margin = {"l": 10, "r": 10, "t": 50, "b": 10}
    layout = base_layout(
        title,
        int(height_units * cell) + margin["t"] + margin["b"],
        width=int((width + 2.6) * cell) + margin["l"] + margin["r"],
        margin=margin,
        annotations=notes,
        shapes=shapes,
    )
    layout["xaxis"] = hidden_axis(range=[-0.1, width + 2.5])
    layout["yaxis"] = hidden_axis(range=[height_units, 0])
    return with_text(make_figure(traces, layout), *_trace_text(trace))


def _trace_text(trace: Any) -> tuple[str, list[dict]]:
    """The arithmetic in one sentence; what each input channel adds, then the totals."""
    sums = trace.channel_sums
    total = float(sums.sum())
    summary = (
        f"{trace.layer} channel {trace.channel}, row {trace.row}, column {trace.col}: the "
        f"window × kernel products of {count(len(sums), 'input channel')} sum to "
        f"{_total(total)}, plus bias {_total(trace.bias)} is {_total(trace.pre_activation)}"
        f" before the activation; {trace.activation} gives {_total(trace.value)} (Keras's own "
        f"output: {_total(trace.keras_value)})"
    )
    table = [
        {"step": f"input channel {channel} adds", "value": float(sums[k])}
        for k, channel in enumerate(trace.input_channels)
    ]
    table += [
        {"step": "sum of the products", "value": total},
        {"step": "bias", "value": float(trace.bias)},
        {"step": "before the activation", "value": float(trace.pre_activation)},
        {"step": f"after {trace.activation}", "value": float(trace.value)},
        {"step": "Keras's own output", "value": float(trace.keras_value)},
    ]
    return summary, table


def receptive_field_figure(image: Any, trace: Any) -> go.Figure:
    """The input image with the receptive field of the traced pixel outlined.

    Args:
        image: the model's input, shape (H, W, C), floats in [0, 1] or uint8.
        trace: a `cnnviz.trace.Trace` (receptive_field: top, left, bottom, right).

    Returns:
        The image trace "input" and a rectangle shape named "receptive field".
    """
    h, w = np.shape(image)[:2]
    top, left, bottom, right = trace.receptive_field
    side = 300
    layout = base_layout(
        f"Receptive field: rows {top}–{bottom}, columns {left}–{right}",
        side + 70,
        width=side + 20,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        shapes=[_outline(left - 0.5, top - 0.5, right + 0.5, bottom + 0.5, name="receptive field")],
    )
    layout["title"]["font"]["size"] = 17
    layout["xaxis"] = hidden_axis(range=[-0.5, w - 0.5])
    layout["yaxis"] = hidden_axis(range=[h - 0.5, -0.5], scaleanchor="x")
    picture = picture_trace(image, x=-0.5, y=-0.5, size=float(max(h, w)), name="input")
    summary = (
        f"The value at row {trace.row}, column {trace.col} of {trace.layer} channel "
        f"{trace.channel} sees input rows {top} to {bottom} and columns {left} to {right}: a "
        f"{bottom - top + 1}×{right - left + 1} patch of the {h}×{w} image"
    )
    table = [
        {"from row": top, "to row": bottom, "from column": left, "to column": right},
    ]
    return with_text(make_figure([picture], layout), summary, table)
