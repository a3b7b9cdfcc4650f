"""The one registry of layer kinds.

Each `LayerKind` knows its Keras class name, the parameters a spec may give (with
defaults and a checker), the rule that turns an input shape into an output shape and
the rule that counts its weights, exactly as Keras does. Nothing here imports
TensorFlow: validation answers while someone types. `keras_layer` imports Keras only
when a model is actually built.

Shapes here never include the batch axis: `(height, width, channels)` for images,
`(features,)` for flat tensors.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ACTIVATIONS",
    "LAYER_KINDS",
    "ALIASES",
    "LayerKind",
    "ParamError",
    "ShapeError",
    "get",
    "keras_layer",
]

ACTIVATIONS = (
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
    "elu",
    "selu",
    "gelu",
    "swish",
    "leaky_relu",
    "linear",
)
PADDINGS = ("valid", "same")
ALIASES = {"MaxPool2D": "MaxPooling2D", "AvgPool2D": "AveragePooling2D"}
NUM_CLASSES = "num_classes"

Shape = tuple[int, ...]


class ParamError(ValueError):
    """A parameter value that does not fit; the message names what was expected."""


class ShapeError(ValueError):
    """A layer that cannot take its input shape; the message carries a hint."""


# --- parameter checkers: value -> normalised value, or ParamError ------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def positive_int(value: Any) -> int:
    if not _is_int(value) or value <= 0:
        raise ParamError(f"must be a positive whole number; received {value!r}")
    return value


def pair(value: Any) -> tuple[int, int]:
    """An int or two ints, as Keras takes `kernel_size=3` or `kernel_size=(3, 5)`."""
    if _is_int(value):
        value = (value, value)
    if (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(_is_int(v) and v > 0 for v in value)
    ):
        return (value[0], value[1])
    raise ParamError(
        f"must be a positive whole number or a pair of them like [3, 3]; received {value!r}"
    )


def optional_pair(value: Any) -> tuple[int, int] | None:
    return None if value is None else pair(value)


def padding_mode(value: Any) -> str:
    if value not in PADDINGS:
        raise ParamError(f"must be 'valid' or 'same'; received {value!r}")
    return value


def activation(value: Any) -> str:
    if value is None:
        return "linear"
    if value not in ACTIVATIONS:
        close = difflib.get_close_matches(str(value), ACTIVATIONS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ParamError(f"must be one of {', '.join(ACTIVATIONS)}; received {value!r}.{hint}")
    return value


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ParamError(f"must be true or false; received {value!r}")
    return value


def number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParamError(f"must be a number; received {value!r}")
    if not math.isfinite(value):
        raise ParamError(f"must be a finite number; received {value!r}")
    return float(value)


def rate(value: Any) -> float:
    value = number(value)
    if not 0.0 <= value < 1.0:
        raise ParamError(
            f"must be at least 0 and below 1 (the fraction of values dropped); received {value!r}"
        )
    return value


def fraction_open(value: Any) -> float:
    value = number(value)
    if not 0.0 < value < 1.0:
        raise ParamError(f"must be between 0 and 1; received {value!r}")
    return value


def positive_number(value: Any) -> float:
    value = number(value)
    if value <= 0:
        raise ParamError(f"must be a positive number; received {value!r}")
    return value


def units(value: Any) -> int | str:
    if value == NUM_CLASSES:
        return NUM_CLASSES
    if not _is_int(value) or value <= 0:
        raise ParamError(f'must be a positive whole number or "num_classes"; received {value!r}')
    return value


def padding_amount(value: Any) -> tuple[tuple[int, int], tuple[int, int]]:
    """ZeroPadding2D's `padding`: 1, [1, 2] or [[top, bottom], [left, right]]."""
    if _is_int(value) and value >= 0:
        return ((value, value), (value, value))
    if isinstance(value, (list, tuple)) and len(value) == 2:
        if all(_is_int(v) and v >= 0 for v in value):
            return ((value[0], value[0]), (value[1], value[1]))
        if all(
            isinstance(v, (list, tuple)) and len(v) == 2 and all(_is_int(x) and x >= 0 for x in v)
            for v in value
        ):
            return ((value[0][0], value[0][1]), (value[1][0], value[1][1]))
    raise ParamError(
        "must be a whole number, [rows, cols] or [[top, bottom], [left, right]] "
        f"(none negative); received {value!r}"
    )


