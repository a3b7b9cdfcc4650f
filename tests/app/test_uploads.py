"""Streamlit's in-memory uploads of sessions that are gone are let go
(`app_pages._uploads.drop_gone_uploads`), on Streamlit's own uploaded-file manager."""

from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from app_pages._uploads import GONE_AFTER_S, drop_gone_uploads, forget_gone_sessions_uploads


def manager_holding(*sessions: str) -> MemoryUploadedFileManager:
    files = MemoryUploadedFileManager("/_stcore/upload_file")
    for session in sessions:
        rec = UploadedFileRec(f"{session}-file", "pets.zip", "application/zip", b"x" * 1000)
        files.add_file(session, rec)
    return files


def held(files: MemoryUploadedFileManager) -> list[str]:
    return sorted(s for s in files.file_storage if files.get_files(s, [f"{s}-file"]))


def test_only_sessions_gone_for_longer_than_a_reconnection_lose_their_uploads():
    files, seen = manager_holding("open", "left", "back"), {}
    active = {"open", "back"}
    assert drop_gone_uploads(files, active.__contains__, 0.0, seen=seen) == []
    active = {"open"}  # "back" disconnects too
    assert drop_gone_uploads(files, active.__contains__, 60.0, seen=seen) == []
    assert seen == {"left": 0.0, "back": 60.0}
    active = {"open", "back"}  # "back" reconnected within Streamlit's two minutes
    dropped = drop_gone_uploads(files, active.__contains__, GONE_AFTER_S + 1, seen=seen)
    assert dropped == ["left"] and held(files) == ["back", "open"] and seen == {}
    (stat,) = [s for family in files.get_stats().values() for s in family]
    assert stat.byte_length == 2000  # Streamlit's own count of the bytes it holds follows


def test_outside_a_streamlit_server_nothing_happens():
    forget_gone_sessions_uploads()  # no Runtime: returns without touching anything
