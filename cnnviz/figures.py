"""Plotly figure builders: arrays and engine results in, `go.Figure` out.

Figures only draw: every number comes from the engine (`concepts`, `inspect`, ...).
Nothing here imports streamlit or TensorFlow. Each page's builders live in their own
section below. The shared helpers at the top draw grids of numbers as heatmaps with the
values written in the cells, side by side in panels with square cells.

Builders that a page redraws on every click assemble plain dicts and make the figure
once with `make_figure`, skipping plotly's per-property validation (several times
faster); the tests re-validate every such figure with `go.Figure(fig.to_dict())`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.concepts import ImageStages, SlidingResult, format_number

__all__ = [
    # shared helpers
    "DIVERGING",
    "SEQUENTIAL",
    "cell_font_size",
    "cell_size",
    "cell_text",
    "heatmap_with_numbers",
    "highlight_shape",
    "make_figure",
    "number_grid_trace",
    "panel_layout",
    # concepts
    "arithmetic_figure",
    "convolution_figure",
    "feature_map_rgb",
    "pooling_figure",
    "transformer_images",
    # data
    "class_distribution_figure",
    # training
    "training_curves",
]

# --- shared helpers: heatmaps with numbers in the cells ----------------------------------------

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
        layout["annotations"].append(
            {
                "text": symbol,
                "x": (left[1] + right[0]) / 2,
                "y": 0.5,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
                "font": {"size": 32},
            }
        )
    return layout


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


# --- data --------------------------------------------------------------------------------------

SPLIT_COLORS = {"train": "#5b9bd0", "test": "#f0a35e"}  # blue as above; orange for held out


def class_distribution_figure(
    class_names: Sequence[str], per_class: dict[str, Sequence[int]]
) -> go.Figure:
    """Images per class, one bar per split side by side: imbalance shows at a glance.

    Args:
        class_names: the k class names, in class-index order.
        per_class: split name ("train", "test") -> k image counts (`DatasetInfo.per_class`).

    Returns:
        A grouped bar chart, classes along x, one trace per split.
    """
    names = [str(name) for name in class_names]
    traces = [
        {
            "type": "bar",
            "name": split,
            "x": names,
            "y": [int(count) for count in counts],
            "marker": {"color": SPLIT_COLORS.get(split, PAD_COLOR)},
            "hovertemplate": "class %{x}: %{y:,} images<extra>" + split + "</extra>",
        }
        for split, counts in per_class.items()
    ]
    layout = {
        "barmode": "group",
        "height": 380,
        "margin": {"l": 60, "r": 10, "t": 30, "b": 50},
        "font": {"family": FONT_FAMILY, "size": 15, "color": TEXT_COLOR},
        "legend": {"orientation": "h", "x": 0, "y": 1.1},
        "xaxis": {"type": "category", "title": {"text": "class"}, "automargin": True},
        "yaxis": {"title": {"text": "images"}, "gridcolor": "#e5e5e5", "rangemode": "tozero"},
    }
    return make_figure(traces, layout)


# --- training ----------------------------------------------------------------------------------

TRAIN_COLOR, VAL_COLOR = "#2563eb", "#f97316"  # blue for training, orange for validation


def training_curves(
    history: dict[str, Sequence[float]],
    *,
    batch_curve: dict[str, Sequence[float]] | None = None,
) -> go.Figure:
    """Loss and accuracy, training and validation, in two panels side by side.

    Args:
        history: per-epoch values, e.g. {"loss": [...], "accuracy": [...],
            "val_loss": [...], "val_accuracy": [...]} (missing keys are skipped).
        batch_curve: optional per-batch points while an epoch runs: {"epoch":
            fractional epochs, "loss": [...], "accuracy": [...]}, drawn thin and faint.

    Returns:
        A figure with "Loss" on the left and "Accuracy" on the right, epochs along x.
    """
    traces: list[dict] = []
    for panel, metric in ((1, "loss"), (2, "accuracy")):
        axes = {"xaxis": f"x{_suffix(panel)}", "yaxis": f"y{_suffix(panel)}"}
        if batch_curve and batch_curve.get(metric):
            traces.append({"type": "scatter", "mode": "lines", "name": "training (batches)",
                           "x": list(batch_curve["epoch"]), "y": list(batch_curve[metric]),
                           "line": {"color": TRAIN_COLOR, "width": 1}, "opacity": 0.35,
                           "showlegend": panel == 1, "legendgroup": "batches", **axes})
        for key, name, color in ((metric, "training", TRAIN_COLOR),
                                 (f"val_{metric}", "validation", VAL_COLOR)):
            values = list(history.get(key, []))
            if values:
                traces.append({"type": "scatter", "mode": "lines+markers", "name": name,
                               "x": list(range(1, len(values) + 1)), "y": values,
                               "line": {"color": color, "width": 3}, "marker": {"size": 8},
                               "showlegend": panel == 1, "legendgroup": name, **axes})
    axis = {"title": {"text": "epoch"}, "gridcolor": "#e5e5e5", "rangemode": "tozero"}
    layout = {
        "height": 380,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "font": {"family": FONT_FAMILY, "size": 15, "color": TEXT_COLOR},
        "legend": {"orientation": "h", "x": 0, "y": -0.2},
        "xaxis": {**axis, "domain": [0, 0.46]},
        "xaxis2": {**axis, "domain": [0.54, 1], "anchor": "y2"},
        "yaxis": {"title": {"text": "loss"}, "gridcolor": "#e5e5e5", "rangemode": "tozero"},
        "yaxis2": {"title": {"text": "accuracy"}, "gridcolor": "#e5e5e5", "range": [0, 1.02],
                   "tickformat": ".0%", "anchor": "x2"},
        "annotations": [
            {"text": "<b>Loss</b>", "x": 0.23, "y": 1.1, "xref": "paper", "yref": "paper",
             "showarrow": False, "font": {"size": 18}},
            {"text": "<b>Accuracy</b>", "x": 0.77, "y": 1.1, "xref": "paper", "yref": "paper",
             "showarrow": False, "font": {"size": 18}},
        ],
    }
    return make_figure(traces, layout)
