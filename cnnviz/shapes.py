"""Keras's shape and weight-count rules, one function per layer kind (no TensorFlow).

`*_shape(input_shape, params)` gives a layer's output shape as Keras computes it, or
raises `ShapeError` with a hint; `*_params(input_shape, params)` counts its weights as
(trainable, non-trainable). `cnnviz.layers` puts them into the registry. Shapes never
include the batch axis: `(height, width, channels)` for images, `(features,)` for flat
tensors. `window_output_size` is the one output-size rule of a sliding window (the
Concepts page's arithmetic uses it too).
"""

from __future__ import annotations

import math

from cnnviz.errors import CnnvizError

__all__ = ["Shape", "ShapeError", "format_shape", "window_output_size"]

Shape = tuple[int, ...]


class ShapeError(CnnvizError):
    """A layer that cannot take its input shape; the message carries a hint."""


# --- shape rules ------------------------------------------------------------------


def format_shape(shape: Shape) -> str:
    """A shape as learners read it: (5, 5, 32) -> "5x5x32"."""
    return "x".join(str(s) for s in shape)


def _need_image(shape: Shape) -> None:
    if len(shape) != 3:
        raise ShapeError(
            f"needs an image-shaped input (height, width, channels) but receives a "
            f"flat vector of {shape[0]} values; move it before Flatten, Dense and "
            f"global pooling layers"
        )


def _need_flat(shape: Shape) -> None:
    if len(shape) != 1:
        raise ShapeError(
            f"needs a flat input but receives a {format_shape(shape)} tensor; add a Flatten "
            f"or GlobalAveragePooling2D layer before it"
        )


def window_output_size(size: int, window: int, stride: int, padding: str) -> int:
    """Output length along one axis, as Keras computes it (0 when a 'valid' window does
    not fit): 'same' gives ceil(size / stride), 'valid' floor((size - window) / stride) + 1.
    """
    if padding == "same":
        return -(-size // stride)
    return max((size - window) // stride + 1, 0)


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
    return tuple(
        window_output_size(n, k, s, padding) for n, k, s in zip(shape[:2], effective, strides)
    )


def _check_strided_dilation(p: dict) -> None:
    if p["strides"] != (1, 1) and p["dilation_rate"] != (1, 1):
        raise ShapeError(
            f"strides {list(p['strides'])} and dilation_rate {list(p['dilation_rate'])} "
            f"cannot both be above 1 (Keras refuses it); set one of them to 1"
        )


def conv_shape(shape: Shape, p: dict) -> Shape:
    _need_image(shape)
    _check_strided_dilation(p)
    h, w = _spatial(
        shape, p["kernel_size"], p["strides"], p["padding"], "kernel", p["dilation_rate"]
    )
    return (h, w, p["filters"])


def depthwise_shape(shape: Shape, p: dict) -> Shape:
    _need_image(shape)
    _check_strided_dilation(p)
    h, w = _spatial(
        shape, p["kernel_size"], p["strides"], p["padding"], "kernel", p["dilation_rate"]
    )
    return (h, w, shape[2] * p["depth_multiplier"])


def pool_shape(shape: Shape, p: dict) -> Shape:
    _need_image(shape)
    strides = p["strides"] or p["pool_size"]
    h, w = _spatial(shape, p["pool_size"], strides, p["padding"], "pool window")
    return (h, w, shape[2])


def global_pool_shape(shape: Shape, p: dict) -> Shape:
    _need_image(shape)
    return (shape[2],)


def zero_padding_shape(shape: Shape, p: dict) -> Shape:
    _need_image(shape)
    (top, bottom), (left, right) = p["padding"]
    return (shape[0] + top + bottom, shape[1] + left + right, shape[2])


def flatten_shape(shape: Shape, p: dict) -> Shape:
    return (math.prod(shape),)


def dense_shape(shape: Shape, p: dict) -> Shape:
    _need_flat(shape)
    return (p["units"],)


def same_shape(shape: Shape, p: dict) -> Shape:
    return shape


def spatial_dropout_shape(shape: Shape, p: dict) -> Shape:
    _need_image(shape)
    return shape


# --- parameter counts: (trainable, non-trainable) ---------------------------------


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
