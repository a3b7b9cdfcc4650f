"""One activation of a convolution, worked out by hand from the trained model.

CNN Explainer's best moment, on the learner's own network: one value of a convolution's
feature map is the sum of the input window times the kernel, plus the bias, through the
activation. `trace_activation` takes the real input to that layer (the previous layer's
output from `cnnviz.features.feature_maps`, one forward pass), the layer's real weights,
and computes that value in numpy with strides, 'same' / 'valid' padding and dilation as
Keras applies them; Keras's own output is kept beside it to compare. `receptive_field`
follows the pixel back through every layer before it (convolutions, pooling, zero
padding, a backbone's resizing, both branches of a Concatenate or an Add) to the
rectangle of input-image pixels it depends on. A pretrained backbone's convolutions
are traced as the head's are: their input is the layer that feeds them
(`cnnviz.build.input_layers`).

All three convolution kinds are traced as the one Conv2D they equal: a DepthwiseConv2D
filter reads only its own input channel; a SeparableConv2D is a depthwise kernel
followed by a 1x1 mix, which multiply into one (kh, kw, in, out) kernel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cnnviz import checks
from cnnviz.build import all_layers, input_layers
from cnnviz.concepts.sizes import same_padding
from cnnviz.errors import CnnvizError
from cnnviz.features import CONV_TYPES, feature_maps
from cnnviz.forward import image_batch

__all__ = ["Trace", "Window", "receptive_field", "trace_activation", "window_of"]

POOL_TYPES = ("MaxPooling2D", "AveragePooling2D")


@dataclass(frozen=True)
class Window:
    """How a sliding-window layer reads its input (one axis pair: rows, columns)."""

    size: tuple[int, int]
    strides: tuple[int, int]
    dilation: tuple[int, int]
    padding: str

    def first(self, in_size: tuple[int, int]) -> tuple[int, int]:
        """The input row and column under output (0, 0)'s top-left kernel cell
        (negative when 'same' padding adds zeros before the input)."""
        if self.padding != "same":
            return (0, 0)
        return tuple(
            -same_padding(n, d * (k - 1) + 1, stride=s)[0]
            for n, k, s, d in zip(in_size, self.size, self.strides, self.dilation)
        )


def window_of(layer) -> Window | None:
    """The sliding window of a convolution or pooling layer; None for other layers."""
    kind = type(layer).__name__
    if kind in CONV_TYPES:
        size, dilation = layer.kernel_size, layer.dilation_rate
    elif kind in POOL_TYPES:
        size, dilation = layer.pool_size, (1, 1)
    else:
        return None
    return Window(tuple(size), tuple(layer.strides), tuple(dilation), layer.padding)


@dataclass(frozen=True)
class Trace:
    """One value of a convolution's output, and the arithmetic that makes it.

    Attributes:
        layer, type: the convolution's Keras name and class name.
        channel, row, col: the value's position in the layer's output (h, w, filters).
        window: float ndarray of shape (kh, kw, c), the input values under the kernel
            (0 where the kernel hangs over 'same' padding).
        padded: bool ndarray of shape (kh, kw), True where the window is padding.
        kernel: float ndarray of shape (kh, kw, c), the weights that meet `window`.
        input_channels: the layer-input channel of each of the c columns.
        origin: (row, col) in the layer's input of the window's top-left cell.
        dilation: (rows, cols) between neighbouring kernel cells.
        bias: the filter's bias (0 without one).
        pre_activation: sum(window * kernel) + bias.
        activation: the name of the layer's activation function.
        value: the activation of pre_activation, computed here.
        keras_value: the same value in Keras's own output of the layer.
        receptive_field: (top, left, bottom, right) input-image pixels, inclusive.
    """

    layer: str
    type: str
    channel: int
    row: int
    col: int
    window: np.ndarray
    padded: np.ndarray
    kernel: np.ndarray
    input_channels: tuple[int, ...]
    origin: tuple[int, int]
    dilation: tuple[int, int]
    bias: float
    pre_activation: float
    activation: str
    value: float
    keras_value: float
    receptive_field: tuple[int, int, int, int]

    @property
    def products(self) -> np.ndarray:
        """window * kernel, shape (kh, kw, c)."""
        return self.window * self.kernel

    @property
    def channel_sums(self) -> np.ndarray:
        """What each input channel adds to the sum, shape (c,)."""
        return self.products.sum(axis=(0, 1))

    def top_channels(self, k: int) -> list[int]:
        """Positions (in the c axis) of the k channels adding most, by size, largest first."""
        order = np.argsort(-np.abs(self.channel_sums), kind="stable")
        return [int(i) for i in order[:k]]

    def to_dict(self) -> dict[str, Any]:
        """The `trace --json` document: {"layer", "value", "pre_activation", "bias",
        "keras_value", "receptive_field", "window", "kernel_shape"}, plus the position,
        the activation's name and the kernel's numbers."""
        return {
            "layer": self.layer,
            "type": self.type,
            "channel": self.channel,
            "row": self.row,
            "col": self.col,
            "value": self.value,
            "pre_activation": self.pre_activation,
            "bias": self.bias,
            "activation": self.activation,
            "keras_value": self.keras_value,
            "receptive_field": list(self.receptive_field),
            "window": self.window.tolist(),
            "kernel": self.kernel.tolist(),
            "kernel_shape": list(self.kernel.shape),
        }


def _conv_layer(model, name: str):
    layers = all_layers(model)
    names = [layer.name for layer in layers if type(layer).__name__ in CONV_TYPES]
    for position, layer in enumerate(layers):
        if layer.name == name:
            if type(layer).__name__ not in CONV_TYPES:
                raise CnnvizError(
                    f"{name!r} is a {type(layer).__name__} layer; only a convolution's "
                    f"values are a window times a kernel. Choose one of: "
                    f"{', '.join(names) or 'none (the model has no convolution)'}"
                )
            return position, layer
    raise CnnvizError(
        f"the model has no layer {name!r}; its convolutions are: {', '.join(names) or 'none'}"
    )


def _full_kernel(layer) -> tuple[np.ndarray, np.ndarray, int]:
    """(kernel (kh, kw, in, out), bias (out,), depth multiplier or 0) as one Conv2D's."""
    kind = type(layer).__name__
    weights = [np.asarray(w, dtype=np.float64) for w in layer.get_weights()]
    if kind == "SeparableConv2D":
        depthwise, pointwise = weights[0], weights[1]
        kh, kw, cin, mult = depthwise.shape
        mix = pointwise.reshape(cin, mult, -1)  # channel c * mult + m of the depthwise output
        kernel = np.einsum("hwcm,cmf->hwcf", depthwise, mix)
        rest, multiplier = weights[2:], 0
    elif kind == "DepthwiseConv2D":
        depthwise = weights[0]
        kh, kw, cin, mult = depthwise.shape
        kernel = np.zeros((kh, kw, cin, cin * mult))
        for c in range(cin):
            kernel[:, :, c, c * mult : (c + 1) * mult] = depthwise[:, :, c, :]
        rest, multiplier = weights[1:], mult
    else:
        kernel, rest, multiplier = weights[0], weights[1:], 0
    bias = rest[0] if rest else np.zeros(kernel.shape[-1])
    return kernel, bias, multiplier


