"""Figures of the Concepts page: convolution and pooling step by step (SVG diagrams, see
`svg`), the image transformer (pictures). Each diagram carries its text alternative (read
it with `alt.text_of`); the transformer's pictures have `transformer_text`."""

from __future__ import annotations

from typing import Any

import numpy as np

from cnnviz.concepts import ImageStages, SlidingResult, format_number
from cnnviz.figures.alt import FigureText, number, percent
from cnnviz.figures.colors import DIVERGING, EMPTY_COLOR, PAD_COLOR, SEQUENTIAL
from cnnviz.figures.pixels import feature_map_rgb, symmetric_range
from cnnviz.figures.svg import GridPanel, cell_size, cell_text, panels_svg, scale_colors


def _value_range(array: np.ndarray) -> tuple[float, float]:
    low, high = float(array.min()), float(array.max())
    return min(low, 0.0), max(high, low + 1.0)


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


def _window_text(result: SlidingResult, step_index: int) -> str:
    """Where the window of one step sits, e.g. `the 3×3 window on rows 0 to 2, columns 2 to 4
    of the padded 5×5 input`."""
    step = result.step(step_index)
    padded = "padded " if result.padded.shape != result.grid.shape else ""
    return (
        f"the {_shape_text(result.window_shape)} window on rows {step.rows[0]} to "
        f"{step.rows[1] - 1}, columns {step.cols[0]} to {step.cols[1] - 1} of the {padded}"
        f"{_shape_text(result.padded.shape)} input"
    )


def _steps_table(results: dict[str, SlidingResult], step_index: int) -> list[dict]:
    """The output cells computed up to `step_index`: position and each result's value."""
    first = next(iter(results.values()))
    rows = []
    for index in range(step_index + 1):
        row, col = divmod(index, first.output.shape[1])
        cells = {name: float(result.output[row, col]) for name, result in results.items()}
        rows.append({"step": index + 1, "output row": row, "output column": col, **cells})
    return rows


def _input_title(result: SlidingResult) -> str:
    title = f"Input {_shape_text(result.grid.shape)}"
    if result.padded.shape != result.grid.shape:
        title += f", padded to {_shape_text(result.padded.shape)}"
    return title


def _padded_panel(
    name: str,
    title: str,
    values: np.ndarray,
    inside: np.ndarray,
    *,
    pad_text: str,
    zrange: tuple[float, float],
    highlight=None,
) -> GridPanel:
    """Values on the sequential scale where `inside`, grey padding (with `pad_text`) elsewhere."""
    return GridPanel(
        name=name,
        title=title,
        texts=np.where(inside, cell_text(np.where(inside, values, np.nan)), pad_text),
        fills=np.where(inside, scale_colors(values, SEQUENTIAL, *zrange), PAD_COLOR),
        highlight=highlight,
    )


def _input_panel(result: SlidingResult, step_index: int) -> GridPanel:
    """The padded input, padding grey (0 for convolution, blank for pooling), window outlined."""
    step = result.step(step_index)
    return _padded_panel(
        "input",
        _input_title(result),
        result.padded,
        result.inside,
        pad_text="0" if result.kernel is not None else "",  # pooling never reads padding
        zrange=_value_range(result.grid),
        highlight=(step.rows, step.cols),
    )


def _output_panel(
    output: np.ndarray,
    step_index: int,
    *,
    name: str,
    title: str,
    stops: Any,
    zmin: float,
    zmax: float,
) -> GridPanel:
    """An output filled up to the current step (later cells blank), that cell outlined."""
    done = np.arange(output.size).reshape(output.shape) <= step_index
    row, col = divmod(step_index, output.shape[1])
    return GridPanel(
        name=name,
        title=title,
        texts=np.where(done, cell_text(output), ""),
        fills=np.where(done, scale_colors(output, stops, zmin, zmax), EMPTY_COLOR),
        highlight=((row, row + 1), (col, col + 1)),
    )


def _diverging_panel(name: str, title: str, values: np.ndarray, texts: Any = None) -> GridPanel:
    limit = symmetric_range(values)
    return GridPanel(
        name=name,
        title=title,
        texts=cell_text(values) if texts is None else np.asarray(texts, dtype=object),
        fills=scale_colors(values, DIVERGING, -limit, limit),
    )


def convolution_figure(result: SlidingResult, step_index: int) -> str:
    """The padded input with the kernel's window outlined, and the output so far.

    Args:
        result: a convolution from `concepts.convolve`.
        step_index: 0-based output cell being computed; cells after it are blank.

    Returns:
        SVG with panels ``input`` (padded_rows, padded_cols) and ``output``
        (out_rows, out_cols), an arrow between them.
    """
    limit = symmetric_range(result.output)
    panels = [
        _input_panel(result, step_index),
        _output_panel(
            result.output,
            step_index,
            name="output",
            title=f"Output {_shape_text(result.output.shape)}",
            stops=DIVERGING,
            zmin=-limit,
            zmax=limit,
        ),
    ]
    step = result.step(step_index)
    summary = (
        f"convolution, step {step_index + 1} of {result.n_steps}: "
        f"{_window_text(result, step_index)} gives {format_number(step.value)} at row "
        f"{step.row}, column {step.col} of the {_shape_text(result.output.shape)} output"
    )
    table = _steps_table({"value": result}, step_index)
    return panels_svg(panels, operators=["→"], label=summary, table=table)


