"""The built-in datasets, offline: scikit-learn's `digits` and the generated `shapes`."""

from __future__ import annotations

import numpy as np

from cnnviz.data.dataset import Loaded
from cnnviz.data.shapes import SHAPE_NAMES, generate_shapes
from cnnviz.data.splits import SPLIT_SEED, Split, fixed_split
from cnnviz.errors import CnnvizError

__all__ = ["DIGITS", "SHAPES", "load_digits", "load_shapes"]

DEFAULT_SHAPES = 2_000  # images in `shapes`
MAX_SHAPES = 100_000
DIGITS = "scikit-learn's handwritten digits: 1,797 8x8 grayscale images, 10 classes (offline)"
SHAPES = (
    f"generated 32x32 colour shapes, 4 classes ({', '.join(SHAPE_NAMES)}), "
    f"{DEFAULT_SHAPES:,} images; shapes:N for N (offline)"
)


def load_digits(argument: str, options) -> Loaded:
    """`digits`: 8x8 grayscale, scaled from 0-16 to 0-255, with the fixed test split."""
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    images = np.round(bunch.images * (255 / 16)).astype(np.uint8)[..., None]
    train, test = fixed_split(Split(images, bunch.target.astype(np.int64)))
    return Loaded(DIGITS, tuple(str(n) for n in bunch.target_names), train, test)


def load_shapes(argument: str, options) -> Loaded:
    """`shapes` or `shapes:N`: N generated images (default DEFAULT_SHAPES)."""
    n = DEFAULT_SHAPES
    if argument:
        if not argument.isdigit() or not 8 <= int(argument) <= MAX_SHAPES:
            raise CnnvizError(
                f"shapes:N takes a number of images N from 8 to {MAX_SHAPES:,}, e.g. "
                f"shapes:500. Received: 'shapes:{argument}'"
            )
        n = int(argument)
    images, labels = generate_shapes(n, seed=SPLIT_SEED)
    train, test = fixed_split(Split(images, labels))
    description = (
        f"generated 32x32 colour shapes ({', '.join(SHAPE_NAMES)}) at random "
        f"places, sizes, angles and colours: {n:,} images (offline)"
    )
    return Loaded(description, SHAPE_NAMES, train, test)
