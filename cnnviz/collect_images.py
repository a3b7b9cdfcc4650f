"""The images of a dataset made in the browser: added, removed, read and zipped.

Every image added (a webcam frame, a snapshot, a drawing, a file dropped) is checked by
`cnnviz.images.open_image` (a bomb or a file that is no image is refused, named, and the
others are kept), turned upright, made RGB, shrunk to fit MAX_SIDE x MAX_SIDE and kept
as a JPEG named by the time it was added, in its class's folder (`cnnviz.collect`). A
dataset grows within its desk's room for uploads (`cnnviz.uploads.check_room`): it never
deletes another upload to make room. No Streamlit here.
"""

from __future__ import annotations

import io
import os
import secrets
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cnnviz.collect import dataset_folder, mark_changed, open_made, writing
from cnnviz.data.uploaded import stored_label
from cnnviz.errors import CnnvizError
from cnnviz.images import open_image
from cnnviz.memory import format_bytes
from cnnviz.uploads import check_room

__all__ = [
    "MAX_IMAGE_BYTES",
    "MAX_SIDE",
    "Added",
    "add_images",
    "image_bytes",
    "remove_image",
    "zip_bytes",
]

MAX_SIDE = 256  # pixels: larger than any network here takes (SqueezeNet: 224)
MAX_IMAGE_BYTES = 20 * 10**6  # one image as sent, before it is decoded
JPEG_QUALITY = 90


@dataclass(frozen=True)
class Added:
    """What `add_images` kept: how many images, and one message per image refused."""

    count: int
    refused: tuple[str, ...]


def _encode(data: bytes, name: str) -> bytes:
    """One image as kept: checked, upright, RGB, within MAX_SIDE, as a JPEG."""
    if len(data) > MAX_IMAGE_BYTES:
        raise CnnvizError(
            f"{name} is {format_bytes(len(data))}, more than the "
            f"{format_bytes(MAX_IMAGE_BYTES)} an image may be; use a smaller image"
        )
    image = open_image(data, name=name, draft_size=(MAX_SIDE, MAX_SIDE)).convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def add_images(
    dataset: str,
    name: str,
    images: Iterable[tuple[bytes, str]],
    *,
    desk: str | None,
    runs_dir: str | os.PathLike | None = None,
) -> Added:
    """Add images to class `name`; what is not an image is refused, named, and the rest
    is kept.

    Args:
        images: (bytes, how to call it in a message) of each image: PNG, JPEG, WebP,
            GIF or BMP, as taken, drawn or dropped.

    Raises:
        CnnvizError: no such class, or the images do not fit in the desk's room for
            uploads or its quota (then none is kept).
    """
    made = open_made(dataset, desk=desk, runs_dir=runs_dir)
    made.get(name)
    kept, refused = [], []
    for data, label in images:
        try:
            kept.append(_encode(bytes(data), str(label)))
        except CnnvizError as err:
            refused.append(str(err))
    if not kept:
        return Added(0, tuple(refused))
    what = f"{len(kept)} image{'s' * (len(kept) > 1)} for {name}"
    check_room(sum(map(len, kept)), what, owner=desk, runs_dir=runs_dir)
    folder = dataset_folder(dataset, desk, runs_dir)
    target = folder / name
    for data in kept:
        path = target / f"{time.time_ns():019d}-{secrets.token_hex(3)}.jpg"
        part = target / f".{path.name}.part"  # the folder reader skips dot files
        writing(lambda d=data, p=part: p.write_bytes(d), made.label)
        writing(lambda p=part, q=path: p.replace(q), made.label)
    mark_changed(folder)
    return Added(len(kept), tuple(refused))


def _image_path(dataset: str, name: str, image: str, desk: str | None, runs_dir) -> Path:
    made = open_made(dataset, desk=desk, runs_dir=runs_dir)
    if image not in made.get(name).images:
        raise CnnvizError(f"class {name!r} of {made.label} has no image {str(image)[:40]!r}")
    return dataset_folder(dataset, desk, runs_dir) / name / image


def image_bytes(
    dataset: str,
    name: str,
    image: str,
    *,
    desk: str | None,
    runs_dir: str | os.PathLike | None = None,
) -> bytes:
    """The kept JPEG of one image of class `name` (to show it).

    Raises:
        CnnvizError: no such class or image.
    """
    return _read(_image_path(dataset, name, image, desk, runs_dir))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        raise CnnvizError(
            f"an image of {stored_label(path.parents[1].name)} cannot be read (was it just "
            "removed?); look at the dataset again"
        ) from None


def remove_image(
    dataset: str,
    name: str,
    image: str,
    *,
    desk: str | None,
    runs_dir: str | os.PathLike | None = None,
) -> None:
    """Delete one image of class `name`.

    Raises:
        CnnvizError: no such class or image.
    """
    path = _image_path(dataset, name, image, desk, runs_dir)
    writing(lambda: path.unlink(missing_ok=True), stored_label(path.parents[1].name))
    mark_changed(path.parents[1])


def zip_bytes(
    dataset: str, *, desk: str | None, runs_dir: str | os.PathLike | None = None
) -> bytes:
    """The dataset as a .zip of class folders, `<name>/<class>/<image>.jpg`: what the
    Data page's Upload a zip (or `folder:` on the command line) reads back."""
    made = open_made(dataset, desk=desk, runs_dir=runs_dir)
    folder = dataset_folder(dataset, desk, runs_dir)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # JPEGs: no gain
        for made_class in made.classes:
            for image in made_class.images:
                data = _read(folder / made_class.name / image)
                archive.writestr(f"{made.label}/{made_class.name}/{image}", data)
    return buffer.getvalue()
