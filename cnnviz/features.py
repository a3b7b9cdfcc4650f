"""Looking inside a trained model: every layer's feature maps, and the filters.

Feature maps of every layer come from one forward pass of a multi-output model
(`keras.Model(model.input, [layer.output, ...])`), built once per model and called
directly as a graph function (`cnnviz.forward`): no `model.predict` per image. A
pretrained backbone is looked inside: its own layers come first, then the head's
(`cnnviz.build.all_layers`). The figures (`cnnviz.figures`) draw what these return.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cnnviz.build import all_layers, find_layer, model_layers
from cnnviz.errors import CnnvizError
from cnnviz.forward import cached, graph_function, image_batch, tapped

__all__ = [
    "CONV_TYPES",
    "LayerActivation",
    "channel_peaks",
    "conv_layer_names",
    "feature_maps",
    "filters",
]

CONV_TYPES = ("Conv2D", "SeparableConv2D", "DepthwiseConv2D")
PEAK_BATCH = 128  # images per forward pass when scanning a whole split


@dataclass(frozen=True)
class LayerActivation:
    """What one layer outputs for one image.

    Attributes:
        name: the Keras layer name (equal to the spec's row name).
        type: the Keras class name, e.g. "Conv2D".
        output: ndarray of shape (h, w, channels) for image layers, or (units,)
            for flat ones, float32.
    """

    name: str
    type: str
    output: np.ndarray


def _extractor(model) -> Any:
    """The cached graph function giving every layer's output in one pass."""

    def make():
        return graph_function(model, tapped(model, [l.name for l in all_layers(model)]))

    return cached(model, "features", make)


def feature_maps(model, image: np.ndarray) -> list[LayerActivation]:
    """Every layer's output for one image, in one forward pass.

    Args:
        model: a Keras model (functional, as `build_model` makes, or Sequential).
        image: float pixels as the model takes them, shape (H, W, C) or (1, H, W, C).

    Returns:
        One LayerActivation per layer (input layer excluded), first layer first; a
        backbone's own layers in its place.
    """
    batch = image_batch(model, image)
    outputs = _extractor(model)(batch)
    return [
        LayerActivation(layer.name, type(layer).__name__, np.asarray(out)[0])
        for layer, out in zip(all_layers(model), outputs, strict=True)
    ]


def conv_layer_names(model, *, inside_backbones: bool = True) -> list[str]:
    """Names of the convolution layers, first first (a backbone's too, unless
    `inside_backbones` is False: then only the spec's own)."""
    listed = all_layers(model) if inside_backbones else model_layers(model)
    return [l.name for l in listed if type(l).__name__ in CONV_TYPES]


def filters(model, layer_name: str | None = None) -> np.ndarray:
    """The spatial kernels of a convolution layer.

    For SeparableConv2D and DepthwiseConv2D this is the depthwise kernel, whose last
    axis is the depth multiplier.

    Args:
        model: a Keras model.
        layer_name: a convolution layer; default the first one.

    Returns:
        float32 ndarray of shape (kh, kw, in_channels, out_channels).

    Raises:
        CnnvizError: the model has no such convolution layer.
    """
    names = conv_layer_names(model)
    if not names:
        raise CnnvizError(
            "the model has no convolution layer, so it has no filters to show; add a Conv2D layer"
        )
    name = layer_name or names[0]
    if name not in names:
        raise CnnvizError(
            f"{name!r} is not a convolution layer of this model; choose one of: {', '.join(names)}"
        )
    return np.asarray(find_layer(model, name).get_weights()[0], dtype=np.float32)


def _peak_extractor(model, names: tuple[str, ...]) -> Any:
    """The cached graph function giving each channel's largest absolute output of the
    named layers over a batch (reduced in the graph, so no feature map leaves it)."""

    def make():
        import keras

        extractor = tapped(model, list(names))

        def peaks(x):
            return [keras.ops.max(keras.ops.abs(out), axis=(0, 1, 2)) for out in extractor(x)]

        return graph_function(model, peaks)

    return cached(model, ("channel_peaks", names), make)


def channel_peaks(
    model,
    images: np.ndarray,
    *,
    batch_size: int = PEAK_BATCH,
    layers: list[str] | None = None,
) -> dict[str, np.ndarray]:
    """How strongly each convolution channel ever responds to a set of images.

    A channel whose peak is 0 outputs nothing on any of the images: after a ReLU it is
    a "dead" filter that takes no part in the answers.

    Args:
        model: a Keras model.
        images: float pixels as the model takes them, shape (N, H, W, C), N >= 1.
        batch_size: images per forward pass.
        layers: the convolution layers to scan (default: `conv_layer_names`).

    Returns:
        Convolution layer name -> float32 ndarray of shape (channels,): the largest
        absolute output of each channel over every image and position. Empty when the
        model has no convolution layer.
    """
    names = conv_layer_names(model) if layers is None else list(layers)
    if not names or len(images) == 0:
        return {}
    call = _peak_extractor(model, tuple(names))
    peaks = [np.zeros(find_layer(model, n).output.shape[-1], np.float32) for n in names]
    for start in range(0, len(images), batch_size):
        batch = np.asarray(images[start : start + batch_size], np.float32)
        for i, part in enumerate(call(batch)):
            peaks[i] = np.maximum(peaks[i], np.asarray(part, np.float32))
    return dict(zip(names, peaks, strict=True))
