"""The zips a desk uploads are its own: kept under its desk (`cnnviz.uploads`), and
another desk cannot load them as its dataset.
"""

from __future__ import annotations

from pathlib import Path

from app_pages._desk import current_desk
from cnnviz.errors import CnnvizError
from cnnviz.uploads import store, upload_owner


def keep_upload(upload, *, suffix: str) -> Path:
    """Store an uploaded file (a Streamlit `UploadedFile`) under this session's desk:
    <runs dir>/_uploads/<desk>/<sha256[:16]>-<name>, the oldest uploads deleted past
    $CNNVIZ_UPLOADS_MB. Returns its absolute path.

    Raises:
        CnnvizError: the runs folder is read-only or full.
    """
    return store(upload.getvalue(), upload.name, suffix=suffix, owner=current_desk())


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
