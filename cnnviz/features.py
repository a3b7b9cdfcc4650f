"""Looking inside a trained model: every layer's feature maps, and the filters.

Feature maps of every layer come from one forward pass of a multi-output model
(`keras.Model(model.input, [layer.output, ...])`), built once per model and called
directly as a graph function (`cnnviz.forward`): no `model.predict` per image. The
figures (`cnnviz.figures`) draw what these return.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cnnviz.build import model_layers
from cnnviz.errors import CnnvizError
from cnnviz.forward import cached, graph_function, image_batch, model_input

__all__ = ["CONV_TYPES", "LayerActivation", "conv_layer_names", "feature_maps", "filters"]

CONV_TYPES = ("Conv2D", "SeparableConv2D", "DepthwiseConv2D")


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
        import keras

        outputs = [layer.output for layer in model_layers(model)]
        extractor = keras.Model(model_input(model), outputs, name=f"{model.name}_features")
        return graph_function(model, lambda x: extractor(x, training=False))

    return cached(model, "features", make)


def feature_maps(model, image: np.ndarray) -> list[LayerActivation]:
    """Every layer's output for one image, in one forward pass.

    Args:
        model: a Keras model (functional, as `build_model` makes, or Sequential).
        image: float pixels as the model takes them, shape (H, W, C) or (1, H, W, C).

    Returns:
        One LayerActivation per layer (input layer excluded), first layer first.
    """
    batch = image_batch(model, image)
    outputs = _extractor(model)(batch)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return [
        LayerActivation(layer.name, type(layer).__name__, np.asarray(out)[0])
        for layer, out in zip(model_layers(model), outputs, strict=True)
    ]


def conv_layer_names(model) -> list[str]:
    """Names of the convolution layers, first first."""
    return [l.name for l in model_layers(model) if type(l).__name__ in CONV_TYPES]


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
    return np.asarray(model.get_layer(name).get_weights()[0], dtype=np.float32)
