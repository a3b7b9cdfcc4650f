"""A user's folder or .zip of class sub-folders, read safely.

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

import os
import threading
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from cnnviz.errors import CnnvizError
from cnnviz.images import ImageSource, open_image, to_array

__all__ = [
    "IMAGE_SUFFIXES",
    "LAYOUT_HINT",
    "MAX_FILES",
    "MAX_MEMBER_BYTES",
    "MAX_RATIO",
    "MAX_TOTAL_BYTES",
    "ClassFolders",
    "ImageEntry",
    "decode_images",
]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp")
MAX_FILES = 50_000  # files (or zip members) looked at; cats-vs-dogs has 25,000
MAX_MEMBER_BYTES = 64 * 2**20  # one image file, uncompressed: 64 MiB
MAX_TOTAL_BYTES = 16 * 2**30  # all image files together, uncompressed: 16 GiB
MAX_RATIO = 200  # uncompressed / compressed size of a zip member above 1 MiB
_RATIO_FLOOR = 2**20  # small members may compress well (a flat BMP icon)
LAYOUT_HINT = "expected PATH/<class>/<image>, e.g. pets/cats/1.jpg and pets/dogs/1.jpg"


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

    Attributes:
        path: the folder or .zip.
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
    ):
        self.path = Path(path).expanduser()
        self._zip: zipfile.ZipFile | None = None
        self._lock = threading.Lock()
        self._max_member_bytes = max_member_bytes
        self.warnings: list[str] = []
        if self.path.is_dir():
            files = list(_walk_folder(self.path, max_files))
        else:
            self._zip = _open_zip(self.path, max_files)
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
            CnnvizError: the member is larger than declared, or corrupt.
        """
        if self._zip is None:
            return entry.key
        limit = self._max_member_bytes
        try:
            with self._lock, self._zip.open(entry.key) as member:
                data = member.read(limit + 1)  # never more, whatever the header says
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
            raise CnnvizError(f"{entry.name} is a corrupt zip member ({err})") from None
        if len(data) > limit:
            raise CnnvizError(f"{entry.name} is larger than the {_mib(limit)} allowed")
        return data

    def _zip_files(self) -> Iterator[_File]:
        unsafe = []
        for info in self._zip.infolist():
            if info.is_dir():
                continue
            path = _safe_member_path(info.filename)
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
                        f"{self.path} holds more than {_mib(max_total_bytes)} of images "
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
        if file.size > self._max_member_bytes:
            return f"{_mib(file.size)} uncompressed, more than {_mib(self._max_member_bytes)}"
        compressed = file.compressed
        if compressed is not None and file.size > _RATIO_FLOOR:
            if file.size > MAX_RATIO * max(compressed, 1):
                return (
                    f"compressed {file.size // max(compressed, 1):,} to 1, more than "
                    f"{MAX_RATIO} to 1 (a zip bomb?)"
                )
        return None


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


def _open_zip(path: Path, max_files: int) -> zipfile.ZipFile:
    if not path.exists():
        raise CnnvizError(
            f"no such folder or .zip: {str(path)!r}; give a folder of class sub-folders "
            f"or a .zip of one ({LAYOUT_HINT})"
        )
    if path.stat().st_size == 0:
        raise CnnvizError(f"{path} is an empty file, not a .zip of class folders")
    try:
        with open(path, "rb") as handle:
            end = zipfile._EndRecData(handle)  # the end record: no member list read yet
    except OSError as err:
        raise CnnvizError(f"cannot read {path}: {err.strerror}") from None
    if not end:
        raise CnnvizError(
            f"{path} is not a folder or a .zip archive; give a folder of class "
            f"sub-folders or a .zip of one ({LAYOUT_HINT})"
        )
    if end[zipfile._ECD_ENTRIES_TOTAL] > max_files:
        raise _too_many(path, end[zipfile._ECD_ENTRIES_TOTAL], max_files)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise CnnvizError(f"{path} is a damaged .zip archive ({err})") from None
    if len(archive.infolist()) > max_files:
        archive.close()
        raise _too_many(path, len(archive.infolist()), max_files)
    return archive


def _walk_folder(root: Path, max_files: int) -> Iterator[_File]:
    count = 0
    for folder, dirs, names in os.walk(root):  # symlinked folders are not followed
        dirs[:] = sorted(d for d in dirs if not _is_junk_name(d))
        for name in names:
            count += 1
            if count > max_files:
                raise _too_many(root, f"more than {max_files:,}", max_files)
            full = Path(folder, name)
            try:
                size = full.stat().st_size
            except OSError:
                continue  # a dangling link
            relative = PurePosixPath(*full.relative_to(root).parts)
            yield _File(relative, str(full), size, None)


def _too_many(path: Path, found: int | str, max_files: int) -> CnnvizError:
    found = f"{found:,}" if isinstance(found, int) else found
    return CnnvizError(
        f"{path} holds {found} files, more than the {max_files:,} allowed; "
        "use a smaller set of images"
    )


def _safe_member_path(name: str) -> PurePosixPath | None:
    """The member's path if it stays inside the archive, else None."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return PurePosixPath(*parts)


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


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"
