"""The network overview of the Inspect page: the whole network for one image at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.figures.alt import count as counted
from cnnviz.figures.alt import percent, with_text
from cnnviz.figures.base import (
    as_text,
    base_layout,
    hidden_axis,
    make_figure,
    note,
    picture_trace,
    shape_label,
)
from cnnviz.figures.colors import OTHER_COLOR, PREDICTED_COLOR, TEXT_COLOR
from cnnviz.figures.pixels import feature_map_rgb, symmetric_range
from cnnviz.figures.predictions import ANSWER_MARK

__all__ = ["network_overview"]

OVERVIEW_HEIGHT = 620  # the maps' column height in the network overview, in units (~px)
OVERVIEW_PITCH = 112  # least distance between the left edges of neighbouring columns
OVERVIEW_GAP = 5  # between the maps of one column
OVERVIEW_ROWS = 8  # at most this many maps down a column; more go two across
OVERVIEW_WIDTH_PX = 980  # the wide layout's main column on a 1440-pixel-wide screen
OVERVIEW_TOP = 84  # room for the column titles
LABEL_CHAR_PX = 8.6  # width of a character of the scale's 11 px labels, also 1.3x larger


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
    low, high = f"{-limit:.3g}", f"{limit:.3g}"
    if (len(low) + len(high) + 3) * LABEL_CHAR_PX > width:  # a narrow strip: one label
        return trace, [note(f"±{high}", x + width / 2, below, size=11)]
    notes = [
        note(low, x, below, size=11, xanchor="left"),
        note("0", x + width / 2, below, size=11),
        note(high, x + width, below, size=11, xanchor="right"),
    ]
    return trace, notes


def network_overview(
    input_image: Any,
    activations: Sequence[Any],
    probabilities: Any,
    class_names: Sequence[str],
    *,
    predicted: int,
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
        activations: `cnnviz.features.feature_maps` output (LayerActivation: name, type, output).
        probabilities: ndarray of shape (n_classes,).
        class_names: one name per class.
        predicted: the predicted class (`cnnviz.metrics.predicted_classes`), drawn blue.
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
        note("<b>input</b>", image_size / 2, 24, size=15),
        note(shape_label(np.shape(input_image)), image_size / 2, 46, size=12),
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
        subtitle = shape_label(maps.shape)
        if count < maps.shape[2]:
            subtitle += f"<br>first {count} of {maps.shape[2]}"
        notes += [
            note(f"<b>{activation.name}</b>", centre, 24, size=14),
            note(subtitle, centre, 38, size=12, yanchor="top"),
        ]
        bar, labels = _colour_bar(limit, centre - 46, OVERVIEW_TOP + column_height + 14, 92)
        traces.append(bar)
        notes += labels
        x += max(OVERVIEW_PITCH, block + 60)
    flat = [a.name for a in activations if np.ndim(a.output) != 3]
    if flat:  # the layers between the last maps and the output, not drawn
        listed = ", ".join(flat[:3]) + (", ..." if len(flat) > 3 else "")
        notes.append(note(f"after {listed}", x + 80, OVERVIEW_TOP - 8, size=11))
    shapes, more = _probability_column(
        probabilities,
        class_names,
        predicted=predicted,
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
    layout = base_layout(
        "",
        int(height * fit) + 20,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        annotations=notes,
        shapes=frames + shapes,
    )
    layout["xaxis"] = hidden_axis(range=[-10, width])
    layout["yaxis"] = hidden_axis(range=[height, 0], scaleanchor="x")
    figure = make_figure(traces, layout)
    return with_text(
        figure, *_overview_text(input_image, activations, probabilities, class_names, predicted)
    )


def _overview_text(
    input_image: Any,
    activations: Sequence[Any],
    probabilities: Any,
    class_names: Sequence[str],
    predicted: int,
) -> tuple[str, list[dict]]:
    """One row per column of the drawing (input, each layer, each class)."""
    p = np.asarray(probabilities, dtype=float)
    spatial = [a.name for a in activations if np.ndim(a.output) == 3]
    listed = ", ".join(spatial) if len(spatial) <= 4 else f"{spatial[0]} to {spatial[-1]}"
    summary = (
        f"The input {shape_label(np.shape(input_image))} passes through "
        f"{counted(len(spatial), 'layer')} of feature maps"
        + (f" ({listed})" if spatial else "")
        + f" to {counted(len(p), 'class probability', 'class probabilities')}; the model "
        f"answers {class_names[predicted]} ({percent(p[predicted])})"
    )
    empty = {"part": "", "type": "", "shape": "", "lowest": None, "highest": None}
    table = [{**empty, "part": "input", "shape": shape_label(np.shape(input_image))}]
    for activation in activations:
        values = np.asarray(activation.output, dtype=float)
        finite = values[np.isfinite(values)]
        table.append(
            {
                "part": activation.name,
                "type": activation.type,
                "shape": shape_label(values.shape),
                "lowest": float(finite.min()) if finite.size else None,
                "highest": float(finite.max()) if finite.size else None,
            }
        )
    table = [{**row, "probability": None} for row in table]
    table += [
        {**empty, "part": name, "type": "class", "probability": float(p[i])}
        for i, name in enumerate(class_names)
    ]
    return summary, table


def _probability_column(
    probabilities: Any,
    class_names: Sequence[str],
    *,
    predicted: int,
    x: float,
    top: float,
    height: float,
    max_classes: int,
) -> tuple[list[dict], list[dict]]:
    """Bars of the class probabilities, predicted class in blue, as shapes and notes."""
    p = np.asarray(probabilities, dtype=float)
    order = np.arange(len(p)) if len(p) <= max_classes else np.argsort(-p)[:max_classes]
    best = int(predicted)
    pitch = min(height / len(order), 52.0)
    y0 = top + (height - pitch * len(order)) / 2
    title = (
        "<b>output</b>"
        if len(order) == len(p)
        else (f"<b>output</b><br>top {len(order)} of {len(p)}")
    )
    notes = [note(title, x + 80, 24, size=14, yanchor="top" if "<br>" in title else "middle")]
    shapes = []
    for row, index in enumerate(order):
        y = y0 + row * pitch + pitch / 2
        color = PREDICTED_COLOR if index == best else OTHER_COLOR
        name = as_text(class_names[index])
        name = f"<b>{name}</b> {ANSWER_MARK}" if index == best else name
        notes.append(note(name, x, y - 9, size=14, xanchor="left"))
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
                "name": f"class {as_text(class_names[index])}",
            }
        )
        notes.append(
            note(
                f"{p[index]:.0%}",
                x + 6 + 150 * p[index],
                y + 7,
                size=13,
                xanchor="left",
                color=PREDICTED_COLOR if index == best else TEXT_COLOR,  # grey text is faint
            )
        )
    return shapes, notes
