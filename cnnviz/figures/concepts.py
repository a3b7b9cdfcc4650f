"""Figures of the Concepts page: convolution and pooling step by step, the image
transformer."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.concepts import ImageStages, SlidingResult, format_number
from cnnviz.figures.base import (
    DIVERGING,
    EMPTY_COLOR,
    PAD_COLOR,
    SEQUENTIAL,
    _constant_scale,
    cell_font_size,
    cell_size,
    cell_text,
    highlight_shape,
    make_figure,
    number_grid_trace,
    panel_layout,
)

# --- concepts ----------------------------------------------------------------------------------


def _symmetric(*arrays: np.ndarray) -> float:
    """The largest absolute value, so a diverging scale puts white at 0."""
    return float(max(max(np.abs(a).max(initial=0.0) for a in arrays), 1e-9))


def _value_range(array: np.ndarray) -> tuple[float, float]:
    low, high = float(array.min()), float(array.max())
    return min(low, 0.0), max(high, low + 1.0)


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


def _input_title(result: SlidingResult) -> str:
    title = f"Input {_shape_text(result.grid.shape)}"
    if result.padded.shape != result.grid.shape:
        title += f", padded to {_shape_text(result.padded.shape)}"
    return title


def _input_panel(result: SlidingResult, step_index: int, *, panel: int, font: int):
    """Traces and highlight of the padded input: padding grey, the window outlined."""
    zmin, zmax = _value_range(result.grid)
    values = np.where(result.inside, result.padded, np.nan)
    traces = [
        number_grid_trace(values, panel=panel, zmin=zmin, zmax=zmax, font_size=font, name="input")
    ]
    if not result.inside.all():
        zero = "0" if result.kernel is not None else ""  # pooling never reads padding
        traces.append(
            number_grid_trace(
                np.where(result.inside, np.nan, 0.0),
                panel=panel,
                text=np.where(result.inside, "", zero),
                font_size=font,
                colorscale=_constant_scale(PAD_COLOR),
                name="padding",
            )
        )
    step = result.step(step_index)
    return traces, highlight_shape(step.rows, step.cols, panel=panel, name="window")


def _output_panel(
    output: np.ndarray,
    step_index: int,
    *,
    panel: int,
    font: int,
    name: str,
    colorscale: Any,
    zmin: float,
    zmax: float,
):
    """Traces and highlight of an output filled up to the current step."""
    done = np.arange(output.size).reshape(output.shape) <= step_index
    traces = [
        number_grid_trace(
            np.where(done, output, np.nan),
            panel=panel,
            name=name,
            colorscale=colorscale,
            zmin=zmin,
            zmax=zmax,
            font_size=font,
        )
    ]
    if not done.all():
        traces.append(
            number_grid_trace(
                np.where(done, np.nan, 0.0),
                panel=panel,
                text=np.full(output.shape, ""),
                font_size=font,
                colorscale=_constant_scale(EMPTY_COLOR),
                name=f"{name} (to do)",
            )
        )
    row, col = divmod(step_index, output.shape[1])
    return traces, highlight_shape((row, row + 1), (col, col + 1), panel=panel, name=f"{name} cell")


def convolution_figure(result: SlidingResult, step_index: int) -> go.Figure:
    """The padded input with the kernel's window outlined, and the output so far.

    Args:
        result: a convolution from `concepts.convolve`.
        step_index: 0-based output cell being computed; cells after it are empty.

    Returns:
        Two panels: the input (traces ``input``, ``padding``; shape ``window``) and
        the output (traces ``output``, ``output (to do)``; shape ``output cell``).
    """
    shapes = [result.padded.shape, result.output.shape]
    titles = [_input_title(result), f"Output {_shape_text(result.output.shape)}"]
    cell = cell_size(shapes)
    font = cell_font_size(cell)
    layout = panel_layout(shapes, titles, operators=["→"], cell_px=cell)
    inputs, window = _input_panel(result, step_index, panel=1, font=font)
    limit = _symmetric(result.output)
    outputs, current = _output_panel(
        result.output,
        step_index,
        panel=2,
        font=font,
        name="output",
        colorscale=DIVERGING,
        zmin=-limit,
        zmax=limit,
    )
    layout["shapes"] = [window, current]
    return make_figure(inputs + outputs, layout)


def arithmetic_figure(result: SlidingResult, step_index: int) -> go.Figure:
    """One convolution step: input window × kernel = products, whose sum is the output.

    Args:
        result: a convolution from `concepts.convolve`.
        step_index: 0-based output cell.

    Returns:
        Three panels of shape (k_rows, k_cols): the input under the window (traces
        ``window``, ``window padding``), the ``kernel`` and the ``products``, the last
        titled with their sum.
    """
    step = result.step(step_index)
    shapes = [result.window_shape] * 3
    titles = ["Input window", "Kernel", f"Products: sum = {format_number(step.value)}"]
    cell = cell_size(shapes, width_px=760)
    font = cell_font_size(cell)
    zmin, zmax = _value_range(result.grid)
    traces = [
        number_grid_trace(
            np.where(step.inside, step.window, np.nan),
            panel=1,
            zmin=zmin,
            zmax=zmax,
            font_size=font,
            name="window",
        )
    ]
    if not step.inside.all():
        traces.append(
            number_grid_trace(
                np.where(step.inside, np.nan, 0.0),
                panel=1,
                text=np.where(step.inside, "", "0"),
                font_size=font,
                colorscale=_constant_scale(PAD_COLOR),
                name="window padding",
            )
        )
    kernel_limit, product_limit = _symmetric(result.kernel), _symmetric(step.products)
    traces += [
        number_grid_trace(
            result.kernel,
            panel=2,
            text=cell_text(result.kernel, fractions=True),
            colorscale=DIVERGING,
            zmin=-kernel_limit,
            zmax=kernel_limit,
            font_size=font,
            name="kernel",
        ),
        number_grid_trace(
            step.products,
            panel=3,
            colorscale=DIVERGING,
            zmin=-product_limit,
            zmax=product_limit,
            font_size=font,
            name="products",
        ),
    ]
    return make_figure(traces, panel_layout(shapes, titles, operators=["×", "="], cell_px=cell))


def pooling_figure(
    max_result: SlidingResult, average_result: SlidingResult, step_index: int
) -> go.Figure:
    """Max and average pooling of one grid side by side, at one step.

    Args:
        max_result, average_result: `concepts.pool` of the same grid with the same
            size, stride and padding ("max" and "average").
        step_index: 0-based output cell being computed.

    Returns:
        Three panels: the padded input with the window outlined (traces ``input``,
        ``padding``), then the ``max`` and ``average`` outputs so far.
    """
    if max_result.output.shape != average_result.output.shape:
        raise ValueError("max and average pooling must share grid, size, stride, padding")
    out = max_result.output.shape
    shapes = [max_result.padded.shape, out, out]
    titles = [
        _input_title(max_result),
        f"Max pooling {_shape_text(out)}",
        f"Average pooling {_shape_text(out)}",
    ]
    cell = cell_size(shapes)
    font = cell_font_size(cell)
    layout = panel_layout(shapes, titles, operators=["→", ""], cell_px=cell)
    traces, window = _input_panel(max_result, step_index, panel=1, font=font)
    layout["shapes"].append(window)
    zmin, zmax = _value_range(max_result.grid)
    for panel, result, name in ((2, max_result, "max"), (3, average_result, "average")):
        outputs, current = _output_panel(
            result.output,
            step_index,
            panel=panel,
            font=font,
            name=name,
            colorscale=SEQUENTIAL,
            zmin=zmin,
            zmax=zmax,
        )
        traces += outputs
        layout["shapes"].append(current)
    return make_figure(traces, layout)


def feature_map_rgb(values: Any, *, limit: float | None = None) -> np.ndarray:
    """A feature map as a picture: blue positive, white zero, red negative.

    Args:
        values: ndarray of shape (height, width).
        limit: the value drawn at full colour (default: the largest magnitude), so
            several maps can share one scale.

    Returns:
        uint8 ndarray of shape (height, width, 3).
    """
    array = np.asarray(values, dtype=float)
    if limit is None:
        limit = float(np.abs(array).max(initial=0.0))
    scaled = np.clip(array / max(limit, 1e-9), -1.0, 1.0)[..., None]
    white = np.array([255.0, 255.0, 255.0])
    blue = np.array([33.0, 102.0, 172.0])
    red = np.array([178.0, 24.0, 43.0])
    rgb = np.where(scaled >= 0, white + scaled * (blue - white), white - scaled * (red - white))
    return rgb.round().astype(np.uint8)


def transformer_images(stages: ImageStages) -> list[tuple[str, np.ndarray]]:
    """The image transformer's four pictures, each with a caption stating its shape.

    Args:
        stages: `concepts.transform_image` output.

    Returns:
        (caption, uint8 ndarray of shape (h, w) or (h, w, 3)) for the photo, the
        feature map, after ReLU, and after 2x2 max pooling. The three maps share one
        colour scale (blue positive, white 0, red negative), full colour at the 99th
        percentile of the feature map's magnitude.
    """
    # Edges are sparse: scaling to the 99th percentile keeps them visible on a projector.
    limit = float(np.percentile(np.abs(stages.feature_map), 99)) or 1.0
    photo = np.clip(np.asarray(stages.photo, dtype=float).round(), 0, 255).astype(np.uint8)
    return [
        (f"Photo {stages.photo.shape} → brightness {stages.gray.shape}", photo),
        (
            f"Feature map {stages.feature_map.shape}",
            feature_map_rgb(stages.feature_map, limit=limit),
        ),
        (
            f"After ReLU {stages.relu.shape}: negatives become 0",
            feature_map_rgb(stages.relu, limit=limit),
        ),
        (
            f"After 2x2 max pooling {stages.pooled.shape}",
            feature_map_rgb(stages.pooled, limit=limit),
        ),
    ]


