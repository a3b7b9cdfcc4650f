"""Image augmentation: the learner's spec, and a preview drawn by the layers that train.

A spec is written in the learner's terms (degrees, fractions of the size, multipliers)::

    {"rotation_degrees": 30, "width_shift": 0.1, "height_shift": 0.1,
     "brightness": [0.7, 1.3], "shear_degrees": 10, "zoom": [0.9, 1.1],
     "flip_left_right": true, "flip_up_down": false}

`cnnviz.augment_layers` turns it into Keras preprocessing layers, and its `preview` runs
those very layers on copies of one image, so what a learner sees is what the model is
trained on. Importing this module does not import TensorFlow.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from cnnviz import checks, json_input
from cnnviz.errors import CnnvizError
from cnnviz.images import tile

__all__ = [
    "FILL_MODE",
    "AugmentSpec",
    "grid_image",
    "read_spec",
]

# Points that a rotation, shift, shear or zoom-out brings in from outside the image are
# filled by mirroring the image at its edge. It is Keras's own default for these layers
# (so the code a learner writes behaves like the preview), photos keep looking like
# photos instead of gaining black corners a model could learn as a cue, and the dark
# borders of digits and Fashion-MNIST items mirror into more dark border.
FILL_MODE = "reflect"
MAX_ROTATION = 180.0  # degrees either way; 180 already covers every angle
MAX_SHEAR = 45.0  # degrees; Keras's RandomShear takes a slope of at most 1 (45 degrees)
MIN_ZOOM = 0.5  # Keras's RandomZoom can at most halve an image


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
        shift = "a fraction of the size, e.g. 0.1 for up to a tenth either way"
        values: dict[str, Any] = {
            "rotation_degrees": checks.between(
                self.rotation_degrees,
                "rotation_degrees",
                0,
                MAX_ROTATION,
                what="degrees either way; 180 covers every angle",
            ),
            "width_shift": checks.between(
                self.width_shift, "width_shift", 0, 1, high_open=True, what=shift
            ),
            "height_shift": checks.between(
                self.height_shift, "height_shift", 0, 1, high_open=True, what=shift
            ),
            "brightness": checks.number_range(
                self.brightness, "brightness", what="pixel multipliers, e.g. [0.7, 1.3]"
            ),
            "shear_degrees": checks.between(
                self.shear_degrees,
                "shear_degrees",
                0,
                MAX_SHEAR,
                what="degrees either way; Keras's RandomShear stops at 45",
            ),
            "zoom": checks.number_range(
                self.zoom, "zoom", what="size multipliers, e.g. [0.9, 1.1]"
            ),
            "flip_left_right": checks.boolean(self.flip_left_right, "flip_left_right"),
            "flip_up_down": checks.boolean(self.flip_up_down, "flip_up_down"),
        }
        if values["brightness"][0] < 0:
            raise checks.fail(
                "brightness multipliers",
                "0 or more (1 keeps the image, 0.5 halves it, 1.5 brightens it)",
                _plain(self.brightness),
            )
        zoom_low = values["zoom"][0]
        if zoom_low <= 0:
            raise checks.fail(
                "zoom",
                "above 0 (1 keeps the size, 2 doubles it, 0.5 halves it), e.g. [0.9, 1.1]",
                _plain(self.zoom),
            )
        if zoom_low < MIN_ZOOM:
            raise checks.fail(
                "zoom",
                f"at least {MIN_ZOOM:g}: Keras's RandomZoom can at most halve an image",
                _plain(self.zoom),
            )
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def is_identity(self) -> bool:
        """True when the spec leaves every image exactly as it is."""
        return self == AugmentSpec()

    def changes(self) -> dict[str, Any]:
        """The settings that differ from no augmentation, as plain JSON values."""
        identity = AugmentSpec().to_dict()
        return {k: v for k, v in self.to_dict().items() if v != identity[k]}

    def describe(self) -> str:
        """The changes in words, e.g. "rotation degrees 30.0, flip left right true"."""
        return ", ".join(
            f"{k.replace('_', ' ')} {json.dumps(v)}" for k, v in self.changes().items()
        )

    def to_dict(self) -> dict[str, Any]:
        """Every setting, ranges as [low, high] lists: plain JSON types."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: Any) -> AugmentSpec:
        """Parse a spec dict; every key is optional, unknown keys are refused."""
        if not isinstance(data, dict):
            raise checks.fail(
                "an augmentation spec",
                'an object such as {"rotation_degrees": 30}, not ' + type(data).__name__,
                data,
            )
        known = [f.name for f in fields(cls)]
        checks.known_keys(data, known, key="augmentation setting")
        return cls(**data)

    @classmethod
    def from_json(cls, text: str | bytes) -> AugmentSpec:
        """Parse a JSON document; a syntax error names its line and column."""
        return cls.from_dict(json_input.parse_json(text, "the augmentation spec"))


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def read_spec(path: str | os.PathLike) -> AugmentSpec:
    """Read an augmentation spec JSON file; problems are `CnnvizError`s naming the file."""
    data = json_input.read_json_file(path, "augmentation spec file")
    try:
        return AugmentSpec.from_dict(data)
    except CnnvizError as err:
        raise CnnvizError(f"{path}: {err}") from None


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
    columns = columns or math.ceil(math.sqrt(len(variants) + 1))
    return tile(np.concatenate([original[None], variants]), columns=columns, gap=gap, fill=255)
