"""The display transforms of feature maps and filters: numpy in, pixels or numbers out.

Figures draw what these return; nothing here computes a model. `normalize_channels` is
the lab's display normalisation; `feature_map_rgb` draws a map on the one diverging
scale of `cnnviz.figures.colors`; `layer_grid` is a layer's maps as one grayscale
picture (the command line's `featuremaps`), `layer_grid_text` its text alternative.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cnnviz.errors import CnnvizError
from cnnviz.figures.alt import FigureText, layer_text
from cnnviz.figures.colors import DIVERGING
from cnnviz.images import enlarge, resize, tile

__all__ = [
    "feature_map_rgb",
    "filter_images",
    "fit_within",
    "heat_overlay",
    "layer_grid",
    "layer_grid_text",
    "normalize_channels",
    "rgb_pixels",
    "symmetric_range",
    "tile_maps",
]


def rgb_pixels(image: Any) -> np.ndarray:
    """A picture as uint8 (h, w, 3): floats in [0, 1] are scaled, grayscale repeated."""
    array = np.asarray(image)
    if array.dtype != np.uint8:
        array = np.clip(np.asarray(array, dtype=float) * 255, 0, 255).round().astype(np.uint8)
    if array.ndim == 2:
        array = array[..., None]
    return np.repeat(array, 3, axis=2) if array.shape[2] == 1 else array[..., :3]


def fit_within(values: Any, side: int) -> np.ndarray:
    """Pixels or a heatmap shrunk (bilinear) so that the longer side is at most `side`, to
    draw: a live camera's 224 x 224 Grad-CAM need not travel as 50,000 numbers each time.

    Args:
        values: uint8, or floats in [0, 1], of shape (H, W) or (H, W, C), C 1 or 3.
        side: the longest side wanted, in pixels.

    Returns:
        The same kind of array (uint8, or float32 in [0, 1]), shape (h, w[, C]) with
        max(h, w) <= side, aspect kept; `values` as they are when they fit.
    """
    array = np.asarray(values)
    height, width = array.shape[:2]
    if max(height, width) <= side:
        return array
    scale = side / max(height, width)
    size = (max(1, round(height * scale)), max(1, round(width * scale)))
    floats = array.dtype != np.uint8
    eight = np.clip(np.rint(array * 255.0), 0, 255).astype(np.uint8) if floats else array
    out = resize(eight if eight.ndim == 3 else eight[..., None], size)
    out = out if array.ndim == 3 else out[..., 0]
    return out.astype(np.float32) / 255.0 if floats else out


def normalize_channels(maps: np.ndarray) -> np.ndarray:
    """The lab's display normalisation, channel by channel.

    Each channel becomes `(x - mean) / std * 64 + 128`, clipped to 0..255, so its
    mean sits at mid-grey and two standard deviations span the range. A constant
    channel becomes flat mid-grey.

    Args:
        maps: ndarray of shape (h, w, channels).

    Returns:
        uint8 ndarray of shape (h, w, channels).
    """
    x = np.asarray(maps, dtype=np.float64)
    mean = x.mean(axis=(0, 1), keepdims=True)
    std = x.std(axis=(0, 1), keepdims=True)
    scaled = (x - mean) / np.where(std > 0, std, 1.0) * 64 + 128
    return np.clip(scaled, 0, 255).astype(np.uint8)


def symmetric_range(values: np.ndarray) -> float:
    """The half-width r of a diverging colour scale [-r, r] for one layer.

    Args:
        values: a layer's activations, any shape.

    Returns:
        The largest absolute value, or 1.0 for an all-zero layer.
    """
    largest = float(np.max(np.abs(values))) if np.size(values) else 0.0
    return largest if largest > 0 and np.isfinite(largest) else 1.0


def tile_maps(
    maps: np.ndarray, *, columns: int | None = None, gap: int = 1, fill: float = np.nan
) -> np.ndarray:
    """A layer's channels side by side in rows, `gap` cells of `fill` between them.

    Args:
        maps: ndarray of shape (h, w, channels).
        columns: maps per row (default: close to a square grid).
        gap: cells between neighbouring maps.
        fill: the value of the gap cells (NaN draws as nothing in plotly).

    Returns:
        ndarray of shape (rows * (h + gap) - gap, columns * (w + gap) - gap); map k
        sits in row k // columns, column k % columns (`cnnviz.images.tile`).
    """
    return tile(np.moveaxis(np.asarray(maps), -1, 0), columns=columns, gap=gap, fill=fill)


def filter_images(kernel: np.ndarray) -> np.ndarray:
    """First-layer filters of a colour model as small RGB pictures.

    All filters share one min-max scaling to [0, 1] (as the lab does), so their
    brightness can be compared.

    Args:
        kernel: ndarray of shape (kh, kw, 3, out_channels).

    Returns:
        float32 ndarray of shape (out_channels, kh, kw, 3) with values in [0, 1].

    Raises:
        CnnvizError: the kernel does not read 3 colour channels.
    """
    if kernel.ndim != 4 or kernel.shape[2] != 3:
        raise CnnvizError(
            f"colour filters need a kernel reading 3 channels (kh, kw, 3, n). "
            f"Received: shape={list(kernel.shape)}"
        )
    low, high = float(kernel.min()), float(kernel.max())
    scaled = (kernel - low) / (high - low) if high > low else np.zeros_like(kernel)
    return np.transpose(scaled, (3, 0, 1, 2)).astype(np.float32)


def _diverging_lut() -> np.ndarray:
    """uint8 (511, 3): level i is the colour of (i - 255) / 255 on DIVERGING (red at -1,
    white at 0, blue at 1), interpolated as plotly interpolates a colour scale."""
    where = [float(p) for p, _ in DIVERGING]
    stops = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for _, c in DIVERGING], float)
    position = np.arange(511, dtype=float) / 510
    rgb = np.stack([np.interp(position, where, stops[:, i]) for i in range(3)], axis=1)
    return rgb.round().astype(np.uint8)


_DIVERGING_LUT = _diverging_lut()


# plotly's "Jet" colour scale (Grad-CAM's usual colours), as its stops
JET = ((0.0, (0, 0, 131)), (0.125, (0, 60, 170)), (0.375, (5, 255, 255)))
JET += ((0.625, (255, 255, 0)), (0.875, (250, 0, 0)), (1.0, (128, 0, 0)))


def heat_overlay(image: Any, heatmap: Any, *, opacity: float = 0.45) -> np.ndarray:
    """A picture under its heatmap in Jet colours, blended as plotly draws a heatmap of
    that opacity over it, as one picture (a live camera's Grad-CAM, sent as a JPEG).

    Args:
        image: pixels of shape (H, W), (H, W, 1) or (H, W, 3), uint8 or floats in [0, 1].
        heatmap: ndarray of shape (H, W), values in [0, 1].
        opacity: how strongly the heatmap covers the picture.

    Returns:
        uint8 ndarray of shape (H, W, 3).
    """
    where = [p for p, _ in JET]
    heat = np.clip(np.asarray(heatmap, dtype=float), 0.0, 1.0)
    colours = np.stack([np.interp(heat, where, [c[i] for _, c in JET]) for i in range(3)], -1)
    blended = (1 - opacity) * rgb_pixels(image).astype(float) + opacity * colours
    return np.clip(np.rint(blended), 0, 255).astype(np.uint8)


def feature_map_rgb(values: Any, *, limit: float | None = None) -> np.ndarray:
    """A feature map as a picture: blue positive, white zero, red negative.

    Args:
        values: ndarray of shape (height, width).
        limit: the value drawn at full colour (default: the largest magnitude), so
            several maps can share one scale.

    Returns:
        uint8 ndarray of shape (height, width, 3).
    """
    array = np.asarray(values, dtype=float)
    if limit is None:
        limit = float(np.abs(array).max(initial=0.0))
    scaled = np.clip(array / max(limit, 1e-9), -1.0, 1.0)
    # 511 levels from -1 to 1 through a lookup table: 10x faster than blending per pixel.
    return _DIVERGING_LUT[np.rint((scaled + 1.0) * 255.0).astype(np.intp)]


def layer_grid(
    activation: Any, *, cell_px: int = 48, gap: int = 2, columns: int | None = None
) -> np.ndarray:
    """One layer's maps as one grayscale picture (for PNG files, no plotting needed).

    Feature maps are normalised channel by channel (`normalize_channels`), enlarged
    (nearest neighbour) to about `cell_px` pixels and tiled in rows with white gaps.
    A flat layer is drawn as one row of cells per up to 32 units, the whole vector
    normalised as one channel.

    Args:
        activation: one layer's output (`cnnviz.features.LayerActivation`).
        cell_px: the smallest side of one enlarged map, in pixels.
        gap: white pixels between maps.
        columns: maps per row (default: close to a square grid).

    Returns:
        uint8 ndarray of shape (height, width).
    """
    values = activation.output
    if values.ndim == 1:
        width = min(len(values), 32)
        cells = np.full(-(-len(values) // width) * width, 255, np.uint8)
        cells[: len(values)] = normalize_channels(values[:, None, None])[:, 0, 0]
        row = cells.reshape(-1, width)[..., None]
        return enlarge(row, side=(cell_px // 2) * max(row.shape[:2]))[..., 0]
    enlarged = enlarge(normalize_channels(values), side=cell_px)
    return tile_maps(enlarged, columns=columns, gap=gap, fill=255)


def layer_grid_text(activation: Any) -> FigureText:
    """The text alternative of `layer_grid`'s picture (its alt text): the layer, its
    channels and their value ranges (`alt.layer_text`)."""
    return layer_text(activation)
