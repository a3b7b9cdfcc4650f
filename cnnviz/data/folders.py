"""`folder:PATH`: a user's folder or .zip of class sub-folders, read safely.

The layout is the one Keras's `image_dataset_from_directory` expects: one sub-folder per
class, images inside (nested folders allowed), optionally all wrapped in one folder.
A user's archive is untrusted, so a .zip is never extracted: members are read into
memory one at a time, after their declared sizes, their compression ratio, the number
of members and the total size have been checked. Member paths that are absolute or
climb out with `..` are ignored (and named in a warning); nothing is ever written.
Every image is decoded by `cnnviz.images.open_image`, which refuses decompression
bombs before decoding their pixels; images that fail are skipped and named.
"""

from __future__ import annotations

import math
import os
import threading
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from cnnviz import archive
from cnnviz.data.dataset import DEFAULT_IMAGE_SIZE, Loaded, check_memory
from cnnviz.data.splits import TEST_FRACTION, Split, fixed_split, stratified_subset
from cnnviz.errors import CnnvizError
from cnnviz.images import ImageSource, open_image, to_array

__all__ = [
    "IMAGE_SUFFIXES",
    "LAYOUT_HINT",
    "MAX_FILES",
    "MAX_MEMBER_BYTES",
    "MAX_TOTAL_BYTES",
    "ClassFolders",
    "ImageEntry",
    "decode_images",
    "load_folder",
]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp")
MAX_FILES = 50_000  # files (or zip members) looked at; cats-vs-dogs has 25,000
MAX_MEMBER_BYTES = 64 * 2**20  # one image file, uncompressed: 64 MiB
MAX_TOTAL_BYTES = 16 * 2**30  # all image files together, uncompressed: 16 GiB
LAYOUT_HINT = "expected PATH/<class>/<image>, e.g. pets/cats/1.jpg and pets/dogs/1.jpg"
ZIP_HINT = f"; give a folder of class sub-folders or a .zip of one ({LAYOUT_HINT})"


@dataclass(frozen=True)
class ImageEntry:
    """One image file of a class folder.

    Attributes:
        class_name: the class sub-folder it is in.
        name: its path inside the folder or archive, as shown in messages.
        key: how to read it (the member name in a zip, the file path in a folder).
    """

    class_name: str
    name: str
    key: str


@dataclass(frozen=True)
class _File:
    path: PurePosixPath  # relative, safe
    key: str
    size: int
    compressed: int | None  # None for a plain file