def _checked_position(shape: tuple[int, ...], name: str, channel, row, col) -> tuple[int, ...]:
    h, w, c = shape
    where = f"in {name}'s output of {h}x{w} pixels and {c} channels"
    return (
        checks.whole(channel, "channel", low=0, high=c - 1, what=where),
        checks.whole(row, "row", low=0, high=h - 1, what=where),
        checks.whole(col, "col", low=0, high=w - 1, what=where),
    )


def trace_activation(
    model, image: np.ndarray, *, layer: str, channel: int, row: int, col: int
) -> Trace:
    """The arithmetic of one value of a convolution's output for one image.

    Args:
        model: a trained Keras model as specs build it (a chain of layers, a backbone
            nested as one of them).
        image: float pixels as the model takes them, shape (H, W, C) or (1, H, W, C).
        layer: the convolution's name.
        channel, row, col: the value's position in that layer's output (h, w, filters).

    Returns:
        The Trace: window, kernel, bias, value before and after the activation,
        Keras's own value and the receptive field.

    Raises:
        CnnvizError: no such layer, not a convolution, or a position off the map.
    """
    batch = image_batch(model, image)
    _, conv = _conv_layer(model, layer)
    outputs = {a.name: a.output for a in feature_maps(model, batch)}
    source = input_layers(model)[layer][0]
    inputs = batch[0] if source is None else outputs[source]
    channel, row, col = _checked_position(outputs[layer].shape, layer, channel, row, col)
    window_spec = window_of(conv)
    kernel, bias, multiplier = _full_kernel(conv)
    (sh, sw), (dh, dw) = window_spec.strides, window_spec.dilation
    top, left = window_spec.first(inputs.shape[:2])
    origin = (top + row * sh, left + col * sw)
    rows = origin[0] + dh * np.arange(kernel.shape[0])
    cols = origin[1] + dw * np.arange(kernel.shape[1])
    inside_r = (rows >= 0) & (rows < inputs.shape[0])
    inside_c = (cols >= 0) & (cols < inputs.shape[1])
    window = np.zeros((len(rows), len(cols), inputs.shape[2]))
    read = np.ix_(np.flatnonzero(inside_r), np.flatnonzero(inside_c))
    window[read] = inputs[np.ix_(rows[inside_r], cols[inside_c])]
    # Every filter at this position: an activation such as softmax needs them all.
    pre_all = np.tensordot(window, kernel, axes=([0, 1, 2], [0, 1, 2])) + bias
    activated = np.asarray(conv.activation(pre_all[None]), np.float64)[0]
    used = [channel // multiplier] if multiplier else list(range(inputs.shape[2]))
    return Trace(
        layer=layer,
        type=type(conv).__name__,
        channel=channel,
        row=row,
        col=col,
        window=window[:, :, used],
        padded=~np.outer(inside_r, inside_c),
        kernel=kernel[:, :, used, channel],
        input_channels=tuple(used),
        origin=origin,
        dilation=(dh, dw),
        bias=float(bias[channel]),
        pre_activation=float(pre_all[channel]),
        activation=getattr(conv.activation, "__name__", str(conv.activation)),
        value=float(activated[channel]),
        keras_value=float(outputs[layer][row, col, channel]),
        receptive_field=receptive_field(model, layer, row, col),
    )


def receptive_field(model, layer: str, row: int, col: int) -> tuple[int, int, int, int]:
    """The input-image pixels one output pixel of a layer depends on.

    Walks back through every layer up to `layer`: a convolution or pooling window
    spreads a range of outputs over (range - 1) * stride + dilation * (size - 1) + 1
    inputs (shifted by 'same' padding), zero padding shifts it, layers that keep the
    size (activation, batch norm, dropout, rescaling) pass it on. Zeros added by
    padding are not image pixels: the range is clipped to each layer's input.

    Args:
        model: a Keras model as specs build it (a backbone nested as one layer).
        layer: a layer with (h, w, c) outputs.
        row, col: a pixel of its output.

    Returns:
        (top, left, bottom, right) in input-image pixels, inclusive.

    Raises:
        CnnvizError: an unknown layer, or one the field cannot be followed through.
    """
    layers = all_layers(model)
    chain = [l.name for l in layers]
    if layer not in chain:
        raise CnnvizError(f"the model has no layer {layer!r}; it has: {', '.join(chain)}")
    feeds = input_layers(model)
    boxes: dict[str | None, list[int]] = {layer: [row, row, col, col]}  # top, bottom, left, right
    for current in reversed(layers[: chain.index(layer) + 1]):
        box = boxes.pop(current.name, None)
        if box is not None:
            box = _back(current, box)
            for source in feeds[current.name]:  # None: the image
                boxes[source] = _union(boxes.get(source), box)
    top, bottom, left, right = boxes[None]
    return top, left, bottom, right


def _union(a: list[int] | None, b: list[int]) -> list[int]:
    return b if a is None else [min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3])]