REQUIRED = object()  # marks a parameter that has no default


@dataclass(frozen=True)
class Param:
    """One keyword argument of a layer: its checker and its default."""

    check: Callable[[Any], Any]
    default: Any = REQUIRED
    keras_requires: bool = False  # Keras has no default for it: always write it in code


# --- shape rules ------------------------------------------------------------------


def format_shape(shape: Shape) -> str:
    """A shape as learners read it: (5, 5, 32) -> "5x5x32"."""
    return "x".join(str(s) for s in shape)


def _need_image(shape: Shape, kind: str) -> None:
    if len(shape) != 3:
        raise ShapeError(
            f"needs an image-shaped input (height, width, channels) but receives a "
            f"flat vector of {shape[0]} values; move it before Flatten, Dense and "
            f"global pooling layers"
        )


def _need_flat(shape: Shape, kind: str) -> None:
    if len(shape) != 1:
        raise ShapeError(
            f"needs a flat input but receives a {format_shape(shape)} tensor; add a Flatten "
            f"or GlobalAveragePooling2D layer before it"
        )


def _window_out(size: int, window: int, stride: int, padding: str) -> int:
    """Output length along one axis, as Keras computes it."""
    if padding == "same":
        return (size - 1) // stride + 1
    return (size - window) // stride + 1


def _spatial(
    shape: Shape,
    window: tuple[int, int],
    strides: tuple[int, int],
    padding: str,
    what: str,
    dilation: tuple[int, int] = (1, 1),
) -> tuple[int, int]:
    effective = tuple(d * (k - 1) + 1 for k, d in zip(window, dilation))
    if padding == "valid" and (effective[0] > shape[0] or effective[1] > shape[1]):
        dilated = " (dilated)" if dilation != (1, 1) else ""
        raise ShapeError(
            f"{what} {format_shape(effective)}{dilated} is larger than its "
            f"{format_shape(shape[:2])} input; use padding='same', a smaller {what}, "
            f"or remove a pooling layer before it"
        )
    return tuple(_window_out(n, k, s, padding) for n, k, s in zip(shape[:2], effective, strides))


def _check_strided_dilation(p: dict) -> None:
    if p["strides"] != (1, 1) and p["dilation_rate"] != (1, 1):
        raise ShapeError(
            f"strides {list(p['strides'])} and dilation_rate {list(p['dilation_rate'])} "
            f"cannot both be above 1 (Keras refuses it); set one of them to 1"
        )


def conv_shape(shape: Shape, p: dict) -> Shape:
    _need_image(shape, "Conv2D")
    _check_strided_dilation(p)
    h, w = _spatial(
        shape, p["kernel_size"], p["strides"], p["padding"], "kernel", p["dilation_rate"]
    )
    return (h, w, p["filters"])


def depthwise_shape(shape: Shape, p: dict) -> Shape:
    _need_image(shape, "DepthwiseConv2D")
    _check_strided_dilation(p)
    h, w = _spatial(
        shape, p["kernel_size"], p["strides"], p["padding"], "kernel", p["dilation_rate"]
    )
    return (h, w, shape[2] * p["depth_multiplier"])


def pool_shape(shape: Shape, p: dict) -> Shape:
    _need_image(shape, "pooling")
    strides = p["strides"] or p["pool_size"]
    h, w = _spatial(shape, p["pool_size"], strides, p["padding"], "pool window")
    return (h, w, shape[2])


def global_pool_shape(shape: Shape, p: dict) -> Shape:
    _need_image(shape, "global pooling")
    return (shape[2],)


