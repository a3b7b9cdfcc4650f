"""Image augmentation: the learner's spec, a preview of it, and the layers that train with it.

A spec is written in the learner's terms (degrees, fractions of the size, multipliers)::

    {"rotation_degrees": 30, "width_shift": 0.1, "height_shift": 0.1,
     "brightness": [0.7, 1.3], "shear_degrees": 10, "zoom": [0.9, 1.1],
     "flip_left_right": true, "flip_up_down": false}

`augmentation_layer` turns it into Keras preprocessing layers (RandomRotation,
RandomTranslation, RandomShear, RandomZoom, RandomFlip, and a small brightness
multiplier, since Keras's RandomBrightness adds rather than multiplies). `preview` runs
those very layers on copies of one image, so what a learner sees is what the model is
trained on. Importing this module does not import TensorFlow; the layers do, when built.
"""

from __future__ import annotations

import difflib
import functools
import json
import math
import os
import threading
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from cnnviz.errors import CnnvizError, parse_json

__all__ = [
    "FILL_MODE",
    "MAX_PREVIEWS",
    "AugmentSpec",
    "augmentation_layer",
    "grid_image",
    "preview",
    "read_spec",
    "sample_photos",
]

# Points that a rotation, shift, shear or zoom-out brings in from outside the image are
# filled by mirroring the image at its edge. It is Keras's own default for these layers
# (so the code a learner writes behaves like the preview), photos keep looking like
# photos instead of gaining black corners a model could learn as a cue, and the dark
# borders of digits and Fashion-MNIST items mirror into more dark border.
FILL_MODE = "reflect"
MAX_PREVIEWS = 64  # variants per preview: a screenful
MAX_ROTATION = 180.0  # degrees either way; 180 already covers every angle
MAX_SHEAR = 45.0  # degrees; Keras's RandomShear takes a slope of at most 1 (45 degrees)
MIN_ZOOM = 0.5  # Keras's RandomZoom can at most halve an image
_PREVIEW_CHUNK = 16_000_000  # float32 values per layer call when previewing (64 MB)


def _received(name: str, value: Any) -> str:
    return f"Received: {name}={json.dumps(value) if _is_jsonable(value) else repr(value)}"


def _is_jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _number(name: str, value: Any, what: str) -> float:
    """A finite int or float (not a bool), as float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CnnvizError(
            f"{name} must be a number ({what}), not {type(value).__name__}. "
            + _received(name, value)
        )
    if not math.isfinite(value):
        raise CnnvizError(f"{name} must be a finite number ({what}). " + _received(name, value))
    return float(value)


def _range(name: str, value: Any, what: str) -> tuple[float, float]:
    """A pair [low, high] with low <= high, or one number meaning [x, x]."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise CnnvizError(
                f"{name} must be a range [low, high] of two numbers ({what}), "
                f"not {len(value)} values. " + _received(name, value)
            )
        low, high = (_number(name, v, what) for v in value)
        if low > high:
            raise CnnvizError(
                f"{name} must be [low, high] with low <= high; swap the two numbers. "
                + _received(name, value)
            )
        return low, high
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = _number(name, value, what)
        return number, number
    raise CnnvizError(
        f"{name} must be a range [low, high] of two numbers ({what}), "
        f"not {type(value).__name__}. " + _received(name, value)
    )


def _between(name: str, value: float, low: float, high: float, hint: str) -> None:
    if not low <= value <= high:
        raise CnnvizError(
            f"{name} must be between {low:g} and {high:g} ({hint}). " + _received(name, value)
        )


