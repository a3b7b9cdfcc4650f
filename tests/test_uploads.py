"""The upload store: named by the upload's name, deduplicated, capped, refused ones deleted."""

import hashlib
import os

import pytest

from cnnviz import desk_uploads, uploads
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
    # Too large for the cap even alone: refused (issue 25), and nothing deleted for it.
    with pytest.raises(CnnvizError, match="more than the 1.0 kB every desk's uploads together"):
        uploads.store(b"d" * 5000, "huge.zip", limit=1000)
    assert sorted(p.name for p in third.parent.iterdir()) == sorted([first.name, third.name])


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


# --- issue 25: an upload is its desk's own ------------------------------------------------


def test_an_upload_has_an_id_that_names_no_path_and_is_found_only_in_its_desk(runs_dir):
    path = uploads.store(b"zip bytes", "pets.zip", owner="ann")
    upload = uploads.upload_id(path)
    name = path.name
    assert upload == f"upload:{name}" and "/" not in upload
    assert uploads.dataset_label(upload) == "pets.zip"
    assert uploads.find_upload(name, desk="ann") == runs_dir / "_uploads" / "ann" / name
    assert uploads.find_upload(name, desk="bob") is None  # another desk's: not found
    assert uploads.find_upload(name, desk=None) is None
    with pytest.raises(CnnvizError) as caught:
        uploads.upload_path(name, desk="bob")
    assert "pets.zip is not among desk bob's uploads" in str(caught.value)
    assert str(runs_dir) not in str(caught.value)


@pytest.mark.parametrize(
    "name", ["../ann/0123456789abcdef-pets.zip", "..", ".shared", "pets.zip", "", "/etc/passwd"]
)
def test_a_name_with_a_path_in_it_finds_nothing(runs_dir, name):
    uploads.store(b"zip bytes", "pets.zip", owner="ann")
    assert uploads.find_upload(name, desk="bob") is None
    assert uploads.find_upload(name, desk="ann") is None


def test_a_symbolic_link_in_the_store_is_not_an_upload(runs_dir, tmp_path):
    outside = tmp_path / "secret.zip"
    outside.write_bytes(b"secret")
    folder = runs_dir / "_uploads" / "ann"
    folder.mkdir(parents=True)
    (folder / "0123456789abcdef-secret.zip").symlink_to(outside)
    (folder / "0123456789abcdef-etc").symlink_to("/etc")
    assert uploads.find_upload("0123456789abcdef-secret.zip", desk="ann") is None
    assert uploads.find_upload("0123456789abcdef-etc", desk="ann") is None
    assert desk_uploads.desk_uploads("ann") == []


def test_an_upload_of_desk_b_never_deletes_desk_a_files(runs_dir):
    """The failed case: one desk's 850 KB upload deleted another desk's two zips."""
    a1 = uploads.store(b"a" * 300_000, "a1.zip", owner="ann", limit=1_000_000)
    a2 = uploads.store(b"b" * 300_000, "a2.zip", owner="ann", limit=1_000_000)
    os.utime(a1, (1, 1))
    os.utime(a2, (2, 2))
    with pytest.raises(CnnvizError) as caught:
        uploads.store(b"c" * 850_000, "big.zip", owner="bob", limit=1_000_000)
    message = str(caught.value)
    assert "big.zip (850 kB) does not fit" in message and "600 kB of it" in message
    assert "never deleted" in message and str(runs_dir) not in message
    assert a1.read_bytes() == b"a" * 300_000 and a2.read_bytes() == b"b" * 300_000
    assert not (runs_dir / "_uploads" / "bob").exists() or not any(
        (runs_dir / "_uploads" / "bob").iterdir()
    )
    small = uploads.store(b"d" * 300_000, "small.zip", owner="bob", limit=1_000_000)
    assert small.is_file() and a1.is_file() and a2.is_file()


def test_a_desk_makes_room_by_deleting_only_its_own_oldest(runs_dir, monkeypatch):
    monkeypatch.setenv("CNNVIZ_DESK_UPLOADS_MB", "1")
    other = uploads.store(b"o" * 100_000, "other.zip", owner="bob")
    os.utime(other, (0, 0))  # the oldest of all: still never another desk's to lose
    first = uploads.store(b"a" * 400_000, "first.zip", owner="ann")
    second = uploads.store(b"b" * 400_000, "second.zip", owner="ann")
    os.utime(first, (1, 1))
    os.utime(second, (2, 2))
    third = uploads.store(b"c" * 400_000, "third.zip", owner="ann")  # 1.2 MB > 1 MB
    assert not first.exists() and second.is_file() and third.is_file() and other.is_file()
    with pytest.raises(CnnvizError, match=r"is 1.2 MB, more than the 1.0 MB desk ann's"):
        uploads.store(b"d" * 1_200_000, "huge.zip", owner="ann")
    assert second.is_file() and third.is_file()  # a refused upload deletes nothing


def test_a_desk_quota_refuses_an_upload_with_the_numbers(runs_dir, monkeypatch):
    monkeypatch.setenv("CNNVIZ_DESK_QUOTA_MB", "1")
    uploads.store(b"a" * 600_000, "a.zip", owner="ann")
    with pytest.raises(CnnvizError) as caught:
        uploads.store(b"b" * 600_000, "b.zip", owner="ann")
    message = str(caught.value)
    assert "desk ann keeps 600 kB of its 1.0 MB quota (runs 0 bytes, uploads 600 kB)" in message
    assert "cannot keep b.zip (600 kB)" in message and "Received: used=600 kB" in message
    uploads.store(b"b" * 600_000, "b.zip", owner="bob")  # another desk: its own room


@pytest.mark.parametrize("owner", ["../ann", "/etc", ".shared", "Ann Smith!", "x" * 40])
def test_an_upload_of_a_hostile_desk_name_is_refused(runs_dir, owner):
    with pytest.raises(CnnvizError, match="owner must be a short name|desk must be a short name"):
        uploads.store(b"zip bytes", "pets.zip", owner=owner)
    assert not (runs_dir / "_uploads").exists() or not any((runs_dir / "_uploads").rglob("*.zip"))
