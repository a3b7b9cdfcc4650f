"""The image transformer: one kernel over a whole photo, then ReLU and 2x2 max pooling.

What one `Conv2D` filter followed by `MaxPooling2D` does to a picture, vectorised with
`sliding_window_view` (through `convolve`, the same arithmetic as the small grids).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cnnviz.concepts.sliding import convolve
from cnnviz.errors import CnnvizError

__all__ = ["ImageStages", "downscale", "grayscale", "max_pool_2x2", "relu", "transform_image"]


def grayscale(image: Any) -> np.ndarray:
    """Pixels as one channel of brightness, 0-255 float, shape (height, width).

    Accepts (height, width), (height, width, 1) or (height, width, 3); colour is
    weighted as ITU-R 601 luma (0.299 R + 0.587 G + 0.114 B), as Pillow's "L" mode.
    """
    array = np.asarray(image, dtype=float)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    elif array.ndim == 3 and array.shape[2] in (3, 4):
        array = array[..., :3] @ np.array([0.299, 0.587, 0.114])
    if array.ndim != 2:
        raise CnnvizError(
            f"an image must have shape (height, width) or (height, width, 1 or 3). "
            f"Received: {array.shape}"
        )
    return array


def downscale(image: Any, *, max_side: int) -> np.ndarray:
    """Shrink by a whole factor (averaging blocks) until no side exceeds `max_side`.

    Args:
        image: ndarray of shape (height, width) or (height, width, channels).
        max_side: longest side allowed.

    Returns:
        ndarray of shape (height // f, width // f[, channels]), same dtype as the
        input (whole-number pixels are rounded); the image itself when it fits.
    """
    array = np.asarray(image)
    factor = max(1, -(-max(array.shape[:2]) // max_side))
    if factor == 1:
        return array
    height, width = array.shape[0] // factor, array.shape[1] // factor
    cropped = array[: height * factor, : width * factor]
    blocks = cropped.reshape(height, factor, width, factor, *array.shape[2:])
    shrunk = blocks.mean(axis=(1, 3), dtype=float)  # casts chunk by chunk: no float copy
    if np.issubdtype(array.dtype, np.integer):
        shrunk = shrunk.round()
    return shrunk.astype(array.dtype)


def relu(values: Any) -> np.ndarray:
    """max(x, 0) element-wise: negatives become 0. Same shape as `values`."""
    return np.maximum(np.asarray(values, dtype=float), 0.0)


def max_pool_2x2(values: Any) -> np.ndarray:
    """2x2 max pooling, stride 2, 'valid' (Keras's ``MaxPooling2D()`` default).

    Args:
        values: ndarray of shape (height, width), height and width at least 2.

    Returns:
        ndarray of shape (height // 2, width // 2); an odd last row/column is dropped.
    """
    array = np.asarray(values, dtype=float)
    height, width = array.shape[0] // 2, array.shape[1] // 2
    if height == 0 or width == 0:
        raise CnnvizError(f"2x2 max pooling needs at least 2x2 values. Received: {array.shape}")
    blocks = array[: height * 2, : width * 2].reshape(height, 2, width, 2)
    return blocks.max(axis=(1, 3))


@dataclass(frozen=True)
class ImageStages:
    """A photo through one convolution, ReLU and 2x2 max pooling.

    Attributes:
        photo: ndarray of shape (height, width[, 3]), the (downscaled) input, 0-255,
            in the input's dtype.
        gray: ndarray of shape (height, width), its brightness, 0-255.
        feature_map: ndarray of shape (out_height, out_width), the kernel's response.
        relu: the feature map with negatives set to 0, same shape.
        pooled: ndarray of shape (out_height // 2, out_width // 2).
    """

    photo: np.ndarray
    gray: np.ndarray
    feature_map: np.ndarray
    relu: np.ndarray
    pooled: np.ndarray

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Each stage's shape, by stage name, in order."""
        return {
            name: getattr(self, name).shape
            for name in ("photo", "gray", "feature_map", "relu", "pooled")
        }


def transform_image(
    image: Any, kernel: Any, *, stride: Any = 1, padding: str = "valid", max_side: int = 640
) -> ImageStages:
    """Apply `kernel` to a photo's brightness, then ReLU, then 2x2 max pooling.

    Args:
        image: pixels of shape (height, width) or (height, width, 1 or 3), 0-255.
        kernel: numbers of shape (k_rows, k_cols).
        stride, padding: as for `convolve`.
        max_side: the photo is first shrunk by a whole factor to fit this.

    Returns:
        `ImageStages`; the convolution is the same arithmetic as `convolve`.

    Raises:
        CnnvizError: a bad image or kernel, or an impossible combination.
    """
    photo = downscale(image, max_side=max_side)
    gray = grayscale(photo)
    feature_map = convolve(gray, kernel, stride=stride, padding=padding).output
    rectified = relu(feature_map)
    return ImageStages(photo, gray, feature_map, rectified, max_pool_2x2(rectified))