@dataclass(frozen=True)
class AugmentSpec:
    """Random changes applied to each training image, in the learner's terms.

    Every setting defaults to the identity; the constructor validates and normalises
    (ints become floats, lists become tuples) and raises `CnnvizError` on a mistake.
    """

    rotation_degrees: float = 0.0  # max rotation either way, in degrees, 0 to 180
    width_shift: float = 0.0  # max horizontal shift either way, fraction of width [0, 1)
    height_shift: float = 0.0  # max vertical shift either way, fraction of height [0, 1)
    brightness: tuple[float, float] = (1.0, 1.0)  # pixel multiplier drawn from the range
    shear_degrees: float = 0.0  # max horizontal shear either way, degrees, 0 to 45
    zoom: tuple[float, float] = (1.0, 1.0)  # size multiplier range; above 1 enlarges
    flip_left_right: bool = False  # mirror half of the images left to right
    flip_up_down: bool = False  # turn half of the images upside down

    def __post_init__(self) -> None:
        degrees = "degrees either way, e.g. 30"
        values: dict[str, Any] = {
            "rotation_degrees": _number("rotation_degrees", self.rotation_degrees, degrees),
            "width_shift": _number("width_shift", self.width_shift, "a fraction, e.g. 0.1"),
            "height_shift": _number("height_shift", self.height_shift, "a fraction, e.g. 0.1"),
            "brightness": _range(
                "brightness", self.brightness, "pixel multipliers, e.g. [0.7, 1.3]"
            ),
            "shear_degrees": _number(
                "shear_degrees", self.shear_degrees, "degrees either way, e.g. 10"
            ),
            "zoom": _range("zoom", self.zoom, "size multipliers, e.g. [0.9, 1.1]"),
        }
        for name in ("flip_left_right", "flip_up_down"):
            flag = getattr(self, name)
            if not isinstance(flag, bool):
                raise CnnvizError(f"{name} must be true or false. " + _received(name, flag))
        _between(
            "rotation_degrees",
            values["rotation_degrees"],
            0,
            MAX_ROTATION,
            "the largest turn either way; 180 covers every angle",
        )
        for name in ("width_shift", "height_shift"):
            if not 0 <= values[name] < 1:
                raise CnnvizError(
                    f"{name} must be at least 0 and below 1 (a fraction of the size, "
                    "e.g. 0.1 for up to a tenth either way). " + _received(name, values[name])
                )
        _between(
            "shear_degrees",
            values["shear_degrees"],
            0,
            MAX_SHEAR,
            "the largest slant either way; Keras's RandomShear stops at 45",
        )
        if values["brightness"][0] < 0:
            raise CnnvizError(
                "brightness multipliers must be 0 or more (1 keeps the image, 0.5 halves "
                "it, 1.5 brightens it). " + _received("brightness", _plain(self.brightness))
            )
        zoom_low = values["zoom"][0]
        if zoom_low <= 0:
            raise CnnvizError(
                "zoom must be above 0 (1 keeps the size, 2 doubles it, 0.5 halves it), "
                "e.g. [0.9, 1.1]. " + _received("zoom", _plain(self.zoom))
            )
        if zoom_low < MIN_ZOOM:
            raise CnnvizError(
                f"zoom must be at least {MIN_ZOOM:g}: Keras's RandomZoom can at most halve "
                "an image. " + _received("zoom", _plain(self.zoom))
            )
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def is_identity(self) -> bool:
        """True when the spec leaves every image exactly as it is."""
        return self == AugmentSpec()

    def to_dict(self) -> dict[str, Any]:
        """Every setting, ranges as [low, high] lists: plain JSON types."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: Any) -> AugmentSpec:
        """Parse a spec dict; every key is optional, unknown keys are refused."""
        if not isinstance(data, dict):
            raise CnnvizError(
                'an augmentation spec must be an object such as {"rotation_degrees": 30}, '
                f"not {type(data).__name__}. " + _received("spec", data)
            )
        known = [f.name for f in fields(cls)]
        for key in data:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f'did you mean "{close[0]}"? ' if close else ""
                raise CnnvizError(
                    f'unknown augmentation setting "{key}"; {hint}known settings: '
                    f"{', '.join(known)}"
                )
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> AugmentSpec:
        """Parse a JSON document; a syntax error names its line and column."""
        return cls.from_dict(parse_json(text, "the augmentation spec"))


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def read_spec(path: str | os.PathLike) -> AugmentSpec:
    """Read an augmentation spec JSON file; problems are `CnnvizError`s naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CnnvizError(f"{path}: no such augmentation spec file") from None
    except IsADirectoryError:
        raise CnnvizError(f"{path} is a folder, not an augmentation spec file") from None
    except UnicodeDecodeError:
        raise CnnvizError(f"{path} is not a text (JSON) file") from None
    try:
        return AugmentSpec.from_json(text)
    except CnnvizError as err:
        raise CnnvizError(f"{path}: {err}") from None


