"""The Keras layers of an augmentation spec: the ones that train, and preview, with it.

The random draws come from Keras's own preprocessing layers (RandomFlip,
RandomRotation, RandomShear, RandomZoom, RandomTranslation), through their public
`get_random_transformation`. Each draw is an output-to-input pixel mapping; instead of
warping the batch once per layer (four bilinear resamplings, each blurring the image a
little more and reflecting the previous layer's reflections), `Augmentation` multiplies
the mappings and warps once with `keras.ops.image.affine_transform`, the op those
layers call. Same draws, same geometry, one interpolation: sharper and about four times
faster, which matters both for live previews and for training on two CPU cores.
tests/test_augment_layers.py checks each mapping against the layer's own
`transform_images`. Brightness is a small multiplier (`RandomMultiply`), since Keras's
RandomBrightness adds rather than multiplies.

Importing this module imports Keras; modules that only read or write specs import
`cnnviz.augment` instead.
"""

from __future__ import annotations

import functools
import math
import threading
from typing import Any

import keras
import numpy as np
from keras import ops

from cnnviz import checks
from cnnviz.augment import FILL_MODE, AugmentSpec
from cnnviz.errors import CnnvizError

__all__ = ["MAX_PREVIEWS", "Augmentation", "RandomMultiply", "augmentation_layer", "preview"]

MAX_PREVIEWS = 64  # variants per preview: a screenful
_PREVIEW_CHUNK = 16_000_000  # float32 values per layer call when previewing (64 MB)


def _layer_seed(seed: int, index: int) -> int:
    """The seed of the `index`-th random layer of an augmentation seeded with `seed`."""
    return (seed * 1_000_003 + index) % (2**31 - 1)


def _geometry_layers(spec: AugmentSpec, seeds: list[int | None]) -> list:
    """Keras's geometric preprocessing layers for the spec, in the order applied."""
    common = {"fill_mode": FILL_MODE, "interpolation": "bilinear"}
    layers = []
    if spec.flip_left_right:  # two layers: Keras's "horizontal_and_vertical" flips both
        layers.append(keras.layers.RandomFlip("horizontal", seed=seeds.pop(0)))  # or none
    if spec.flip_up_down:
        layers.append(keras.layers.RandomFlip("vertical", seed=seeds.pop(0)))
    if spec.rotation_degrees:  # Keras's factor is a fraction of a full turn
        layers.append(
            keras.layers.RandomRotation(spec.rotation_degrees / 360, seed=seeds.pop(0), **common)
        )
    if spec.shear_degrees:  # Keras's factor is a slope: x_in = x_out + factor * y_out
        slope = min(math.tan(math.radians(spec.shear_degrees)), 1.0)
        layers.append(
            keras.layers.RandomShear(x_factor=slope, y_factor=0.0, seed=seeds.pop(0), **common)
        )
    if spec.zoom != (1.0, 1.0):  # Keras samples 1 + factor times wider: factor < 0 enlarges
        low, high = spec.zoom
        layers.append(
            keras.layers.RandomZoom((1 / high - 1, 1 / low - 1), seed=seeds.pop(0), **common)
        )
    if spec.width_shift or spec.height_shift:  # Keras takes fractions either way, as we do
        layers.append(
            keras.layers.RandomTranslation(
                spec.height_shift, spec.width_shift, seed=seeds.pop(0), **common
            )
        )
    return layers


