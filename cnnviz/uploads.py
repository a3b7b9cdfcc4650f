"""Files users upload to the app (dataset zips, folders made in the browser): each desk's own.

An upload is stored once, as `<runs root>/_uploads/<desk>/<sha256[:16]>-<its name>` (one
of no desk, from the command line or a test, directly in `_uploads/`); a dataset made in
the browser is a folder of class folders stored the same way. Its dataset id,
`upload:<sha256[:16]>-<name>` (`upload_id`), names no server path, and it is always
resolved inside the folder of a desk its caller names (`cnnviz.data.uploaded`): a link, a run or a
bundle can only ever reach the uploads of that desk. `dataset_label` gives back the name
the user gave it ("pets.zip"). Older runs name their upload `folder:<path>`; they are
read as `upload:` ids by `cnnviz.origins`.

Room: a desk's uploads together stay within $CNNVIZ_DESK_UPLOADS_MB and every desk's
within $CNNVIZ_UPLOADS_MB (`cnnviz.settings`); a new upload makes room by deleting its
desk's own oldest uploads, never another desk's, and is refused, with the numbers, when
it still does not fit or would pass the desk's disk quota (`cnnviz.quota`). A desk's
uploads are listed, shared and removed by `cnnviz.desk_uploads`. Messages name uploads
as uploaded, never by path.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
from pathlib import Path

from cnnviz import quota
from cnnviz.data.uploaded import (
    MAX_NAME,
    STORED_NAME,
    UPLOAD_KIND,
    desk_folder,
    find_upload,
    is_upload,
    stored_label,
    stored_name,
    upload_path,
)
from cnnviz.errors import CnnvizError
from cnnviz.memory import format_bytes
from cnnviz.rundir import UPLOADS_DIR, checked_root
from cnnviz.settings import settings

__all__ = [
    "UPLOADS_DIR",
    "UPLOAD_KIND",
    "check_room",
    "dataset_label",
    "delete_stored",
    "discard",
    "find_upload",
    "max_desk_bytes",
    "max_total_bytes",
    "store",
    "stored_in",
    "stored_name",
    "upload_id",
    "upload_name",
    "upload_owner",
    "upload_path",
]

SHARED_DIR = ".shared"  # in a desk's folder: one empty file per shared upload (`desk_uploads`)
_STORED = re.compile(r"^[0-9a-f]{16}-(.+)$")
_UNSAFE = re.compile(r"[^\w.+ -]+")


def max_total_bytes() -> int:
    """$CNNVIZ_UPLOADS_MB (`cnnviz.settings`, default 500) in bytes: every desk's uploads."""
    return settings().uploads_mb * 10**6


def max_desk_bytes() -> int:
    """$CNNVIZ_DESK_UPLOADS_MB (default 100) in bytes: one desk's uploads."""
    return settings().desk_uploads_mb * 10**6


def _safe_name(name: str, suffix: str) -> str:
    stem = _UNSAFE.sub("_", Path(str(name)).name).strip(" ._")[:MAX_NAME] or "upload"
    return stem if stem.lower().endswith(suffix) else f"{stem}{suffix}"


def stored_in(folder: Path) -> list[tuple[float, Path, int]]:
    """(modified, path, bytes) of the uploads stored directly in `folder` (files, and
    folders made in the browser)."""
    found = []
    try:
        children = list(folder.iterdir())
    except OSError:
        return []
    for entry in children:
        try:
            if is_upload(entry):
                found.append((entry.lstat().st_mtime, entry, quota.folder_bytes(entry)))
        except OSError:
            continue
    return found


def _stored_everywhere(store_dir: Path) -> list[tuple[float, Path, int]]:
    """Every desk's uploads, and those of no desk."""
    found = stored_in(store_dir)
    try:
        desks = [
            p
            for p in store_dir.iterdir()
            if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
        ]
    except OSError:
        desks = []
    for folder in desks:
        if not is_upload(folder):  # a folder of no desk made in the browser
            found += stored_in(folder)
    return found


def store(
    data: bytes,
    name: str,
    *,
    suffix: str = ".zip",
    runs_dir: str | os.PathLike | None = None,
    limit: int | None = None,
    desk_limit: int | None = None,
    owner: str | None = None,
) -> Path:
    """Keep an uploaded file; the same bytes and name always give the same path.

    Args:
        data: the file's bytes.
        name: the name it was uploaded as (only its last part is kept, made safe).
        suffix: the file type it must end in.
        limit: bytes every desk's uploads may take together (default `max_total_bytes()`).
        desk_limit: bytes this desk's uploads may take (default `max_desk_bytes()`).
        owner: the desk it belongs to (a checked short name), or None.

    Returns:
        The stored file's absolute path (its dataset id is `upload_id(path)`).

    Raises:
        CnnvizError: it does not fit in the desk's or everyone's room for uploads even
            once the desk's own older uploads are deleted, or in the desk's disk quota;
            or the runs folder is a file, read-only or full. No other desk's upload is
            ever deleted to make room.
    """
    store_dir = checked_root(runs_dir, create=True) / UPLOADS_DIR
    folder = desk_folder(owner, runs_dir)
    label = _safe_name(name, suffix)
    path = (folder / f"{hashlib.sha256(data).hexdigest()[:16]}-{label}").resolve()
    if path.is_file():
        os.utime(path)  # used again: the newest, kept longest
        return path
    size = len(data)
    limits = (max_total_bytes() if limit is None else limit, desk_limit)
    doomed = _make_room(store_dir, folder, size, label, owner, limits)
    if owner:
        kept = sum(b for _, p, b in stored_in(folder) if p not in doomed)
        quota.check_quota(owner, runs_dir=runs_dir, uploads=kept, adding=size, doing=label)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f".{secrets.token_hex(4)}.part")
        try:
            part.write_bytes(data)
            part.replace(path)
        finally:
            part.unlink(missing_ok=True)
    except OSError as err:
        raise CnnvizError(
            f"{label} cannot be kept: the server's runs folder cannot be written "
            f"({err.strerror or err}); ask the teacher"
        ) from None
    for entry in doomed:
        delete_stored(entry)
    return path