# --- the Keras layers -------------------------------------------------------------------
#
# The random draws come from Keras's own preprocessing layers (RandomFlip,
# RandomRotation, RandomShear, RandomZoom, RandomTranslation), through their public
# `get_random_transformation`. Each draw is an output-to-input pixel mapping; instead of
# warping the batch once per layer (four bilinear resamplings, each blurring the image a
# little more and reflecting the previous layer's reflections), `Augmentation` multiplies
# the mappings and warps once with `keras.ops.image.affine_transform`, the op those
# layers call. Same draws, same geometry, one interpolation: sharper and about four times
# faster, which matters both for live previews and for training on two CPU cores.
# tests/test_augment.py checks each mapping against the layer's own `transform_images`.


def _layer_seed(seed: int, index: int) -> int:
    """The seed of the `index`-th random layer of an augmentation seeded with `seed`."""
    return (seed * 1_000_003 + index) % (2**31 - 1)


def _geometry_layers(spec: AugmentSpec, seeds: list[int | None]) -> list:
    """Keras's geometric preprocessing layers for the spec, in the order applied."""
    import keras

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
    from keras import ops

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


@functools.cache
def _keras_classes() -> tuple[type, type]:
    """Define the two Keras layer classes on first use, so importing needs no Keras."""
    import keras
    from keras import ops

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

    return RandomMultiply, Augmentation


def augmentation_layer(spec: AugmentSpec, *, seed: int | None = None):
    """The spec as one Keras layer, for the training pipeline and the preview alike.

    Args:
        spec: what to change.
        seed: makes the random draws repeatable; None draws a fresh seed.

    Returns:
        A `keras.layers.Layer` mapping float32 batches of shape (B, H, W, C) in [0, 1]
        to the same shape and range; random only when called with training=True.
    """
    _, augmentation = _keras_classes()
    return augmentation(spec.to_dict(), seed=seed)


# --- the preview ------------------------------------------------------------------------

_preview_lock = threading.Lock()


@functools.lru_cache(maxsize=8)
def _cached_layer(spec: AugmentSpec):
    return augmentation_layer(spec, seed=0)


def _check_image(image: Any) -> np.ndarray:
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise CnnvizError(
            f"preview needs uint8 pixels from 0 to 255, not {image.dtype}; read the image "
            "with cnnviz.images.read_image. " + _received("image.dtype", str(image.dtype))
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
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_PREVIEWS:
        raise CnnvizError(f"n must be a whole number from 1 to {MAX_PREVIEWS}. Received: n={n!r}")
    if spec.is_identity:
        return np.repeat(np.asarray(image)[None], n, axis=0)
    from keras import ops

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


def grid_image(
    original: np.ndarray, variants: np.ndarray, *, columns: int | None = None, gap: int = 4
) -> np.ndarray:
    """One mosaic of the original (top left) followed by its variants, on white.

    Args:
        original: uint8 pixels of shape (H, W) or (H, W, C).
        variants: uint8 pixels of shape (n, *original.shape).
        columns: tiles per row; default a near-square layout (3 for 8 variants).
        gap: white pixels between tiles.

    Returns:
        ndarray of shape (rows * H + (rows - 1) * gap, columns * W + (columns - 1) * gap)
        plus original's channel axis if it has one, dtype uint8.
    """
    original, variants = np.asarray(original), np.asarray(variants)
    if variants.shape[1:] != original.shape:
        raise CnnvizError(
            "variants must have the original's shape; Received: "
            f"original.shape={list(original.shape)}, variants.shape={list(variants.shape)}"
        )
    tiles = [original, *variants]
    columns = columns or math.ceil(math.sqrt(len(tiles)))
    if columns < 1:
        raise CnnvizError(f"columns must be 1 or more. Received: columns={columns}")
    rows = math.ceil(len(tiles) / columns)
    height, width = original.shape[:2]
    shape = (rows * height + (rows - 1) * gap, columns * width + (columns - 1) * gap)
    grid = np.full(shape + original.shape[2:], 255, dtype=np.uint8)
    for index, tile in enumerate(tiles):
        top = (index // columns) * (height + gap)
        left = (index % columns) * (width + gap)
        grid[top : top + height, left : left + width] = tile
    return grid


def sample_photos() -> dict[str, np.ndarray]:
    """scikit-learn's sample photos (shipped offline), by file name.

    Returns:
        {"china.jpg": ..., "flower.jpg": ...}, each an ndarray of shape (427, 640, 3),
        dtype uint8.
    """
    from cnnviz.images import SAMPLE_PHOTOS, sample_photo

    return {name: sample_photo(name) for name in SAMPLE_PHOTOS}