def _mapping(layer, transformation: dict, height, width):
    """A geometric layer's draw as output-to-input pixel mappings, shape (B, 3, 3)."""

    def matrices(rows):  # rows: 6 tensors of shape (B,), the top two rows of each matrix
        zero, one = ops.zeros_like(rows[0]), ops.ones_like(rows[0])
        return ops.reshape(ops.stack([*rows, zero, zero, one], axis=1), (-1, 3, 3))

    name = type(layer).__name__
    if name == "RandomFlip":  # x_in = width - 1 - x_out when flipped
        flipped = ops.cast(ops.reshape(transformation["flips"], (-1,)), "float32")
        sign, size = 1 - 2 * flipped, (width if layer.mode == "horizontal" else height)
        one, zero = ops.ones_like(sign), ops.zeros_like(sign)
        if layer.mode == "horizontal":
            return matrices([sign, zero, flipped * (size - 1), zero, one, zero])
        return matrices([one, zero, zero, zero, sign, flipped * (size - 1)])
    if name == "RandomRotation":  # Keras gives the projective transform itself
        eight = ops.cast(transformation["rotation_matrix"], "float32")
        return ops.reshape(ops.concatenate([eight, ops.ones_like(eight[:, :1])], 1), (-1, 3, 3))
    if name == "RandomShear":
        shear = ops.cast(transformation["shear_factor"], "float32")
        one, zero = ops.ones_like(shear[:, 0]), ops.zeros_like(shear[:, 0])
        return matrices([one, shear[:, 0], zero, shear[:, 1], one, zero])
    if name == "RandomZoom":  # scale about the image centre
        zx = ops.cast(ops.reshape(transformation["width_zoom"], (-1,)), "float32")
        zy = ops.cast(ops.reshape(transformation["height_zoom"], (-1,)), "float32")
        zero = ops.zeros_like(zx)
        return matrices(
            [zx, zero, (width - 1) / 2 * (1 - zx), zero, zy, (height - 1) / 2 * (1 - zy)]
        )
    if name == "RandomTranslation":  # translations are (dx, dy) in pixels
        shift = ops.cast(transformation["translations"], "float32")
        one, zero = ops.ones_like(shift[:, 0]), ops.zeros_like(shift[:, 0])
        return matrices([one, zero, -shift[:, 0], zero, one, -shift[:, 1]])
    raise TypeError(f"no pixel mapping for {name}")  # a programming error, not a user's


