"""Figures of the Inspect and Predict pages: network overview, layer maps, filters,
confusion matrix, per-class metrics, mistakes, Grad-CAM, prediction bars."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.figures.base import _suffix, make_figure, paper_text
from cnnviz.figures.colors import DIVERGING, FONT_FAMILY, SEQUENTIAL, TEXT_COLOR
from cnnviz.figures.concepts import feature_map_rgb
from cnnviz.inspect import filter_images, normalize_channels, symmetric_range, tile_maps

# --- inspection --------------------------------------------------------------------------------

OVERVIEW_HEIGHT = 620  # the maps' column height in the network overview, in units (~px)
OVERVIEW_PITCH = 112  # least distance between the left edges of neighbouring columns
OVERVIEW_GAP = 5  # between the maps of one column
OVERVIEW_ROWS = 8  # at most this many maps down a column; more go two across
OVERVIEW_WIDTH_PX = 980  # the wide layout's main column on a 1440-pixel-wide screen
OVERVIEW_TOP = 84  # room for the column titles
MAP_SCALE = "Viridis"  # the lab's colour map for normalised feature maps
HEAT_SCALE = "Jet"  # Grad-CAM's usual colours: blue (ignored) to red (looked at)
PREDICTED_COLOR, OTHER_COLOR = "#2563eb", "#9ca3af"
WRONG_COLOR = "#c2410c"
GRID_COLOR = "#e5e5e5"


def _rgb_pixels(image: Any) -> np.ndarray:
    """A picture as uint8 (h, w, 3): floats in [0, 1] are scaled, grayscale repeated."""
    array = np.asarray(image)
    if array.dtype != np.uint8:
        array = np.clip(np.asarray(array, dtype=float) * 255, 0, 255).round().astype(np.uint8)
    if array.ndim == 2:
        array = array[..., None]
    return np.repeat(array, 3, axis=2) if array.shape[2] == 1 else array[..., :3]


def _png_uri(pixels: np.ndarray) -> str:
    """uint8 pixels (h, w, 3) as a PNG data URI (compact, unlike a plotly `z` array)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(pixels, dtype=np.uint8)).save(buffer, "PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


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
    rgb = _rgb_pixels(pixels)
    scale = max(1, -(-int(size) // max(rgb.shape[:2])))
    rgb = rgb.repeat(scale, axis=0).repeat(scale, axis=1)
    step = size / max(rgb.shape[:2])
    return {
        "type": "image",
        "source": _png_uri(rgb),
        "x0": x + step / 2,
        "y0": y + step / 2,
        "dx": step,
        "dy": step,
        "name": name,
        "hovertemplate": f"{name}<extra></extra>",
        "xaxis": f"x{_suffix(panel)}",
        "yaxis": f"y{_suffix(panel)}",
    }


def _note(
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
    """A text annotation placed in axis units."""
    return {
        "text": text,
        "x": x,
        "y": y,
        "xref": f"x{_suffix(panel)}",
        "yref": f"y{_suffix(panel)}",
        "showarrow": False,
        "xanchor": xanchor,
        "yanchor": yanchor,
        "font": {"size": size, "color": color},
    }


def _hidden_axis(**extra: Any) -> dict:
    return {"visible": False, "showgrid": False, "zeroline": False, "fixedrange": True, **extra}


def _base_layout(title: str, height: int, **extra: Any) -> dict:
    return {
        "title": {"text": title, "font": {"size": 20}, "x": 0.01},
        "height": height,
        "font": {"family": FONT_FAMILY, "size": 15, "color": TEXT_COLOR},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "showlegend": False,
        **extra,
    }


def _shape_label(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ")"


def _colour_bar(limit: float, x: float, y: float, width: float) -> tuple[dict, list[dict]]:
    """A red-white-blue strip from -limit to +limit, with its range written under it."""
    strip = feature_map_rgb(np.linspace(-limit, limit, 64)[None, :], limit=limit)
    trace = picture_trace(
        np.repeat(strip, 4, axis=0),
        x=x,
        y=y,
        size=width,
        name=f"colour scale: -{limit:.3g} to {limit:.3g}",
    )
    below = y + width / 16 + 10
    notes = [
        _note(f"{-limit:.3g}", x, below, size=11, xanchor="left"),
        _note("0", x + width / 2, below, size=11),
        _note(f"{limit:.3g}", x + width, below, size=11, xanchor="right"),
    ]
    return trace, notes


def network_overview(
    input_image: Any,
    activations: Sequence[Any],
    probabilities: Any,
    class_names: Sequence[str],
    *,
    max_channels: int = 16,
    max_classes: int = 12,
) -> go.Figure:
    """The whole network for one image: every layer a column of its feature maps.

    As CNN Explainer draws it: the input on the left, then one column per layer with
    feature maps (h, w, c), each channel a small map on a diverging red-white-blue
    scale that is symmetric per layer (white is 0, the layer's range written under
    it), then the class probabilities on the right. Flat layers (Flatten, Dense,
    ...) lead to the probabilities; they are named above them, not drawn.

    Args:
        input_image: the model's input, shape (H, W, C), floats in [0, 1] or uint8.
        activations: `inspect.feature_maps` output (LayerActivation: name, type, output).
        probabilities: ndarray of shape (n_classes,).
        class_names: one name per class.
        max_channels: at most this many maps per layer (the first ones); a column
            title says when some are left out.
        max_classes: beyond this many classes only the most probable are listed.

    Returns:
        One figure on one pair of axes (units of about a pixel, y downwards): image
        traces named "input" and "<layer> channel <k>", a colour-scale strip per
        layer, and one bar per listed class drawn as a shape named "class <name>".
    """
    spatial = [a for a in activations if np.ndim(a.output) == 3]
    shown = [min(a.output.shape[2], max_channels) for a in spatial]
    # More than OVERVIEW_ROWS maps: a layer's column is two maps wide, so maps stay large.
    across = [int(np.ceil(count / OVERVIEW_ROWS)) for count in shown]
    rows = max([*(int(np.ceil(c / a)) for c, a in zip(shown, across)), 3])
    cell = int(np.clip(OVERVIEW_HEIGHT / rows - OVERVIEW_GAP, 30, 64))
    column_height = rows * (cell + OVERVIEW_GAP) - OVERVIEW_GAP
    traces: list[dict] = []
    notes: list[dict] = []
    frames: list[dict] = []  # a thin frame shows where an all-zero (white) map is
    image_size = max(2 * cell, 96)
    top = OVERVIEW_TOP + (column_height - image_size) / 2
    traces.append(picture_trace(input_image, x=0, y=top, size=image_size, name="input"))
    notes += [
        _note("<b>input</b>", image_size / 2, 24, size=15),
        _note(_shape_label(np.shape(input_image)), image_size / 2, 46, size=12),
    ]
    x = image_size + max(OVERVIEW_PITCH - cell, 60)
    for activation, count, wide in zip(spatial, shown, across, strict=True):
        maps = activation.output
        limit = symmetric_range(maps)
        down = int(np.ceil(count / wide))
        block = wide * cell + (wide - 1) * OVERVIEW_GAP
        y = OVERVIEW_TOP + (rows - down) * (cell + OVERVIEW_GAP) / 2
        for k in range(count):
            left = x + (k % wide) * (cell + OVERVIEW_GAP)
            top_k = y + (k // wide) * (cell + OVERVIEW_GAP)
            traces.append(
                picture_trace(
                    feature_map_rgb(maps[..., k], limit=limit),
                    x=left,
                    y=top_k,
                    size=cell,
                    name=f"{activation.name} channel {k}",
                )
            )
            frames.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "y",
                    "x0": left,
                    "y0": top_k,
                    "x1": left + cell,
                    "y1": top_k + cell,
                    "layer": "above",
                    "line": {"color": "#d4d4d4", "width": 1},
                }
            )
        centre = x + block / 2
        subtitle = _shape_label(maps.shape)
        if count < maps.shape[2]:
            subtitle += f"<br>first {count} of {maps.shape[2]}"
        notes += [
            _note(f"<b>{activation.name}</b>", centre, 24, size=14),
            _note(subtitle, centre, 38, size=12, yanchor="top"),
        ]
        bar, labels = _colour_bar(limit, centre - 46, OVERVIEW_TOP + column_height + 14, 92)
        traces.append(bar)
        notes += labels
        x += max(OVERVIEW_PITCH, block + 60)
    flat = [a.name for a in activations if np.ndim(a.output) != 3]
    if flat:  # the layers between the last maps and the output, not drawn
        listed = ", ".join(flat[:3]) + (", ..." if len(flat) > 3 else "")
        notes.append(_note(f"after {listed}", x + 80, OVERVIEW_TOP - 8, size=11))
    shapes, more = _probability_column(
        probabilities,
        class_names,
        x=x,
        top=OVERVIEW_TOP,
        height=column_height,
        max_classes=max_classes,
    )
    notes += more
    width = x + 260
    height = OVERVIEW_TOP + column_height + 60
    # Wider than the page's column: plotly shrinks it to fit, so a full height would
    # leave blank bands above and below. Ask only for the height it will fill.
    fit = min(1.0, OVERVIEW_WIDTH_PX / (width + 10))
    layout = _base_layout(
        "",
        int(height * fit) + 20,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        annotations=notes,
        shapes=frames + shapes,
    )
    layout["xaxis"] = _hidden_axis(range=[-10, width])
    layout["yaxis"] = _hidden_axis(range=[height, 0], scaleanchor="x")
    return make_figure(traces, layout)


def _probability_column(
    probabilities: Any,
    class_names: Sequence[str],
    *,
    x: float,
    top: float,
    height: float,
    max_classes: int,
) -> tuple[list[dict], list[dict]]:
    """Bars of the class probabilities, predicted class in blue, as shapes and notes."""
    p = np.asarray(probabilities, dtype=float)
    order = np.arange(len(p)) if len(p) <= max_classes else np.argsort(-p)[:max_classes]
    best = int(np.argmax(p))
    pitch = min(height / len(order), 52.0)
    y0 = top + (height - pitch * len(order)) / 2
    title = (
        "<b>output</b>"
        if len(order) == len(p)
        else (f"<b>output</b><br>top {len(order)} of {len(p)}")
    )
    notes = [_note(title, x + 80, 24, size=14, yanchor="top" if "<br>" in title else "middle")]
    shapes = []
    for row, index in enumerate(order):
        y = y0 + row * pitch + pitch / 2
        color = PREDICTED_COLOR if index == best else OTHER_COLOR
        notes.append(_note(str(class_names[index]), x, y - 9, size=14, xanchor="left"))
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "y",
                "x0": x,
                "x1": x + 1 + 150 * p[index],
                "y0": y + 1,
                "y1": y + 13,
                "fillcolor": color,
                "line": {"width": 0},
                "name": f"class {class_names[index]}",
            }
        )
        notes.append(
            _note(
                f"{p[index]:.0%}",
                x + 6 + 150 * p[index],
                y + 7,
                size=13,
                xanchor="left",
                color=color,
            )
        )
    return shapes, notes


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
    title = f"{activation.name} ({activation.type}), output {_shape_label(values.shape)}"
    if values.ndim == 1:
        return _unit_bars(values, title)
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
    layout = _base_layout(
        title,
        int(min(max(rows_px, 260), 1100)) + 70,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        annotations=notes,
    )
    layout["xaxis"] = _hidden_axis(constrain="domain")
    layout["yaxis"] = _hidden_axis(autorange="reversed", scaleanchor="x")
    return make_figure([trace], layout)


def _unit_bars(values: np.ndarray, title: str) -> go.Figure:
    colors = np.where(values >= 0, "#2166ac", "#b2182b").tolist()
    trace = {
        "type": "bar",
        "x": list(range(len(values))),
        "y": values.tolist(),
        "marker": {"color": colors},
        "name": "units",
        "hovertemplate": "unit %{x}: %{y:.4g}<extra></extra>",
    }
    layout = _base_layout(title, 360, margin={"l": 60, "r": 10, "t": 60, "b": 50})
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
        kernel: ndarray of shape (kh, kw, in_channels, filters) (`inspect.filters`).
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
    if inputs == 3:
        return _colour_filters(kernel[..., :count], title)
    used = min(inputs, max_inputs)
    grid = np.full((count * (kh + 1) - 1, used * (kw + 1) - 1), np.nan)
    for f in range(count):
        for c in range(used):
            grid[f * (kh + 1) : f * (kh + 1) + kh, c * (kw + 1) : c * (kw + 1) + kw] = kernel[
                :, :, c, f
            ]
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
    layout = _base_layout(
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
    return make_figure([trace], layout)


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
            _note(
                f"filter {index}", col * pitch + size / 2, row * (pitch + 16) + size + 10, size=12
            )
        )
    rows = -(-len(pictures) // columns)
    height = rows * (pitch + 16)
    layout = _base_layout(
        title + " in colour",
        height + 90,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        annotations=notes,
    )
    layout["xaxis"] = _hidden_axis(range=[-6, columns * pitch])
    layout["yaxis"] = _hidden_axis(range=[height, -6], scaleanchor="x")
    return make_figure(traces, layout)


def confusion_matrix_figure(metrics: Any, *, normalized: bool = False) -> go.Figure:
    """The confusion matrix: rows are true classes, columns predicted ones.

    Args:
        metrics: a `cnnviz.metrics.ClassificationMetrics`.
        normalized: colour and label each cell by its share of the row (the recall
            of the diagonal) instead of its count.

    Returns:
        One heatmap named "confusion matrix"; each cell's customdata is
        [true index, predicted index, count, row share], so a click can open that
        cell's mistakes. Numbers are written in the cells up to 20 classes.
    """
    counts = np.asarray(metrics.confusion_matrix, dtype=float)
    shares = np.asarray(metrics.normalized(), dtype=float)
    names = [str(n) for n in metrics.class_names]
    n = len(names)
    true_index, predicted_index = np.indices((n, n))
    custom = np.stack([true_index, predicted_index, counts, shares], axis=-1)
    z = shares if normalized else counts
    trace = {
        "type": "heatmap",
        "z": z,
        "x": names,
        "y": names,
        "customdata": custom,
        "colorscale": SEQUENTIAL,
        "zmin": 0,
        "zmax": 1 if normalized else max(counts.max(), 1),
        "xgap": 1,
        "ygap": 1,
        "name": "confusion matrix",
        "hovertemplate": "true %{y}, predicted %{x}: %{customdata[2]:,} images "
        "(%{customdata[3]:.0%} of the row)<extra></extra>",
        "colorbar": {
            "title": {"text": "share of row" if normalized else "images"},
            "tickformat": ".0%" if normalized else ",",
        },
    }
    if n <= 20:
        trace["text"] = [[f"{v:.0%}" if normalized else f"{int(v):,}" for v in row] for row in z]
        trace["texttemplate"] = "%{text}"
        trace["textfont"] = {"size": 16 if n <= 10 else 12}
    kind = "each row sums to 100%" if normalized else "counts"
    size = min(900, 160 + 44 * n) if n <= 20 else 900
    layout = _base_layout(
        f"Confusion matrix ({kind}), accuracy {metrics.accuracy:.1%}",
        size,
        margin={"l": 90, "r": 10, "t": 60, "b": 80},
    )
    axis = {"type": "category", "showgrid": False, "tickfont": {"size": 14 if n <= 20 else 9}}
    layout["xaxis"] = {**axis, "title": {"text": "predicted class"}, "constrain": "domain"}
    layout["yaxis"] = {
        **axis,
        "title": {"text": "true class"},
        "autorange": "reversed",
        "scaleanchor": "x",
    }
    return make_figure([trace], layout)


def per_class_metrics_figure(metrics: Any) -> go.Figure:
    """Precision, recall and F1 of every class as grouped bars (support on hover).

    Args:
        metrics: a `cnnviz.metrics.ClassificationMetrics`.
    """
    names = [str(n) for n in metrics.class_names]
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
    layout = _base_layout(
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
        mistakes: `inspect.mistakes` output (Mistake: image, true_name,
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
        top = "<br>".join(f"{s.name}: {s.probability:.1%}" for s in mistake.top)
        trace = picture_trace(mistake.image, x=x, y=y, size=size, name=f"mistake {mistake.index}")
        trace["hovertemplate"] = (
            f"test image {mistake.index}<br>true {mistake.true_name}<br>{top}<extra></extra>"
        )
        traces.append(trace)
        notes += [
            _note(f"true <b>{mistake.true_name}</b>", x + size / 2, y + size + 14, size=13),
            _note(
                f"→ {mistake.predicted_name} ({mistake.confidence:.0%})",
                x + size / 2,
                y + size + 32,
                size=13,
                color=WRONG_COLOR,
            ),
        ]
    if not shown:
        notes.append(
            _note("No mistakes here: every image was classified correctly", 300, 40, size=16)
        )
    rows = max(1, -(-len(shown) // columns))
    width = max(columns * pitch_x, 600) if shown else 600
    layout = _base_layout(
        title, rows * pitch_y + 80, margin={"l": 10, "r": 10, "t": 60, "b": 10}, annotations=notes
    )
    layout["xaxis"] = _hidden_axis(range=[-10, width])
    layout["yaxis"] = _hidden_axis(range=[rows * pitch_y, -10], scaleanchor="x")
    return make_figure(traces, layout)


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
    layout = _base_layout(title, 460, margin={"l": 10, "r": 10, "t": 60, "b": 10})
    for suffix, domain in (("", [0, 0.44]), ("2", [0.5, 0.94])):
        layout[f"xaxis{suffix}"] = _hidden_axis(range=[-0.5, w - 0.5], domain=domain)
        layout[f"yaxis{suffix}"] = _hidden_axis(range=[h - 0.5, -0.5], scaleanchor=f"x{suffix}")
    layout["annotations"] = [
        paper_text("image", 0.22, 1.0, size=16, yanchor="bottom"),
        paper_text("where the model looked", 0.72, 1.0, size=16, yanchor="bottom"),
    ]
    return make_figure(traces, layout)


def prediction_bars(prediction: Any) -> go.Figure:
    """The model's answer for one image: its top classes as horizontal bars.

    A one-unit sigmoid head also gets a dashed line at the 0.5 threshold.

    Args:
        prediction: a `cnnviz.predict.Prediction` (top, name, probability, binary).
    """
    top = list(prediction.top)
    names = [s.name for s in top][::-1]  # most probable at the top
    values = [s.probability for s in top][::-1]
    colors = [PREDICTED_COLOR if s.index == prediction.label else OTHER_COLOR for s in top][::-1]
    trace = {
        "type": "bar",
        "orientation": "h",
        "x": values,
        "y": names,
        "marker": {"color": colors},
        "name": "probability",
        "text": [f"{v:.1%}" for v in values],
        "textposition": "outside",
        "cliponaxis": False,
        "textfont": {"size": 16},
        "hovertemplate": "%{y}: %{x:.2%}<extra></extra>",
    }
    layout = _base_layout(
        f"Top {len(top)} classes",  # the page states the answer itself, above the bars
        130 + 46 * len(top),
        margin={"l": 10, "r": 60, "t": 60, "b": 50},
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
    return make_figure([trace], layout)
