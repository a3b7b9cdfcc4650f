"""`upload:NAME`: a desk's uploaded zip (or a folder made in the browser), found only
inside that desk's own uploads.

An upload is stored by `cnnviz.uploads` as `<runs root>/_uploads/<desk>/NAME`, NAME being
`<sha256[:16]>-<the name it was uploaded as>`; one of no desk (the command line's) sits
in `_uploads/` itself. The id names no desk and no path: whoever loads it says for which
desk (`load_dataset(..., desk=...)`), and it is looked for in that desk's folder only. A
name with a path in it, a symbolic link, or an upload of another desk finds nothing, and
the message names the upload as it was uploaded ("pets.zip"), never a folder of the
server. The images are read as `folder:` reads class folders (`cnnviz.data.folders`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from cnnviz.checks import desk_name
from cnnviz.data.dataset import Loaded
from cnnviz.errors import CnnvizError
from cnnviz.rundir import UPLOADS_DIR, runs_root

__all__ = [
    "MAX_NAME",
    "STORED_NAME",
    "UPLOAD_KIND",
    "desk_folder",
    "find_upload",
    "is_upload",
    "load_upload",
    "stored_label",
    "stored_name",
    "upload_path",
    "upload_stamp",
]

UPLOAD_KIND = "upload"  # dataset ids `upload:<sha256[:16]>-<name>`
MAX_NAME = 80  # characters of an upload's name kept in its stored name
# a stored name as `cnnviz.uploads.store` makes it: a digest, "-", a name without a dot first
STORED_NAME = re.compile(rf"[0-9a-f]{{16}}-[\w+ -][\w.+ -]{{0,{MAX_NAME + 8}}}")
NOT_HERE = "it was deleted to make room, or it is another desk's: upload it again on Data"


def stored_name(dataset_id: object) -> str | None:
    """The stored name an `upload:` id names ("<sha256[:16]>-pets.zip"), or None when
    it is not an upload id of the form uploads are stored under (no "/", no "..")."""
    kind, _, name = str(dataset_id).partition(":")
    return name if kind == UPLOAD_KIND and STORED_NAME.fullmatch(name) else None


def stored_label(name: str) -> str:
    """The name an upload was uploaded as: "pets.zip" for "<sha256[:16]>-pets.zip"."""
    return name[17:] if STORED_NAME.fullmatch(name) else name


def desk_folder(desk: str | None, runs_dir: str | os.PathLike | None = None) -> Path:
    """Where `desk`'s uploads are kept (None: those of no desk, `_uploads/` itself)."""
    store_dir = runs_root(runs_dir) / UPLOADS_DIR
    return store_dir / desk_name(desk, "desk") if desk else store_dir


def is_upload(entry: Path) -> bool:
    """Whether `entry` is a stored upload: a file or a folder made in the browser, of a
    stored name, not a symbolic link. No desk is named like an upload
    (`cnnviz.checks.desk_name`), so in `_uploads/` itself such a folder is never a
    desk's: it is an upload of no desk (a learner alone's)."""
    if not STORED_NAME.fullmatch(entry.name) or entry.is_symlink():
        return False
    return entry.is_file() or entry.is_dir()


def upload_stamp(
    dataset_id: object, *, desk: str | None, runs_dir: str | os.PathLike | None = None
) -> int | None:
    """When desk `desk`'s upload an `upload:` id names last changed (ns), for caches: a
    dataset made in the browser changes in place (`cnnviz.collect` touches its folder).
    None for any other id or a missing upload."""
    name = stored_name(dataset_id)
    path = find_upload(name, desk=desk, runs_dir=runs_dir) if name else None
    try:
        return None if path is None else path.stat().st_mtime_ns
    except OSError:
        return None


def find_upload(
    name: str, *, desk: str | None, runs_dir: str | os.PathLike | None = None
) -> Path | None:
    """Desk `desk`'s stored upload `name` (None: of no desk), or None when it has none of
    that name. Never leaves the desk's folder."""
    if not isinstance(name, str) or not STORED_NAME.fullmatch(name):
        return None
    folder = desk_folder(desk, runs_dir)
    path = folder / name
    try:
        if not is_upload(path):
            return None
        return path if path.resolve().parent == folder.resolve() else None
    except OSError:
        return None


def upload_path(name: str, *, desk: str | None, runs_dir: str | os.PathLike | None = None) -> Path:
    """`find_upload`, or a CnnvizError naming the upload as uploaded (never a path).

    Raises:
        CnnvizError: the desk has no upload of that name.
    """
    path = find_upload(name, desk=desk, runs_dir=runs_dir)
    if path is None:
        whose = f"desk {desk}'s" if desk else "this server's"
        raise CnnvizError(
            f"the upload {stored_label(str(name))[:100]} is not among {whose} uploads ({NOT_HERE})"
        )
    return path


def load_upload(name: str, options) -> Loaded:
    """`upload:NAME` of the desk `options.desk` names, under `options.runs_dir`, read as
    class folders (symbolic links inside it are not followed)."""
    from cnnviz.data.folders import load_folder

    if stored_name(f"{UPLOAD_KIND}:{name}") is None:
        raise CnnvizError(
            "that is not the id of an upload of this server; choose one of your desk's "
            f"uploads on the Data page. Received: dataset={f'{UPLOAD_KIND}:{name}'[:100]!r}"
        )
    path = upload_path(name, desk=options.desk, runs_dir=options.runs_dir)
    return load_folder(str(path), options, label=stored_label(name), links=False)
