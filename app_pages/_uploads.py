"""The upload store: the zips a desk uploads, kept under the runs folder, per desk.

`<runs dir>/_uploads/<desk>/<sha256[:16]>.zip` (a session without a desk, as in tests,
keeps its files in `_uploads/` itself). A desk's uploads are its own: another desk
cannot load them as its dataset, and tables name them "uploaded zip", not by path.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from app_pages._desk import current_desk
from cnnviz.errors import CnnvizError
from cnnviz.rundir import runs_root

UPLOADS = "_uploads"  # the store's folder under the runs folder


def keep_upload(upload, *, suffix: str) -> Path:
    """Store an uploaded file once, as <runs dir>/_uploads/<desk>/<sha256[:16]><suffix>.

    Returns the stored file's absolute path (the same bytes always give the same path).
    """
    data = upload.getvalue()
    folder = runs_root() / UPLOADS / (current_desk() or "")
    path = (folder / (hashlib.sha256(data).hexdigest()[:16] + suffix)).resolve()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        part.write_bytes(data)
        part.replace(path)
    return path


def upload_owner(dataset_id: str) -> str | None:
    """The desk whose upload a `folder:` dataset id is, or None (not a desk's upload)."""
    kind, _, path = str(dataset_id).partition(":")
    if kind != "folder" or not path:
        return None
    try:
        inside = Path(path).resolve().relative_to((runs_root() / UPLOADS).resolve())
    except (OSError, ValueError):
        return None
    return inside.parts[0] if len(inside.parts) > 1 else None


def check_upload(dataset_id: str) -> None:
    """Refuse another desk's upload (a session without a desk may load any).

    Raises:
        CnnvizError: the dataset is a zip another desk uploaded.
    """
    owner, desk = upload_owner(dataset_id), current_desk()
    if owner is not None and desk is not None and owner != desk:
        raise CnnvizError(
            f"that dataset is a zip uploaded by desk {owner}; a desk uses only its own "
            "uploads: upload your own zip on the Data page"
        )


def dataset_label(dataset_id: str | None) -> str:
    """A dataset id as tables show it: a desk's upload is "uploaded zip", not its path."""
    text = str(dataset_id or "")
    if not text.startswith("folder:"):
        return text
    return "uploaded zip" if upload_owner(text) else f"folder {Path(text[7:]).name}"
