"""Files users upload to the app (dataset zips), kept under the runs root within a cap.

An upload is stored once, as `<runs root>/_uploads/<desk>/<sha256[:16]>-<its name>` (an
upload of no desk, from the command line or a test, directly in `_uploads/`): the
dataset id `folder:PATH` points at that file, `upload_owner` names the desk it belongs
to, and `dataset_label` gives back the name the user gave it ("pets.zip"), never the
server's path. `discard` deletes an upload that was refused; `store` deletes the oldest
uploads once all of them together (every desk's) pass $CNNVIZ_UPLOADS_MB (default
500 MB). The runs root is checked by `cnnviz.rundir`.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

from cnnviz.checks import desk_name
from cnnviz.errors import CnnvizError
from cnnviz.rundir import ELSEWHERE, checked_root
from cnnviz.settings import settings

__all__ = [
    "UPLOADS_DIR",
    "dataset_label",
    "discard",
    "max_total_bytes",
    "store",
    "upload_name",
    "upload_owner",
]

UPLOADS_DIR = "_uploads"
MAX_NAME = 80  # characters of an upload's name kept in its file name
_STORED = re.compile(r"^[0-9a-f]{16}-(.+)$")
_UNSAFE = re.compile(r"[^\w.+ -]+")


def max_total_bytes() -> int:
    """$CNNVIZ_UPLOADS_MB (`cnnviz.settings`, default 500) in bytes."""
    return settings().uploads_mb * 10**6


def _safe_name(name: str, suffix: str) -> str:
    stem = _UNSAFE.sub("_", Path(str(name)).name).strip(" ._")[:MAX_NAME] or "upload"
    return stem if stem.lower().endswith(suffix) else f"{stem}{suffix}"


def store(
    data: bytes,
    name: str,
    *,
    suffix: str = ".zip",
    runs_dir: str | os.PathLike | None = None,
    limit: int | None = None,
    owner: str | None = None,
) -> Path:
    """Keep an uploaded file; the same bytes and name always give the same path.

    Args:
        data: the file's bytes.
        name: the name it was uploaded as (only its last part is kept, made safe).
        suffix: the file type it must end in.
        limit: bytes all uploads may take together (default `max_total_bytes()`);
            the oldest others are deleted past it.
        owner: the desk it belongs to (a checked short name), or None.

    Returns:
        The stored file's absolute path.

    Raises:
        CnnvizError: the runs folder is a file, read-only or full.
    """
    store_dir = checked_root(runs_dir, create=True) / UPLOADS_DIR
    folder = store_dir / desk_name(owner, "owner") if owner else store_dir
    digest = hashlib.sha256(data).hexdigest()[:16]
    path = (folder / f"{digest}-{_safe_name(name, suffix)}").resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if path.is_file():
            os.utime(path)  # used again: the newest, kept longest
        else:
            part = path.with_name(f".{secrets.token_hex(4)}.part")
            try:
                part.write_bytes(data)
                part.replace(path)
            finally:
                part.unlink(missing_ok=True)
    except OSError as err:
        raise CnnvizError(
            f"the upload cannot be kept in {folder} ({err.strerror or err}); {ELSEWHERE}"
        ) from None
    _prune(store_dir, path, max_total_bytes() if limit is None else limit)
    return path


def _prune(folder: Path, keep: Path, limit: int) -> None:
    """Delete the oldest uploads until all of them fit in `limit` bytes (`keep` stays)."""
    stored = []
    for entry in folder.rglob("*"):
        try:
            if entry.is_file():  # the store's own folder: every file in it counts, any desk's
                info = entry.stat()
                stored.append((info.st_mtime, entry, info.st_size))
        except OSError:
            continue
    total = sum(size for _, _, size in stored)
    for _, entry, size in sorted(stored, key=lambda item: item[0]):
        if total <= limit:
            break
        if entry.resolve() == keep:
            continue
        try:
            entry.unlink()
            total -= size
        except OSError:
            continue


def upload_name(path: str | os.PathLike) -> str | None:
    """The name a stored upload was uploaded as, or None for any other file."""
    path = Path(path)
    match = _STORED.match(path.name)
    inside = UPLOADS_DIR in (path.parent.name, path.parent.parent.name)
    return match.group(1) if match and inside else None


def upload_owner(dataset_id: str) -> str | None:
    """The desk whose upload a `folder:` dataset id is, or None (not a desk's upload)."""
    kind, _, argument = str(dataset_id).partition(":")
    path = Path(argument)
    if kind != "folder" or upload_name(path) is None or path.parent.name == UPLOADS_DIR:
        return None
    return path.parent.name


def discard(path: str | os.PathLike) -> None:
    """Delete a stored upload (a refused one); any other file is left alone."""
    if upload_name(path) is not None:
        Path(path).unlink(missing_ok=True)


def dataset_label(dataset_id: str) -> str:
    """How to name a dataset to people: an uploaded zip by its upload name
    ("pets.zip"), every other id as it is."""
    kind, _, argument = str(dataset_id).partition(":")
    name = upload_name(argument) if kind == "folder" else None
    return name or str(dataset_id)
