"""Streamlit's in-memory uploads of sessions that are gone are let go
(`app_pages.server.uploads.drop_gone_uploads`), on Streamlit's own uploaded-file manager."""

from types import SimpleNamespace

from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from app_pages.server.uploads import GONE_AFTER_S, drop_gone_uploads, forget_gone_sessions_uploads


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


def test_the_router_sweeps_at_most_every_30_s_and_not_outside_a_server(monkeypatch):
    from streamlit.runtime import Runtime

    from app_pages.server import uploads as _uploads

    files, clock = manager_holding("left"), [1000.0]
    server = SimpleNamespace(uploaded_file_mgr=files, is_active_session=lambda s: False)
    monkeypatch.setattr(_uploads.time, "monotonic", lambda: clock[0])
    monkeypatch.setitem(_uploads._sweep, "last", 0.0)
    monkeypatch.setattr(_uploads, "_inactive_since", {})
    monkeypatch.setattr(Runtime, "exists", classmethod(lambda cls: False))
    forget_gone_sessions_uploads()  # no server: no sweep
    assert _uploads._sweep["last"] == 0.0
    monkeypatch.setattr(Runtime, "exists", classmethod(lambda cls: True))
    monkeypatch.setattr(Runtime, "instance", classmethod(lambda cls: server))
    seen = {}
    monkeypatch.setattr(
        _uploads, "drop_gone_uploads", lambda f, a, now: drop_gone_uploads(f, a, now, seen=seen)
    )
    forget_gone_sessions_uploads()  # the first sweep sees "left" gone
    assert seen == {"left": 1000.0}
    clock[0] += GONE_AFTER_S + 1
    _uploads._sweep["last"] = clock[0] - 10  # another session's run swept 10 s ago
    forget_gone_sessions_uploads()
    assert held(files) == ["left"]  # not yet: at most every SWEEP_EVERY_S
    clock[0] += _uploads.SWEEP_EVERY_S
    forget_gone_sessions_uploads()
    assert held(files) == [] and seen == {}
