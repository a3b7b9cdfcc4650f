"""Reading images people bring, safely: uploads, photos, files in a user's archive.

Every image a user gives goes through `open_image`: decompression bombs are refused
before their pixels are decoded, EXIF rotation is applied, and anything Pillow cannot
read is a `CnnvizError` naming the file, never a traceback.
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
    "open_image",
    "read_image",
    "sample_photo",
    "save_png",
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
        raise CnnvizError(
            f"{label} declares a huge pixel count (a decompression bomb?); refused"
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
        raise CnnvizError(f"images have 1 or 3 channels; received channels={channels}")
    if size is not None and (image.height, image.width) != tuple(size):
        image = image.resize((size[1], size[0]), Image.Resampling.BILINEAR)
    array = np.asarray(image, dtype=np.uint8)
    return array[..., None] if array.ndim == 2 else array


def read_image(
    source: ImageSource,
    *,
    size: tuple[int, int] | None = None,
    channels: int | None = None,
    name: str | None = None,
) -> np.ndarray:
    """`open_image` then `to_array`: ndarray of shape (height, width, channels), uint8."""
    return to_array(open_image(source, name=name), size=size, channels=channels)


def save_png(array: np.ndarray, path: str | os.PathLike) -> Path:
    """Write uint8 pixels of shape (H, W), (H, W, 1) or (H, W, 3) as a PNG."""
    array = np.asarray(array, dtype=np.uint8)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    path = Path(path)
    Image.fromarray(array).save(path, format="PNG")
    return path


def sample_photo(name: str) -> np.ndarray:
    """One of scikit-learn's sample photos, as `sklearn.datasets.load_sample_image` gives it.

    Read straight from scikit-learn's package folder: importing `sklearn.datasets` takes
    about two seconds, which the first page of the app should not wait for.

    Returns:
        uint8 ndarray of shape (427, 640, 3).
    """
    import importlib.util

    if name not in SAMPLE_PHOTOS:
        raise CnnvizError(f"sample photos are {', '.join(SAMPLE_PHOTOS)}; received {name!r}")
    spec = importlib.util.find_spec("sklearn")
    path = Path(spec.origin).parent / "datasets" / "images" / name if spec else None
    if path is None or not path.is_file():
        from sklearn.datasets import load_sample_image

        return load_sample_image(name)
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)