def check_room(
    size: int, label: str, *, owner: str | None, runs_dir: str | os.PathLike | None = None
) -> None:
    """Check that `size` more bytes fit among desk `owner`'s uploads (None: of no desk)
    without deleting any: a dataset made in the browser grows in place, and no upload
    of its desk makes room for it.

    Raises:
        CnnvizError: with the numbers, past the desk's cap, everyone's, or its quota.
    """
    store_dir = checked_root(runs_dir, create=True) / UPLOADS_DIR
    own = sum(b for _, _, b in stored_in(desk_folder(owner, runs_dir)))
    total = sum(b for _, _, b in _stored_everywhere(store_dir))
    whose = f"desk {owner}'s uploads" if owner else "the uploads of no desk"
    for used, room, what in (
        (own, max_desk_bytes(), whose),
        (total, max_total_bytes(), "every desk's uploads together"),
    ):
        if used + size > room:
            raise CnnvizError(
                f"{label} does not fit: {what} already take {format_bytes(used)} of the "
                f"{format_bytes(room)} they may take; delete an upload on the Data page (or "
                f"ask the teacher) to make room. Received: size={format_bytes(size)}"
            )
    if owner:
        quota.check_quota(owner, runs_dir=runs_dir, uploads=own, adding=size, doing=label)


def _make_room(store_dir, folder, size, label, owner, limits) -> list[Path]:
    """The desk's own oldest uploads to delete so that `size` more bytes fit in both
    caps; CnnvizError, with the numbers, when even deleting all of them is not enough."""
    total_limit, desk_limit = limits
    desk_limit = max_desk_bytes() if desk_limit is None else desk_limit
    own = sorted(stored_in(folder))
    desk_total = sum(b for _, _, b in own)
    total = sum(b for _, _, b in _stored_everywhere(store_dir))
    whose = f"desk {owner}'s uploads" if owner else "the uploads of no desk"
    for room, what in ((desk_limit, whose), (total_limit, "every desk's uploads together")):
        if size > room:
            raise CnnvizError(
                f"{label} is {format_bytes(size)}, more than the {format_bytes(room)} {what} "
                f"may take; upload a smaller set of images. Received: size={format_bytes(size)}"
            )
    doomed = []
    for _, entry, entry_size in own:
        if desk_total + size <= desk_limit and total + size <= total_limit:
            break
        doomed.append(entry)
        desk_total -= entry_size
        total -= entry_size
    if total + size > total_limit:
        raise CnnvizError(
            f"{label} ({format_bytes(size)}) does not fit: every desk's uploads together may "
            f"take {format_bytes(total_limit)}, and {format_bytes(total - desk_total)} of it "
            "holds other desks' uploads, which are never deleted to make room; ask the "
            f"teacher. Received: size={format_bytes(size)}"
        )
    return doomed


def delete_stored(entry: Path) -> None:
    """Delete a stored upload (a file or a folder) and its shared mark."""
    try:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink(missing_ok=True)
        (entry.parent / SHARED_DIR / entry.name).unlink(missing_ok=True)
    except OSError:
        pass


def upload_id(path: str | os.PathLike) -> str:
    """The dataset id of a stored upload: "upload:<sha256[:16]>-<name>" (no path)."""
    name = Path(path).name
    if not STORED_NAME.fullmatch(name):
        raise CnnvizError(f"{name!r} is not an upload stored by cnnviz")
    return f"{UPLOAD_KIND}:{name}"


def upload_name(path: str | os.PathLike) -> str | None:
    """The name a stored upload was uploaded as, or None for any other file."""
    path = Path(path)
    match = _STORED.match(path.name)
    inside = UPLOADS_DIR in (path.parent.name, path.parent.parent.name)
    return match.group(1) if match and inside else None


def upload_owner(dataset_id: str) -> str | None:
    """The desk whose upload an older `folder:` dataset id is, or None (not a desk's
    upload, or an `upload:` id, which names no desk: its caller says which)."""
    kind, _, argument = str(dataset_id).partition(":")
    path = Path(argument)
    if kind != "folder" or upload_name(path) is None or path.parent.name == UPLOADS_DIR:
        return None
    return path.parent.name


def discard(path: str | os.PathLike) -> None:
    """Delete a stored upload (a refused one); any other file is left alone."""
    if upload_name(path) is not None:
        delete_stored(Path(path))


def dataset_label(dataset_id: str) -> str:
    """How to name a dataset to people: an upload by its upload name ("pets.zip"),
    every other id as it is."""
    kind, _, argument = str(dataset_id).partition(":")
    if kind == UPLOAD_KIND:
        return stored_label(argument)
    name = upload_name(argument) if kind == "folder" else None
    return name or str(dataset_id)