class ClassFolders:
    """The images of a folder or .zip, listed by class, readable one at a time.

    Use as a context manager (it keeps the zip open). Listing never decompresses.

    Args:
        path: the folder or .zip.
        label: how to call it in messages (default: its path), e.g. an upload's name.
        links: follow symbolic links to files inside a folder (never for an upload).

    Attributes:
        path: the folder or .zip.
        label: how messages call it.
        classes: class names, sorted.
        entries: the image files, in class then path order.
        warnings: what was ignored or refused while listing, one message each.

    Raises:
        CnnvizError: missing path, empty or non-zip file, too many files, too much
            data, or a zip member list that cannot be read.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        max_files: int = MAX_FILES,
        max_member_bytes: int = MAX_MEMBER_BYTES,
        max_total_bytes: int = MAX_TOTAL_BYTES,
        label: str | None = None,
        links: bool = True,
    ):
        self.path = Path(path).expanduser()
        self.label = label or str(self.path)
        self._zip: zipfile.ZipFile | None = None
        self._lock = threading.Lock()
        self._max_member_bytes = max_member_bytes
        self.warnings: list[str] = []
        if self.path.is_dir():
            files = list(_walk_folder(self.path, max_files, self.label, links))
        else:
            self._zip = archive.open_zip(
                self.path,
                max_files,
                name=label,
                what="a folder or a .zip archive",
                hint=ZIP_HINT,
            )
            files = list(self._zip_files())
        try:
            self.entries = tuple(self._classify(files, max_total_bytes))
        except CnnvizError:
            self.close()
            raise
        self.classes = tuple(sorted({e.class_name for e in self.entries}))

    def __enter__(self) -> ClassFolders:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the zip, if any."""
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def source(self, entry: ImageEntry) -> ImageSource:
        """What `open_image` reads for `entry`: a file path, or a zip member's bytes.

        Raises:
            CnnvizError: the member is larger than declared or allowed, or corrupt.
        """
        if self._zip is None:
            return entry.key
        with self._lock:
            return archive.read_member(
                self._zip,
                self._zip.getinfo(entry.key),
                max_bytes=self._max_member_bytes,
                name=entry.name,
            )

    def _zip_files(self) -> Iterator[_File]:
        unsafe = []
        for info in self._zip.infolist():
            if info.is_dir():
                continue
            path = archive.safe_member_path(info.filename)
            if path is None:
                unsafe.append(info.filename)
                continue
            yield _File(path, info.filename, info.file_size, info.compress_size)
        if unsafe:
            self.warnings.append(
                f"ignored {len(unsafe)} zip member(s) with a path that is absolute or "
                f"climbs out of the archive: {', '.join(map(repr, unsafe[:5]))}"
            )

    def _classify(self, files: list[_File], max_total_bytes: int) -> Iterator[ImageEntry]:
        files = [f for f in files if not _is_junk(f.path)]
        depth = 1 if _is_wrapped(files) else 0
        loose, other, total = [], [], 0
        for file in sorted(files, key=lambda f: f.path.parts):
            parts = file.path.parts[depth:]
            if file.path.suffix.lower() not in IMAGE_SUFFIXES:
                other.append(str(file.path))
            elif len(parts) < 2:
                loose.append(str(file.path))
            elif (refusal := self._refusal(file)) is not None:
                self.warnings.append(f"refused {file.path}: {refusal}")
            else:
                total += file.size
                if total > max_total_bytes:
                    raise CnnvizError(
                        f"{self.label} holds more than {archive.mib(max_total_bytes)} of images "
                        "once uncompressed; use a smaller set of images"
                    )
                yield ImageEntry(parts[0], str(file.path), file.key)
        if other:
            self.warnings.append(
                f"ignored {len(other)} file(s) that are not PNG, JPEG, GIF, BMP or WebP "
                f"images: {', '.join(other[:5])}"
            )
        if loose:
            self.warnings.append(
                f"ignored {len(loose)} image(s) outside class folders ({LAYOUT_HINT}): "
                f"{', '.join(loose[:5])}"
            )

    def _refusal(self, file: _File) -> str | None:
        return archive.ratio_refusal(file.size, file.compressed, self._max_member_bytes)