def arithmetic_figure(result: SlidingResult, step_index: int) -> str:
    """One convolution step: input window × kernel = products, whose sum is the output.

    Args:
        result: a convolution from `concepts.convolve`.
        step_index: 0-based output cell.

    Returns:
        SVG with three panels of shape (k_rows, k_cols): ``window`` (the input under
        the window, padding grey), ``kernel`` and ``products``, the last titled with
        their sum.
    """
    step = result.step(step_index)
    panels = [
        _padded_panel(
            "window",
            "Input window",
            step.window,
            step.inside,
            pad_text="0",
            zrange=_value_range(result.grid),
        ),
        _diverging_panel(
            "kernel", "Kernel", result.kernel, texts=cell_text(result.kernel, fractions=True)
        ),
        _diverging_panel("products", f"Products: sum = {format_number(step.value)}", step.products),
    ]
    cell = cell_size([result.window_shape] * 3, width_px=760)
    summary = (
        f"convolution arithmetic, step {step_index + 1}: the input window times the kernel, "
        "cell by cell, gives "
        f"products that sum to {format_number(step.value)}: {step.expression}"
    )
    table = [
        {
            "row": r,
            "column": c,
            "input": float(step.window[r, c]),
            "kernel": float(result.kernel[r, c]),
            "product": float(step.products[r, c]),
        }
        for r, c in np.ndindex(*result.window_shape)
    ]
    return panels_svg(panels, operators=["×", "="], cell_px=cell, label=summary, table=table)


def pooling_figure(
    max_result: SlidingResult, average_result: SlidingResult, step_index: int
) -> str:
    """Max and average pooling of one grid side by side, at one step.

    Args:
        max_result, average_result: `concepts.pool` of the same grid with the same
            size, stride and padding ("max" and "average").
        step_index: 0-based output cell being computed.

    Returns:
        SVG with panels ``input`` (the padded input, window outlined), ``max`` and
        ``average`` (the outputs so far), all on the input's sequential scale.
    """
    if max_result.output.shape != average_result.output.shape:
        raise ValueError("max and average pooling must share grid, size, stride, padding")
    out = _shape_text(max_result.output.shape)
    zmin, zmax = _value_range(max_result.grid)
    panels = [_input_panel(max_result, step_index)]
    for result, name, title in ((max_result, "max", "Max"), (average_result, "average", "Average")):
        panels.append(
            _output_panel(
                result.output,
                step_index,
                name=name,
                title=f"{title} pooling {out}",
                stops=SEQUENTIAL,
                zmin=zmin,
                zmax=zmax,
            )
        )
    step = max_result.step(step_index)
    summary = (
        f"pooling, step {step_index + 1} of {max_result.n_steps}: "
        f"{_window_text(max_result, step_index)} gives max {format_number(step.value)} and "
        f"average {format_number(average_result.output[step.row, step.col])} at row "
        f"{step.row}, column {step.col} of the {out} outputs"
    )
    table = _steps_table({"max": max_result, "average": average_result}, step_index)
    return panels_svg(panels, operators=["→", ""], label=summary, table=table)


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


def transformer_text(stages: ImageStages) -> FigureText:
    """The text alternative of `transformer_images`' four pictures, for their alt text.

    Args:
        stages: `concepts.transform_image` output.

    Returns:
        FigureText: one sentence with each stage's shape and range, and one row per
        picture {"picture", "shape", "lowest", "highest"}.
    """
    negative = float(np.mean(np.asarray(stages.feature_map) < 0)) if stages.feature_map.size else 0
    summary = (
        f"The photo {_shape_text(stages.photo.shape)} becomes a brightness grid "
        f"{_shape_text(stages.gray.shape)}; the kernel gives a feature map "
        f"{_shape_text(stages.feature_map.shape)} from {number(stages.feature_map.min())} to "
        f"{number(stages.feature_map.max())}; ReLU sets its negative values ({percent(negative)} "
        f"of it) to 0; 2x2 max pooling shrinks it to {_shape_text(stages.pooled.shape)}"
    )
    table = [
        {
            "picture": name,
            "shape": _shape_text(values.shape),
            "lowest": float(np.min(values)),
            "highest": float(np.max(values)),
        }
        for name, values in (
            ("photo", stages.photo),
            ("feature map", stages.feature_map),
            ("after ReLU", stages.relu),
            ("after 2x2 max pooling", stages.pooled),
        )
    ]
    return FigureText(summary, table)
