"""The upload store: named by the upload's name, deduplicated, capped, refused ones deleted."""

import hashlib
import os

import pytest

from cnnviz import uploads
from cnnviz.errors import CnnvizError


def test_an_upload_is_kept_once_under_its_name(runs_dir):
    path = uploads.store(b"zip bytes", "pets.zip")
    digest = hashlib.sha256(b"zip bytes").hexdigest()[:16]
    assert path == (runs_dir / "_uploads" / f"{digest}-pets.zip").resolve()
    assert path.read_bytes() == b"zip bytes"
    assert uploads.store(b"zip bytes", "pets.zip") == path  # the same file again
    assert uploads.upload_name(path) == "pets.zip"
    assert uploads.dataset_label(f"folder:{path}") == "pets.zip"
    assert uploads.dataset_label("folder:/data/pets") == "folder:/data/pets"
    assert uploads.dataset_label("tfds:mnist") == "tfds:mnist"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp files


@pytest.mark.parametrize(
    "name, kept",
    [
        ("../../etc/passwd", "passwd.zip"),
        ("C:\\Users\\me\\cats `*` <b>.zip", "C_Users_me_cats _ _b_.zip"),
        ("...", "upload.zip"),
        ("x" * 300 + ".zip", "x" * 80 + ".zip"),
    ],
)
def test_an_upload_name_is_made_safe(runs_dir, name, kept):
    path = uploads.store(b"data", name)
    assert path.parent == (runs_dir / "_uploads").resolve()
    assert uploads.upload_name(path) == kept


def test_the_oldest_uploads_go_first_past_the_cap(runs_dir):
    first = uploads.store(b"a" * 400, "first.zip", limit=1000)
    second = uploads.store(b"b" * 400, "second.zip", limit=1000)
    os.utime(first, (1, 1))
    os.utime(second, (2, 2))
    uploads.store(b"a" * 400, "first.zip", limit=10_000)  # used again: now the newest
    third = uploads.store(b"c" * 400, "third.zip", limit=1000)
    assert sorted(p.name for p in third.parent.iterdir()) == sorted([first.name, third.name])
    huge = uploads.store(b"d" * 5000, "huge.zip", limit=1000)  # the new one always stays
    assert [p.name for p in huge.parent.iterdir()] == [huge.name]


def test_the_cap_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("CNNVIZ_UPLOADS_MB", raising=False)
    assert uploads.max_total_bytes() == 500_000_000
    monkeypatch.setenv("CNNVIZ_UPLOADS_MB", "2")
    assert uploads.max_total_bytes() == 2_000_000
    monkeypatch.setenv("CNNVIZ_UPLOADS_MB", "lots")
    with pytest.raises(CnnvizError, match=r"\$CNNVIZ_UPLOADS_MB must be a whole number"):
        uploads.max_total_bytes()


def test_discard_deletes_only_stored_uploads(runs_dir, tmp_path):
    path = uploads.store(b"refused", "bad.zip")
    uploads.discard(path)
    assert not path.exists()
    mine = tmp_path / "mine.zip"
    mine.write_bytes(b"keep me")
    uploads.discard(mine)
    assert mine.read_bytes() == b"keep me"


def test_a_read_only_runs_folder_is_said_so(tmp_path, read_only):
    root = read_only(tmp_path / "runs")
    with pytest.raises(CnnvizError, match="is read-only: no run, upload or import can be saved"):
        uploads.store(b"data", "pets.zip", runs_dir=root)
