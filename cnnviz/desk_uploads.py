"""A desk's own uploads: listed, shared with every desk, removed.

The uploads `cnnviz.uploads` keeps for a desk (`<runs root>/_uploads/<desk>/`) are listed
with their size and whether they are shared (`desk_uploads`). Only the desk may share one
(`share_upload`): every desk then sees the images of the runs trained on it
(`cnnviz.viewers.may_see_images`); unshared, only the desk and the teacher do. A shared
upload is marked by an empty file of its name in the desk's `.shared/` folder, which goes
with the upload. A desk removes its own uploads (`remove_upload`); their runs keep their
metrics and curves.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cnnviz.data.uploaded import desk_folder, find_upload, stored_name, upload_path
from cnnviz.errors import CnnvizError
from cnnviz.uploads import SHARED_DIR, dataset_label, delete_stored, stored_in, upload_id

__all__ = ["Upload", "desk_uploads", "is_shared", "remove_upload", "share_upload"]


@dataclass(frozen=True)
class Upload:
    """One stored upload of a desk.

    Attributes:
        id: its dataset id, "upload:<sha256[:16]>-<name>".
        label: the name it was uploaded as, e.g. "pets.zip".
        bytes: its size on disk (a folder's files together).
        shared: whether every desk sees the images of its runs.
        modified: when it was last stored or used (seconds since 1970).
    """

    id: str
    label: str
    bytes: int
    shared: bool
    modified: float


def desk_uploads(desk: str | None, *, runs_dir: str | os.PathLike | None = None) -> list[Upload]:
    """The uploads of `desk` (None: of no desk), newest first."""
    folder = desk_folder(desk, runs_dir)
    shared = _shared_names(folder)
    return [
        Upload(upload_id(path), dataset_label(upload_id(path)), size, path.name in shared, when)
        for when, path, size in sorted(stored_in(folder), reverse=True)
    ]


def _shared_names(folder: Path) -> set[str]:
    try:
        return {p.name for p in (folder / SHARED_DIR).iterdir()}
    except OSError:
        return set()


def _own(upload: str, desk: str | None, runs_dir) -> Path:
    """The desk's stored upload named by an `upload:` id or a stored name."""
    name = stored_name(upload) or str(upload)
    return upload_path(name, desk=desk, runs_dir=runs_dir)


def share_upload(
    upload: str,
    *,
    desk: str,
    shared: bool = True,
    runs_dir: str | os.PathLike | None = None,
) -> None:
    """Let every desk see the images of the runs trained on a desk's upload (or, with
    `shared=False`, only the desk and the teacher again).

    Args:
        upload: its `upload:` id (or stored name).
        desk: the desk it belongs to: only that desk may share it.

    Raises:
        CnnvizError: the desk has no such upload, or the runs folder cannot be written.
    """
    if not desk:
        raise CnnvizError("only a desk's upload is shared: the uploads of no desk are everyone's")
    path = _own(upload, desk, runs_dir)
    mark = path.parent / SHARED_DIR / path.name
    try:
        if shared:
            mark.parent.mkdir(exist_ok=True)
            mark.touch()
        else:
            mark.unlink(missing_ok=True)
    except OSError as err:
        raise CnnvizError(
            f"cannot change who sees {dataset_label(upload_id(path))}: the server's runs "
            f"folder cannot be written ({err.strerror or err})"
        ) from None


def is_shared(name: str, *, desk: str | None, runs_dir: str | os.PathLike | None = None) -> bool:
    """Whether desk `desk`'s upload `name` (a stored name) is shared with every desk."""
    if not desk or find_upload(name, desk=desk, runs_dir=runs_dir) is None:
        return False
    return (desk_folder(desk, runs_dir) / SHARED_DIR / name).is_file()


def remove_upload(
    upload: str, *, desk: str | None, runs_dir: str | os.PathLike | None = None
) -> None:
    """Delete one of a desk's own uploads (its runs keep their metrics and curves).

    Raises:
        CnnvizError: the desk has no such upload.
    """
    delete_stored(_own(upload, desk, runs_dir))