def zero_padding_shape(shape: Shape, p: dict) -> Shape:
    _need_image(shape, "ZeroPadding2D")
    (top, bottom), (left, right) = p["padding"]
    return (shape[0] + top + bottom, shape[1] + left + right, shape[2])


def flatten_shape(shape: Shape, p: dict) -> Shape:
    return (math.prod(shape),)


def dense_shape(shape: Shape, p: dict) -> Shape:
    _need_flat(shape, "Dense")
    return (p["units"],)


def same_shape(shape: Shape, p: dict) -> Shape:
    return shape


def spatial_dropout_shape(shape: Shape, p: dict) -> Shape:
    _need_image(shape, "SpatialDropout2D")
    return shape


# --- parameter counts: (trainable, non-trainable) -----------------------------------


def _bias(p: dict, n: int) -> int:
    return n if p["use_bias"] else 0


def conv_params(shape: Shape, p: dict) -> tuple[int, int]:
    kh, kw = p["kernel_size"]
    return (kh * kw * shape[2] * p["filters"] + _bias(p, p["filters"]), 0)


def separable_params(shape: Shape, p: dict) -> tuple[int, int]:
    kh, kw = p["kernel_size"]
    mid = shape[2] * p["depth_multiplier"]
    return (kh * kw * mid + mid * p["filters"] + _bias(p, p["filters"]), 0)


def depthwise_params(shape: Shape, p: dict) -> tuple[int, int]:
    kh, kw = p["kernel_size"]
    out = shape[2] * p["depth_multiplier"]
    return (kh * kw * out + _bias(p, out), 0)


def dense_params(shape: Shape, p: dict) -> tuple[int, int]:
    return (shape[0] * p["units"] + _bias(p, p["units"]), 0)


def batchnorm_params(shape: Shape, p: dict) -> tuple[int, int]:
    channels = shape[-1]
    return (2 * channels, 2 * channels)  # gamma, beta; moving mean and variance


def no_params(shape: Shape, p: dict) -> tuple[int, int]:
    return (0, 0)


# --- the registry -------------------------------------------------------------------


