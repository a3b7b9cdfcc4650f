"""The one registry of layer kinds.

Each `LayerKind` knows its Keras class name, the parameters a spec may give (each with
its checker, its default and the widget that edits it), the parameters a new layer of
that kind starts with, and Keras's rules for its output shape and its weight count (from
`cnnviz.shapes`). Nothing here imports TensorFlow: validation answers while someone
types. `keras_layer` imports Keras only when a model is actually built.

A new layer kind is one entry of `LAYER_KINDS` (plus its test).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cnnviz import backbones, checks, shapes
from cnnviz.errors import ParamError, did_you_mean
from cnnviz.layer_params import (
    ACTIVATIONS,
    CHOOSE_ACTIVATION,
    CHOOSE_PADDING,
    COUNT,
    FRACTION,
    NUM_CLASSES,
    NUMBER,
    PADDINGS,
    REQUIRED,
    WHOLE,
    Param,
    Widget,
    activation,
    fraction_open,
    padding_mode,
    positive_int,
    positive_number,
    rate,
    units,
)

__all__ = [
    "ACTIVATIONS",
    "ALIASES",
    "BACKBONE",
    "LAYER_KINDS",
    "NUM_CLASSES",
    "PADDINGS",
    "REQUIRED",
    "LayerKind",
    "Param",
    "Widget",
    "get",
    "keras_layer",
    "keras_names",
]

ALIASES = {"MaxPool2D": "MaxPooling2D", "AvgPool2D": "AveragePooling2D"}
BACKBONE = "Backbone"  # a pretrained network (`cnnviz.backbones`), one layer of a spec


@dataclass(frozen=True)
class LayerKind:
    """A kind of layer a spec may use.

    Attributes:
        name: the Keras class name, e.g. "Conv2D".
        params: keyword arguments the spec may give, with checkers and defaults.
        output_shape: `(input_shape, params) -> output_shape`, raising ShapeError.
        count_params: `(input_shape, params) -> (trainable, non_trainable)`.
        summary: one line for learners saying what the layer does.
        example: the parameters a new layer of this kind starts with on the Build page.
        first_only: it takes the dataset's images itself, so only as the first layer.
    """

    name: str
    params: dict[str, Param]
    output_shape: Callable[[shapes.Shape, dict], shapes.Shape]
    count_params: Callable[[shapes.Shape, dict], tuple[int, int]]
    summary: str
    example: dict[str, Any] = field(default_factory=dict)
    first_only: bool = False

    def resolve_params(self, given: dict[str, Any]) -> dict[str, Any]:
        """Check the given parameters and fill in defaults.

        Raises:
            ParamError: naming the parameter, what it must be and what was received.
        """
        for key in given:
            if key not in self.params:
                hint = did_you_mean(key, self.params)
                allowed = ", ".join(self.params) or "none"
                raise ParamError(f"unknown parameter {key!r}.{hint} {self.name} takes: {allowed}")
        resolved = {}
        for key, param in self.params.items():
            if key in given:
                resolved[key] = param.check(given[key], key)
            elif param.default is REQUIRED:
                raise ParamError(f"missing required parameter {key!r}")
            else:
                resolved[key] = param.default
        return resolved


def blocks(value: Any, name: str) -> int:
    """How many blocks of a backbone train (its registry checks the upper bound)."""
    return checks.whole(value, name, low=0, what="0 keeps it all frozen")


_CONV = {
    "filters": Param(positive_int, widget=COUNT),
    "kernel_size": Param(checks.pair),
    "strides": Param(checks.pair, (1, 1)),
    "padding": Param(padding_mode, "valid", widget=CHOOSE_PADDING),
    "activation": Param(activation, "linear", widget=CHOOSE_ACTIVATION),
    "use_bias": Param(checks.boolean, True, widget=Widget("toggle")),
    "dilation_rate": Param(checks.pair, (1, 1)),
}
_DEPTHWISE = {k: v for k, v in _CONV.items() if k != "filters"} | {
    "depth_multiplier": Param(positive_int, 1, widget=COUNT)
}
_POOL = {
    "pool_size": Param(checks.pair, (2, 2), keras_requires=True),
    "strides": Param(
        checks.optional_pair, None, widget=Widget("text", placeholder="same as pool_size")
    ),
    "padding": Param(padding_mode, "valid", widget=CHOOSE_PADDING),
}
_CONV_EXAMPLE = {"filters": 16, "kernel_size": 3, "padding": "same", "activation": "relu"}

LAYER_KINDS: dict[str, LayerKind] = {
    kind.name: kind
    for kind in [
        LayerKind(
            "Conv2D",
            _CONV,
            shapes.conv_shape,
            shapes.conv_params,
            "slides learned filters over the image; one feature map per filter",
            _CONV_EXAMPLE,
        ),
        LayerKind(
            "SeparableConv2D",
            _CONV | {"depth_multiplier": Param(positive_int, 1, widget=COUNT)},
            shapes.conv_shape,
            shapes.separable_params,
            "a per-channel convolution followed by a 1x1 mix: fewer weights",
            _CONV_EXAMPLE,
        ),
        LayerKind(
            "DepthwiseConv2D",
            _DEPTHWISE,
            shapes.depthwise_shape,
            shapes.depthwise_params,
            "one filter per input channel, channels are not mixed",
            {"kernel_size": 3, "padding": "same", "activation": "relu"},
        ),
        LayerKind(
            "MaxPooling2D",
            _POOL,
            shapes.pool_shape,
            shapes.no_params,
            "keeps the largest value of each window: smaller maps",
            {"pool_size": 2},
        ),
        LayerKind(
            "AveragePooling2D",
            _POOL,
            shapes.pool_shape,
            shapes.no_params,
            "keeps the mean of each window: smaller maps",
            {"pool_size": 2},
        ),
        LayerKind(
            "GlobalMaxPooling2D",
            {},
            shapes.global_pool_shape,
            shapes.no_params,
            "the largest value of each feature map: one number per channel",
        ),
        LayerKind(
            "GlobalAveragePooling2D",
            {},
            shapes.global_pool_shape,
            shapes.no_params,
            "the mean of each feature map: one number per channel",
        ),
        LayerKind(
            "ZeroPadding2D",
            {"padding": Param(checks.padding_amount, ((1, 1), (1, 1)))},
            shapes.zero_padding_shape,
            shapes.no_params,
            "adds a border of zeros",
        ),
        LayerKind(
            "Flatten",
            {},
            shapes.flatten_shape,
            shapes.no_params,
            "unrolls the feature maps into one long vector",
        ),
        LayerKind(
            "Dense",
            {
                "units": Param(units),
                "activation": Param(activation, "linear", widget=CHOOSE_ACTIVATION),
                "use_bias": Param(checks.boolean, True, widget=Widget("toggle")),
            },
            shapes.dense_shape,
            shapes.dense_params,
            "every input connected to every unit",
            {"units": 64, "activation": "relu"},
        ),
        LayerKind(
            "Dropout",
            {"rate": Param(rate, widget=FRACTION)},
            shapes.same_shape,
            shapes.no_params,
            "while training, zeroes a random fraction of values",
            {"rate": 0.25},
        ),
        LayerKind(
            "SpatialDropout2D",
            {"rate": Param(rate, widget=FRACTION)},
            shapes.spatial_dropout_shape,
            shapes.no_params,
            "while training, zeroes whole random feature maps",
            {"rate": 0.1},
        ),
        LayerKind(
            "BatchNormalization",
            {
                "momentum": Param(fraction_open, 0.99, widget=FRACTION),
                "epsilon": Param(positive_number, 0.001, widget=NUMBER),
            },
            shapes.same_shape,
            shapes.batchnorm_params,
            "re-centres and re-scales each channel; steadier training",
        ),
        LayerKind(
            "Activation",
            {"activation": Param(activation, widget=CHOOSE_ACTIVATION)},
            shapes.same_shape,
            shapes.no_params,
            "applies a function to every value",
            {"activation": "relu"},
        ),
        LayerKind(
            "Rescaling",
            {
                "scale": Param(checks.number, widget=NUMBER),
                "offset": Param(checks.number, 0.0, widget=NUMBER),
            },
            shapes.same_shape,
            shapes.no_params,
            "multiplies by scale, then adds offset",
            {"scale": 2.0, "offset": -1.0},
        ),
        LayerKind(
            BACKBONE,
            {
                "name": Param(
                    backbones.backbone_name,
                    keras_requires=True,
                    widget=Widget("choice", tuple(backbones.BACKBONES)),
                ),
                "trainable_blocks": Param(blocks, 0, widget=WHOLE),
            },
            backbones.backbone_shape,
            backbones.backbone_params,
            "a network pretrained on ImageNet's photos: frozen, or its top blocks trained",
            {"name": "squeezenet", "trainable_blocks": 0},
            first_only=True,
        ),
    ]
}


def get(identifier: str) -> LayerKind:
    """The layer kind for a Keras class name (aliases such as MaxPool2D accepted).

    Raises:
        ParamError: for an unknown name, with the closest known one.
    """
    name = ALIASES.get(identifier, identifier) if isinstance(identifier, str) else identifier
    if isinstance(name, str) and name in LAYER_KINDS:
        return LAYER_KINDS[name]
    names = list(LAYER_KINDS) + list(ALIASES)
    hint = did_you_mean(identifier, names)
    raise ParamError(
        f"unknown layer type {identifier!r}.{hint} Known types: {', '.join(LAYER_KINDS)}"
    )


@functools.lru_cache(maxsize=256)
def _snake(name: str) -> str:
    """Keras's default layer-name stem: Conv2D -> conv2d, MaxPooling2D -> max_pooling2d."""
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and not name[i - 1].isupper() and not name[i - 1].isdigit():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def keras_names(types: list[str]) -> list[str]:
    """Names as a fresh Keras session gives them: conv2d, conv2d_1, flatten, ..."""
    seen: dict[str, int] = {}
    names = []
    for t in types:
        stem = _snake(t)
        n = seen.get(stem, 0)
        seen[stem] = n + 1
        names.append(stem if n == 0 else f"{stem}_{n}")
    return names


def keras_layer(
    kind: LayerKind,
    params: dict[str, Any],
    name: str,
    *,
    input_shape: tuple[int | None, ...] = (None, None, 3),
    pretrained: bool = False,
):
    """A Keras layer for checked, resolved parameters (imports Keras on first use).

    A Backbone is a whole Keras model taking `input_shape` images, with its ImageNet
    weights when `pretrained` (`cnnviz.backbones.keras_backbone`).
    """
    if kind.name == BACKBONE:
        return backbones.keras_backbone(
            params["name"],
            input_shape,
            params["trainable_blocks"],
            pretrained=pretrained,
            layer_name=name,
        )
    import keras

    return getattr(keras.layers, kind.name)(name=name, **params)