def _back(current, box: list[int]) -> list[int]:
    """The input pixels (top, bottom, left, right) of one layer that its output pixels
    `box` depend on, clipped to its input."""
    box = list(box)
    first_input = current.input[0] if isinstance(current.input, (list, tuple)) else current.input
    in_shape, out_shape = tuple(first_input.shape[1:3]), tuple(current.output.shape[1:3])
    window = window_of(current)
    kind = type(current).__name__
    if window is not None:
        first = window.first(in_shape)
        for axis in (0, 1):
            low, high = box[2 * axis], box[2 * axis + 1]
            reach = window.dilation[axis] * (window.size[axis] - 1)
            box[2 * axis] = first[axis] + low * window.strides[axis]
            box[2 * axis + 1] = first[axis] + high * window.strides[axis] + reach
    elif kind == "ZeroPadding2D":
        (top, _), (left, _) = current.padding
        box = [box[0] - top, box[1] - top, box[2] - left, box[3] - left]
    elif kind == "Resizing":  # bilinear, pixel centres: each output reads 2 neighbours
        for axis in (0, 1):
            scale = in_shape[axis] / out_shape[axis]
            box[2 * axis] = int(np.floor((box[2 * axis] + 0.5) * scale - 0.5))
            box[2 * axis + 1] = int(np.floor((box[2 * axis + 1] + 0.5) * scale - 0.5)) + 1
    elif len(current.output.shape) != 4 or in_shape != out_shape:
        raise CnnvizError(
            f"cannot follow a pixel back through {current.name} "
            f"({kind}): it is not a convolution, pooling or padding (or a backbone's resizing)"
        )
    return [
        int(np.clip(box[0], 0, in_shape[0] - 1)),
        int(np.clip(box[1], 0, in_shape[0] - 1)),
        int(np.clip(box[2], 0, in_shape[1] - 1)),
        int(np.clip(box[3], 0, in_shape[1] - 1)),
    ]
