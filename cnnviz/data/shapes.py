"""The `shapes` images: coloured shapes drawn at random places, sizes and angles.

Generated on the spot (offline, instant, any size), it shows why translation invariance
matters: a circle is a circle wherever it sits, which a convolution sees and a dense
layer on raw pixels has to learn position by position.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

__all__ = ["SHAPE_NAMES", "generate_shapes"]

SHAPE_NAMES = ("circle", "square", "triangle", "star")
_SUPERSAMPLE = 4  # drawn at 4x then shrunk: smooth edges
_MIN_CONTRAST = 90  # difference in grey level between shape and background


def generate_shapes(n: int, *, size: int = 32, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Draw `n` images, as many of each shape as possible (classes differ by at most 1).

    Args:
        n: number of images.
        size: height and width in pixels.
        seed: the same seed draws the same images.

    Returns:
        images: ndarray of shape (n, size, size, 3), uint8.
        labels: ndarray of shape (n,), int64, indices into `SHAPE_NAMES`.
    """
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % len(SHAPE_NAMES)).astype(np.int64)
    images = np.empty((n, size, size, 3), dtype=np.uint8)
    for i, label in enumerate(labels):
        images[i] = _draw(SHAPE_NAMES[label], size, rng)
    return images, labels


def _draw(shape: str, size: int, rng: np.random.Generator) -> np.ndarray:
    big = size * _SUPERSAMPLE
    background, colour = _colours(rng)
    radius = rng.uniform(0.18, 0.4) * big
    centre = rng.uniform(radius, big - radius, size=2)
    angle = rng.uniform(0, 2 * np.pi)
    canvas = Image.new("RGB", (big, big), background)
    draw = ImageDraw.Draw(canvas)
    if shape == "circle":
        x, y = centre
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=colour)
    else:
        draw.polygon(_outline(shape, centre, radius, angle), fill=colour)
    small = canvas.resize((size, size), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.uint8)


def _outline(
    shape: str, centre: np.ndarray, radius: float, angle: float
) -> list[tuple[float, float]]:
    if shape == "square":
        corners, radii = 4, [radius] * 4
    elif shape == "triangle":
        corners, radii = 3, [radius] * 3
    else:  # a five-pointed star: outer and inner points alternate
        corners, radii = 10, [radius, 0.45 * radius] * 5
    turns = angle + 2 * np.pi * np.arange(corners) / corners
    return [(centre[0] + r * np.cos(t), centre[1] + r * np.sin(t)) for r, t in zip(radii, turns)]


def _colours(rng: np.random.Generator) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A background and a shape colour far enough apart in brightness to tell apart."""
    while True:
        background, colour = rng.integers(0, 256, size=(2, 3))
        grey = np.array([0.299, 0.587, 0.114])
        if abs(float(grey @ background) - float(grey @ colour)) >= _MIN_CONTRAST:
            return tuple(int(v) for v in background), tuple(int(v) for v in colour)
