"""Images as arrays: reading what people bring safely, resizing, tiling, enlarging, PNG.

Every image a user gives goes through `open_image`: decompression bombs are refused
before their pixels are decoded, EXIF rotation is applied, and anything Pillow cannot
read is a `CnnvizError` naming the file, never a traceback. The pixel rules every room
shares live here once: bilinear `resize` (datasets, uploads), `tile` (mosaics of maps
and images), nearest-neighbour `enlarge` (tiny images shown big) and `png_bytes`.
Arrays are uint8 of shape (height, width, channels) unless a function says otherwise.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from cnnviz.errors import CnnvizError

__all__ = [
    "MAX_PIXELS",
    "SAMPLE_PHOTOS",
    "ImageSource",
    "enlarge",
    "jpeg_bytes",
    "open_image",
    "png_bytes",
    "read_image",
    "resize",
    "sample_photo",
    "sample_photos",
    "save_png",
    "tile",
    "to_array",
]

SAMPLE_PHOTOS = ("china.jpg", "flower.jpg")  # scikit-learn's two sample photos

MAX_PIXELS = 40_000_000  # 40 megapixels: larger than any phone photo, far below a bomb
ImageSource = str | os.PathLike | bytes | BinaryIO

Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Set once for the process (a `catch_warnings` block is not thread-safe, and folders are
# decoded on several threads): a bomb warning is an error. The explicit pixel count
# check in `open_image` refuses such images on its own as well.
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)


def _label(source: ImageSource, name: str | None) -> str:
    if name:
        return name
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    return getattr(source, "name", "the image")


def open_image(
    source: ImageSource,
    *,
    name: str | None = None,
    max_pixels: int = MAX_PIXELS,
    draft_size: tuple[int, int] | None = None,
) -> Image.Image:
    """Open an image and return it decoded, upright, in mode "L" or "RGB".

    Args:
        source: a path, raw bytes or a binary file object.
        name: how to call the image in messages (defaults to its path or file name).
        max_pixels: images with more pixels than this are refused before decoding.
        draft_size: (width, height) the caller will shrink to; lets JPEG decode at a
            reduced scale (much faster and smaller for big photos).

    Raises:
        CnnvizError: not an image, truncated, or too large.
    """
    label = _label(source, name)
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    elif isinstance(source, (str, os.PathLike)) and os.path.exists(source):
        if not os.path.isfile(source) and not os.path.isdir(source):  # /dev/zero, a pipe
            raise CnnvizError(f"{label} is not a regular file, not an image")
    try:
        image = Image.open(source)
        width, height = image.size
        if width * height > max_pixels:
            raise CnnvizError(
                f"{label} is {width}x{height} pixels, more than the "
                f"{max_pixels:,} allowed; resize it first"
            )
        if draft_size is not None and image.format == "JPEG":
            image.draft(image.mode, draft_size)
        image.load()
        image = ImageOps.exif_transpose(image)
    except CnnvizError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise CnnvizError(  # Pillow's check, in Image.open, comes before ours
            f"{label} declares a huge pixel count, more than the {MAX_PIXELS:,} allowed "
            "(a decompression bomb?); resize it first"
        ) from None
    except FileNotFoundError:
        raise CnnvizError(f"{label}: no such file") from None
    except IsADirectoryError:
        raise CnnvizError(f"{label} is a folder, not an image") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise CnnvizError(
            f"{label} is not an image cnnviz can read (PNG, JPEG, GIF, BMP or WebP)"
        ) from None
    return _normalise_mode(image)


def _normalise_mode(image: Image.Image) -> Image.Image:
    """Grayscale stays "L"; everything else becomes "RGB" (alpha composited on white)."""
    if image.mode in ("L", "1", "I;16", "I", "F"):
        if image.mode in ("I;16", "I", "F"):
            array = np.asarray(image, dtype=np.float64)
            top = array.max() or 1.0
            return Image.fromarray((array / top * 255).astype(np.uint8), "L")
        return image.convert("L")
    if image.mode == "LA" or image.mode == "PA":
        image = image.convert("RGBA")
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode == "RGBA":
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def to_array(
    image: Image.Image, *, size: tuple[int, int] | None = None, channels: int | None = None
) -> np.ndarray:
    """A Pillow image as uint8 pixels, resized and with the channels a model expects.

    Args:
        image: an image in mode "L" or "RGB" (as `open_image` returns).
        size: (height, width) to resize to, or None to keep the size.
        channels: 1 or 3 to convert, or None to keep ("L" gives 1, "RGB" gives 3).

    Returns:
        ndarray of shape (height, width, channels), dtype uint8.
    """
    if channels == 1:
        image = image.convert("L")
    elif channels == 3:
        image = image.convert("RGB")
    elif channels is not None:
        raise CnnvizError(f"images have 1 or 3 channels. Received: channels={channels}")
    array = np.asarray(image, dtype=np.uint8)
    array = array[..., None] if array.ndim == 2 else array
    return array if size is None else resize(array, size)


def resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """One uint8 image of shape (H, W, C), C 1 or 3, resized bilinearly to (size[0],
    size[1], C) (returned as it is when it has that size already)."""
    image = np.asarray(image)
    if tuple(image.shape[:2]) == tuple(size):
        return image
    channels = image.shape[2]
    picture = Image.fromarray(image[..., 0] if channels == 1 else image)
    array = np.asarray(picture.resize((size[1], size[0]), Image.Resampling.BILINEAR))
    return array.reshape(*size, channels)


def read_image(
    source: ImageSource,
    *,
    size: tuple[int, int] | None = None,
    channels: int | None = None,
    name: str | None = None,
) -> np.ndarray:
    """`open_image` then `to_array`: ndarray of shape (height, width, channels), uint8."""
    return to_array(open_image(source, name=name), size=size, channels=channels)


def _picture(array: np.ndarray) -> Image.Image:
    array = np.asarray(array, dtype=np.uint8)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    return Image.fromarray(array)


def png_bytes(array: np.ndarray, *, compress_level: int = 6) -> bytes:
    """uint8 pixels of shape (H, W), (H, W, 1) or (H, W, 3) encoded as a PNG
    (`compress_level` 1 is fastest, 9 smallest)."""
    buffer = io.BytesIO()
    _picture(array).save(buffer, format="PNG", compress_level=compress_level)
    return buffer.getvalue()


def jpeg_bytes(array: np.ndarray, *, quality: int = 90) -> bytes:
    """uint8 pixels of shape (H, W), (H, W, 1) or (H, W, 3) encoded as a JPEG: photos
    encode ~40x faster than as PNG and 5x smaller."""
    buffer = io.BytesIO()
    _picture(array).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def save_png(array: np.ndarray, path: str | os.PathLike) -> Path:
    """Write uint8 pixels of shape (H, W), (H, W, 1) or (H, W, 3) as a PNG."""
    path = Path(path)
    path.write_bytes(png_bytes(array))
    return path


def enlarge(images: np.ndarray, *, side: int = 96) -> np.ndarray:
    """For display: tiny images blown up into big square pixels (nearest neighbour).

    Args:
        images: ndarray of shape (..., H, W, C), any dtype.
        side: the longer side to reach at least, by a whole factor.

    Returns:
        ndarray of shape (..., H * f, W * f, C), f = ceil(side / max(H, W)) or 1.
    """
    images = np.asarray(images)
    factor = max(1, -(-int(side) // max(images.shape[-3:-1])))
    if factor == 1:
        return images
    return images.repeat(factor, axis=-3).repeat(factor, axis=-2)


def tile(
    tiles: np.ndarray, *, columns: int | None = None, gap: int = 1, fill: float = 255
) -> np.ndarray:
    """Pictures of one shape side by side in rows, `gap` cells of `fill` between them.

    Args:
        tiles: ndarray of shape (n, h, w) or (n, h, w, c).
        columns: tiles per row (default: close to a square grid; at most n).
        gap: cells between neighbouring tiles.
        fill: the value of the gap cells and of empty places (NaN draws as nothing in
            a plotly heatmap).

    Returns:
        ndarray of shape (rows * (h + gap) - gap, columns * (w + gap) - gap[, c]); tile
        k sits in row k // columns, column k % columns. The tiles' dtype when `fill`
        fits in it, else the common dtype.
    """
    tiles = np.asarray(tiles)
    count, h, w = tiles.shape[:3]
    if count < 1:
        raise CnnvizError("there are no pictures to tile")
    if columns is not None and columns < 1:
        raise CnnvizError(f"columns must be 1 or more. Received: columns={columns}")
    columns = max(1, min(columns or int(np.ceil(np.sqrt(count))), count))
    rows = -(-count // columns)
    fits = np.can_cast(np.min_scalar_type(fill), tiles.dtype) and not np.isnan(fill)
    dtype = tiles.dtype if fits else np.result_type(tiles.dtype, np.asarray(fill).dtype)
    grid = np.full(
        (rows * (h + gap) - gap, columns * (w + gap) - gap, *tiles.shape[3:]), fill, dtype
    )
    for index in range(count):
        r, c = divmod(index, columns)
        grid[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = tiles[index]
    return grid


def sample_photo(name: str) -> np.ndarray:
    """One of scikit-learn's sample photos, as `sklearn.datasets.load_sample_image` gives it.

    Read straight from scikit-learn's package folder: importing `sklearn.datasets` takes
    about two seconds, which the first page of the app should not wait for.

    Returns:
        uint8 ndarray of shape (427, 640, 3).
    """
    import importlib.util

    if name not in SAMPLE_PHOTOS:
        raise CnnvizError(f"sample photos are {', '.join(SAMPLE_PHOTOS)}. Received: name={name!r}")
    spec = importlib.util.find_spec("sklearn")
    path = Path(spec.origin).parent / "datasets" / "images" / name if spec else None
    if path is None or not path.is_file():
        from sklearn.datasets import load_sample_image

        return load_sample_image(name)
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


def sample_photos() -> dict[str, np.ndarray]:
    """scikit-learn's sample photos (shipped offline), by file name.

    Returns:
        {"china.jpg": ..., "flower.jpg": ...}, each an ndarray of shape (427, 640, 3),
        dtype uint8.
    """
    return {name: sample_photo(name) for name in SAMPLE_PHOTOS}
