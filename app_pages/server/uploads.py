"""The zips a desk uploads are its own: kept under its desk (`cnnviz.uploads`, within its
cap and the server's), found only among its uploads. Streamlit's in-memory copies of the
uploads of sessions that are gone are let go (`forget_gone_sessions_uploads`).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from app_pages.frame.desk import current_desk
from cnnviz.uploads import store


def keep_upload(upload, *, suffix: str) -> Path:
    """Store an uploaded file (a Streamlit `UploadedFile`) under this session's desk:
    <runs dir>/_uploads/<desk>/<sha256[:16]>-<name> (the desk's own oldest uploads make
    room; beyond its cap, the server's or its disk quota it is refused). Returns its path.

    Raises:
        CnnvizError: too large for the caps or the quota, or the runs folder is read-only
            or full (the message names the learner's file, not the server's).
    """
    return store(upload.getvalue(), upload.name, suffix=suffix, owner=current_desk())


# Streamlit (1.67) holds every uploaded file's bytes in memory, per session, until the
# session shuts down. A browser that goes away is kept two minutes for a reconnection,
# then dropped without a shutdown, so its uploads stay for the server's life: a class
# that uploads zips all day leaks them all. A session seen inactive for longer than
# GONE_AFTER_S can no longer come back; its files are let go.
GONE_AFTER_S = 180.0
SWEEP_EVERY_S = 30.0
_inactive_since: dict[str, float] = {}  # session id -> when a sweep first saw it gone
_sweep = {"last": 0.0, "lock": threading.Lock()}


def forget_gone_sessions_uploads() -> None:
    """At most every SWEEP_EVERY_S (from any session's run): drop the uploaded files of
    the server's sessions that are gone. A no-op outside a Streamlit server."""
    from streamlit.runtime import Runtime

    now = time.monotonic()
    if now - _sweep["last"] < SWEEP_EVERY_S or not Runtime.exists():
        return
    if not _sweep["lock"].acquire(blocking=False):
        return
    try:
        _sweep["last"] = now
        runtime = Runtime.instance()
        drop_gone_uploads(runtime.uploaded_file_mgr, runtime.is_active_session, now)
    finally:
        _sweep["lock"].release()


def drop_gone_uploads(files, is_active, now: float, *, seen=_inactive_since) -> list[str]:
    """Drop the uploads of every session of `files` (a Streamlit uploaded-file manager)
    that `is_active(session_id)` has said is gone for longer than GONE_AFTER_S, as
    sweeps record in `seen`. Returns the session ids whose files were dropped."""
    held = list(getattr(files, "file_storage", {}))  # the in-memory manager's sessions
    dropped = []
    for session_id in held:
        if is_active(session_id):
            seen.pop(session_id, None)
        elif now - seen.setdefault(session_id, now) > GONE_AFTER_S:
            files.remove_session_files(session_id)
            seen.pop(session_id)
            dropped.append(session_id)
    for session_id in set(seen) - set(held):
        seen.pop(session_id)
    return dropped