@keras.saving.register_keras_serializable(package="cnnviz")
class RandomMultiply(keras.layers.Layer):
    """Multiplies each image's pixels by a factor drawn from [low, high], clipped to
    [0, 1] (Keras's RandomBrightness adds instead). Inputs: float batches of shape
    (B, H, W, C) in [0, 1]; an alpha channel (C = 4) is left alone."""

    def __init__(self, low: float, high: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.low, self.high, self.seed = float(low), float(high), seed
        self.generator = keras.random.SeedGenerator(seed)

    def call(self, images, training=False):
        if not training:
            return images
        if self.low == self.high:  # exactly the multiplier: 0.5 halves exactly
            factor = self.low
        else:
            factor = keras.random.uniform(
                (ops.shape(images)[0], 1, 1, 1),
                minval=self.low,
                maxval=self.high,
                seed=self.generator,
            )
        if images.shape[-1] == 4:
            colour = ops.clip(images[..., :3] * factor, 0.0, 1.0)
            return ops.concatenate([colour, images[..., 3:]], axis=-1)
        return ops.clip(images * factor, 0.0, 1.0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "low": self.low, "high": self.high, "seed": self.seed}


@keras.saving.register_keras_serializable(package="cnnviz")
class Augmentation(keras.layers.Layer):
    """An `AugmentSpec` as Keras preprocessing layers: one warp for the geometric
    layers' draws, then the brightness multiplier.

    Maps float32 batches of shape (B, H, W, C) (or one image (H, W, C)) in [0, 1] to
    the same shape and range. Random only when called with training=True; otherwise
    returns its input unchanged.
    """

    def __init__(self, spec: dict[str, Any], seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.spec = AugmentSpec.from_dict(spec)
        self.seed = seed
        seeds = [None if seed is None else _layer_seed(seed, i) for i in range(7)]
        self.geometry = _geometry_layers(self.spec, seeds)
        self.brightness = None
        if self.spec.brightness != (1.0, 1.0):
            self.brightness = RandomMultiply(*self.spec.brightness, seed=seeds.pop(0))

    def build(self, input_shape):
        for layer in self.random_layers:
            layer.build(input_shape)

    @property
    def random_layers(self) -> list:
        return self.geometry + ([] if self.brightness is None else [self.brightness])

    def call(self, images, training=False):
        if not training or not self.random_layers:
            return images
        single = len(images.shape) == 3
        if single:
            images = ops.expand_dims(images, 0)
        if self.geometry:
            images = self._warp(images)
        if self.brightness is not None:
            images = self.brightness(images, training=True)  # clips to [0, 1]
        else:  # bilinear mixing stays in [0, 1] up to float rounding
            images = ops.clip(images, 0.0, 1.0)
        return images[0] if single else images

    def _warp(self, images):
        shape = ops.shape(images)
        height = ops.cast(shape[1], "float32")
        width = ops.cast(shape[2], "float32")
        mapping = None
        for layer in self.geometry:  # input = M_first @ ... @ M_last @ output
            draw = layer.get_random_transformation(images, training=True)
            step = _mapping(layer, draw, height, width)
            mapping = step if mapping is None else ops.matmul(mapping, step)
        transform = ops.reshape(mapping, (-1, 9))[:, :8]
        return ops.image.affine_transform(
            images, transform, interpolation="bilinear", fill_mode=FILL_MODE
        )

    def reseed(self, seed: int) -> None:
        """Restart every random layer as if this layer had been built with `seed`."""
        for index, layer in enumerate(self.random_layers):
            state = layer.generator.state
            state.assign(np.array([_layer_seed(seed, index), 0], dtype=state.dtype))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "spec": self.spec.to_dict(), "seed": self.seed}


def augmentation_layer(spec: AugmentSpec, *, seed: int | None = None):
    """The spec as one Keras layer, for the training pipeline and the preview alike.

    Args:
        spec: what to change.
        seed: makes the random draws repeatable; None draws a fresh seed.

    Returns:
        A `keras.layers.Layer` mapping float32 batches of shape (B, H, W, C) in [0, 1]
        to the same shape and range; random only when called with training=True.
    """
    return Augmentation(spec.to_dict(), seed=seed)


# --- the preview ------------------------------------------------------------------------

_preview_lock = threading.Lock()


@functools.lru_cache(maxsize=8)
def _cached_layer(spec: AugmentSpec):
    return augmentation_layer(spec, seed=0)


def _check_image(image: Any) -> np.ndarray:
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise checks.fail(
            "preview's image",
            "uint8 pixels from 0 to 255 (read it with cnnviz.images.read_image)",
            str(image.dtype),
        )
    if image.ndim == 2:
        return image[..., None]
    if image.ndim != 3 or image.shape[2] not in (1, 3, 4) or 0 in image.shape:
        raise CnnvizError(
            "preview needs an image of shape (height, width) or (height, width, 1, 3 or "
            f"4 channels). Received: image.shape={list(image.shape)}"
        )
    return image


def preview(image: np.ndarray, spec: AugmentSpec, *, n: int = 8, seed: int = 0) -> np.ndarray:
    """N augmented variants of one image, drawn by the training layers themselves.

    Args:
        image: uint8 pixels of shape (H, W) or (H, W, C), C in 1, 3 or 4, any size.
        spec: what to change.
        n: how many variants, 1 to MAX_PREVIEWS.
        seed: the same seed gives the same variants; another seed gives others.

    Returns:
        ndarray of shape (n, *image.shape), dtype uint8. For the identity spec every
        variant is the image itself, bit for bit.
    """
    pixels = _check_image(image)
    checks.whole(n, "n", low=1, high=MAX_PREVIEWS, what="variants")
    if spec.is_identity:
        return np.repeat(np.asarray(image)[None], n, axis=0)
    layer = _cached_layer(spec)
    per_call = max(1, _PREVIEW_CHUNK // pixels.size)  # bounds memory for huge photos
    scaled = ops.convert_to_tensor(pixels[None], dtype="float32") / 255
    parts = []
    with _preview_lock:
        layer.reseed(int(seed))
        for start in range(0, n, per_call):
            batch = ops.repeat(scaled, min(per_call, n - start), axis=0)
            parts.append(ops.convert_to_numpy(layer(batch, training=True)))
    variants = np.rint(np.concatenate(parts) * 255).astype(np.uint8)  # layer output is in [0, 1]
    return variants.reshape((n, *np.shape(image)))