@dataclass(frozen=True)
class LayerKind:
    """A kind of layer a spec may use.

    Attributes:
        name: the Keras class name, e.g. "Conv2D".
        params: keyword arguments the spec may give, with checkers and defaults.
        output_shape: `(input_shape, params) -> output_shape`, raising ShapeError.
        count_params: `(input_shape, params) -> (trainable, non_trainable)`.
        summary: one line for learners saying what the layer does.
    """

    name: str
    params: dict[str, Param]
    output_shape: Callable[[Shape, dict], Shape]
    count_params: Callable[[Shape, dict], tuple[int, int]]
    summary: str

    def resolve_params(self, given: dict[str, Any]) -> dict[str, Any]:
        """Check the given parameters and fill in defaults.

        Raises:
            ParamError: naming the parameter, what it must be and what was received.
        """
        resolved = {}
        for key in given:
            if key not in self.params:
                close = difflib.get_close_matches(key, self.params, n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                allowed = ", ".join(self.params) or "none"
                raise ParamError(f"unknown parameter {key!r}.{hint} {self.name} takes: {allowed}")
        for key, param in self.params.items():
            if key in given:
                try:
                    resolved[key] = param.check(given[key])
                except ParamError as err:
                    raise ParamError(f"{key} {err}") from None
            elif param.default is REQUIRED:
                raise ParamError(f"missing required parameter {key!r}")
            else:
                resolved[key] = param.default
        return resolved


_CONV = {
    "filters": Param(positive_int),
    "kernel_size": Param(pair),
    "strides": Param(pair, (1, 1)),
    "padding": Param(padding_mode, "valid"),
    "activation": Param(activation, "linear"),
    "use_bias": Param(boolean, True),
    "dilation_rate": Param(pair, (1, 1)),
}
_DEPTHWISE = {k: v for k, v in _CONV.items() if k != "filters"} | {
    "depth_multiplier": Param(positive_int, 1)
}
_POOL = {
    "pool_size": Param(pair, (2, 2), keras_requires=True),
    "strides": Param(optional_pair, None),
    "padding": Param(padding_mode, "valid"),
}

LAYER_KINDS: dict[str, LayerKind] = {
    kind.name: kind
    for kind in [
        LayerKind(
            "Conv2D",
            _CONV,
            conv_shape,
            conv_params,
            "slides learned filters over the image; one feature map per filter",
        ),
        LayerKind(
            "SeparableConv2D",
            _CONV | {"depth_multiplier": Param(positive_int, 1)},
            conv_shape,
            separable_params,
            "a per-channel convolution followed by a 1x1 mix: fewer weights",
        ),
        LayerKind(
            "DepthwiseConv2D",
            _DEPTHWISE,
            depthwise_shape,
            depthwise_params,
            "one filter per input channel, channels are not mixed",
        ),
        LayerKind(
            "MaxPooling2D",
            _POOL,
            pool_shape,
            no_params,
            "keeps the largest value of each window: smaller maps",
        ),
        LayerKind(
            "AveragePooling2D",
            _POOL,
            pool_shape,
            no_params,
            "keeps the mean of each window: smaller maps",
        ),
        LayerKind(
            "GlobalMaxPooling2D",
            {},
            global_pool_shape,
            no_params,
            "the largest value of each feature map: one number per channel",
        ),
        LayerKind(
            "GlobalAveragePooling2D",
            {},
            global_pool_shape,
            no_params,
            "the mean of each feature map: one number per channel",
        ),
        LayerKind(
            "ZeroPadding2D",
            {"padding": Param(padding_amount, 1)},
            zero_padding_shape,
            no_params,
            "adds a border of zeros",
        ),
        LayerKind(
            "Flatten", {}, flatten_shape, no_params, "unrolls the feature maps into one long vector"
        ),
        LayerKind(
            "Dense",
            {
                "units": Param(units),
                "activation": Param(activation, "linear"),
                "use_bias": Param(boolean, True),
            },
            dense_shape,
            dense_params,
            "every input connected to every unit",
        ),
        LayerKind(
            "Dropout",
            {"rate": Param(rate)},
            same_shape,
            no_params,
            "while training, zeroes a random fraction of values",
        ),
        LayerKind(
            "SpatialDropout2D",
            {"rate": Param(rate)},
            spatial_dropout_shape,
            no_params,
            "while training, zeroes whole random feature maps",
        ),
        LayerKind(
            "BatchNormalization",
            {"momentum": Param(fraction_open, 0.99), "epsilon": Param(positive_number, 0.001)},
            same_shape,
            batchnorm_params,
            "re-centres and re-scales each channel; steadier training",
        ),
        LayerKind(
            "Activation",
            {"activation": Param(activation)},
            same_shape,
            no_params,
            "applies a function to every value",
        ),
        LayerKind(
            "Rescaling",
            {"scale": Param(number), "offset": Param(number, 0.0)},
            same_shape,
            no_params,
            "multiplies by scale, then adds offset",
        ),
    ]
}


def get(identifier: str) -> LayerKind:
    """The layer kind for a Keras class name (aliases such as MaxPool2D accepted).

    Raises:
        ParamError: for an unknown name, with the closest known one.
    """
    name = ALIASES.get(identifier, identifier)
    if isinstance(name, str) and name in LAYER_KINDS:
        return LAYER_KINDS[name]
    names = list(LAYER_KINDS) + list(ALIASES)
    close = difflib.get_close_matches(str(identifier), names, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ParamError(
        f"unknown layer type {identifier!r}.{hint} Known types: {', '.join(LAYER_KINDS)}"
    )


def keras_layer(kind: LayerKind, params: dict[str, Any], name: str):
    """A Keras layer for checked, resolved parameters (imports Keras on first use)."""
    import keras

    return getattr(keras.layers, kind.name)(name=name, **params)