def decode_images(
    folders: ClassFolders,
    entries: list[ImageEntry],
    *,
    size: tuple[int, int],
    workers: int | None = None,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Decode images, resized to one shape; unreadable ones are skipped and named.

    Big JPEGs are decoded at a reduced scale (`draft`), so memory stays small.

    Args:
        folders: where the images are.
        entries: the images to decode.
        size: (height, width) every image is resized to.
        workers: decoding threads (default: up to 4, one per core).

    Returns:
        images: ndarray of shape (n, height, width, channels), uint8, with channels 1
            when every image is grayscale, else 3.
        kept: ndarray of shape (n,), int64: the index in `entries` of each image.
        skipped: one message per image that could not be read, naming it.
    """
    workers = workers or min(4, os.cpu_count() or 1)

    def decode(entry: ImageEntry) -> np.ndarray | str:
        try:
            image = open_image(
                folders.source(entry), name=entry.name, draft_size=(size[1], size[0])
            )
            return to_array(image, size=size)
        except CnnvizError as err:
            return str(err)

    arrays, kept, skipped = [], [], []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for index, result in enumerate(pool.map(decode, entries)):
            if isinstance(result, str):
                skipped.append(result)
            else:
                arrays.append(result)
                kept.append(index)
    channels = 3 if any(a.shape[2] == 3 for a in arrays) else 1
    images = np.empty((len(arrays), *size, channels), dtype=np.uint8)
    for i, array in enumerate(arrays):
        images[i] = array  # a grayscale image broadcasts to 3 equal channels
    return images, np.asarray(kept, dtype=np.int64), skipped


def _walk_folder(root: Path, max_files: int, label: str, links: bool) -> Iterator[_File]:
    count = 0
    for folder, dirs, names in os.walk(root):  # symlinked folders are not followed
        dirs[:] = sorted(d for d in dirs if not _is_junk_name(d))
        for name in names:
            count += 1
            if count > max_files:
                raise archive.too_many(label, f"more than {max_files:,}", max_files)
            full = Path(folder, name)
            try:
                if not links and full.is_symlink():
                    continue  # an upload's files are its own, never links out of it
                size = full.stat().st_size
            except OSError:
                continue  # a dangling link
            relative = PurePosixPath(*full.relative_to(root).parts)
            yield _File(relative, str(full), size, None)


def _is_junk_name(name: str) -> bool:
    return name.startswith(".") or name == "__MACOSX" or name == "Thumbs.db"


def _is_junk(path: PurePosixPath) -> bool:
    return any(_is_junk_name(part) for part in path.parts)


def _is_wrapped(files: list[_File]) -> bool:
    """True when everything sits in one folder that itself holds sub-folders."""
    tops = {f.path.parts[0] for f in files}
    if len(tops) != 1 or any(len(f.path.parts) < 2 for f in files):
        return False
    return any(len(f.path.parts) > 2 for f in files)


def load_folder(path: str, options, *, label: str | None = None, links: bool = True) -> Loaded:
    """`folder:PATH` at `options.size` (default 64x64); with `options.limit` only the
    images the limit keeps (plus room for a test split) are decoded.

    Args:
        label: how messages and the description call it (default: `path`), e.g.
            "pets.zip" for an upload: no message then names a folder of the server.
        links: follow symbolic links to files inside a folder.
    """
    size = options.size or DEFAULT_IMAGE_SIZE
    label = label or path
    with ClassFolders(path, label=label, links=links) as folders:
        if len(folders.classes) < 2:
            raise _too_few_classes(folders)
        labels = np.array([folders.classes.index(e.class_name) for e in folders.entries])
        chosen = np.arange(len(labels))
        if options.limit is not None:
            wanted = math.ceil(options.limit / (1 - TEST_FRACTION)) + len(folders.classes)
            chosen = stratified_subset(labels, wanted, np.random.default_rng(options.seed))
        check_memory(len(chosen), (*size, 3))
        images, kept, skipped = decode_images(
            folders, [folders.entries[i] for i in chosen], size=size
        )
        warnings = (*folders.warnings, *(f"skipped {message}" for message in skipped))
    readable = Split(images, labels[chosen[kept]])
    if len(np.unique(readable.labels)) < 2:
        listed = "; ".join(skipped[:3]) + (
            f" (and {len(skipped) - 3} more)" if len(skipped) > 3 else ""
        )
        found = "no readable images" if len(readable) == 0 else "readable images of one class only"
        raise CnnvizError(f"{label} has {found}: {listed}")
    train, test = fixed_split(readable)
    description = (
        f"images from {label}: {len(folders.classes)} class folders, resized to {size[0]}x{size[1]}"
    )
    return Loaded(description, folders.classes, train, test, warnings)


def _too_few_classes(folders: ClassFolders) -> CnnvizError:
    found = (
        f"only one, {folders.classes[0]!r}" if folders.classes else "no images in class sub-folders"
    )
    notes = f" ({'; '.join(folders.warnings)})" if folders.warnings else ""
    return CnnvizError(
        f"{folders.label} needs at least 2 class sub-folders of images and has {found}"
        f"{notes}; {LAYOUT_HINT}"
    )
