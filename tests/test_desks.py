"""Desks: the class code, claiming a name (once, even racing), verifying a cookie,
resetting a desk; only key hashes on disk."""

import errno
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cnnviz import desks, files, runs
from cnnviz.errors import CnnvizError
from tests.helpers_runs import CONFIG, SPEC, all_bytes

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def classroom(runs_dir, monkeypatch):
    monkeypatch.setenv("CNNVIZ_CLASS_CODE", "maple")
    return runs_dir


def test_the_first_laptop_gets_the_desk_and_its_cookie_names_it(classroom):
    key = desks.join("maple", "Alice Smith")
    assert key.name == "alice-smith" and len(key.key) == 43
    assert key.cookie == f"alice-smith.{key.key}"
    assert desks.desk_of(key.cookie) == "alice-smith"
    claim = json.loads((classroom / "_desks" / "alice-smith.json").read_text())
    assert set(claim) == {"v", "name", "key_sha256", "claimed"} and claim["name"] == "alice-smith"
    assert desks.claimed_desks() == {"alice-smith": claim["claimed"]}
    assert key.key not in repr(key)


def test_a_taken_name_is_refused_with_ask_your_teacher(classroom):
    first = desks.join("maple", "alice")
    for typed in ("alice", "Alice", " ALICE "):
        with pytest.raises(CnnvizError, match=desks.TAKEN + r".*Received: desk=\"alice\""):
            desks.join("maple", typed)
    assert desks.desk_of(first.cookie) == "alice"  # the owner keeps it


def test_a_malformed_name_is_refused_with_what_fits(classroom):
    for bad in ("", "../etc", "a" * 40, None, "_hidden"):
        with pytest.raises(CnnvizError, match="short name of letters"):
            desks.join("maple", bad)
    assert not (classroom / "_desks").exists() or not list((classroom / "_desks").iterdir())


def test_the_class_code_is_checked_and_never_echoed(classroom):
    for typed, words in [
        ("", "type the class code"),
        ("   ", "type the class code"),
        ("mapel", "not this class's code"),
        ("Maple", "not this class's code"),
        ("mäple✓", "not this class's code"),
        (None, "type the class code"),
    ]:
        with pytest.raises(CnnvizError, match=words) as caught:
            desks.join(typed, "bob")
        assert "maple" not in str(caught.value).lower() and "Received: class_code=" in str(
            caught.value
        )
    assert desks.claimed_desks() == {}  # nothing claimed by a wrong code
    desks.check_class_code(" maple ")  # spaces around a typed code are forgiven


def test_without_a_class_code_there_is_no_class_to_join(runs_dir, monkeypatch):
    monkeypatch.delenv("CNNVIZ_CLASS_CODE", raising=False)
    with pytest.raises(CnnvizError, match="no class code"):
        desks.join("anything", "alice")


def no_link(src, dst):
    raise OSError(errno.EPERM, "Operation not permitted")


@pytest.mark.parametrize("hard_links", [True, False])
def test_racing_threads_one_name_exactly_one_wins(classroom, monkeypatch, hard_links):
    if not hard_links:  # O_CREAT | O_EXCL, as on a filesystem without them
        monkeypatch.setattr(files.os, "link", no_link)
    barrier = threading.Barrier(12)
    won, refused = [], []

    def claim():
        barrier.wait()
        try:
            won.append(desks.claim_desk("alice"))
        except CnnvizError as err:
            refused.append(str(err))

    threads = [threading.Thread(target=claim) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1 and len(refused) == 11
    assert all(desks.TAKEN in message for message in refused)
    assert desks.desk_of(won[0].cookie) == "alice"


CLAIMER = """
import json, sys, time
from cnnviz import desks
from cnnviz.errors import CnnvizError
start, names = float(sys.argv[2]), sys.argv[3].split(",")
time.sleep(max(0.0, start - time.time() - 0.01))
while time.time() < start:  # the last few milliseconds: both start together
    pass
won = {}
for name in names:
    try:
        won[name] = desks.claim_desk(name, runs_dir=sys.argv[1]).cookie
    except CnnvizError:
        pass
print(json.dumps(won))
"""


def test_two_processes_on_one_runs_folder_never_both_claim_a_name(tmp_path):
    names = [f"desk-{i}" for i in range(40)]
    start = time.time() + 2.0  # both processes are past their imports by then
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, str(tmp_path), str(start), ",".join(names)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)  # both in the same order: every name is raced for
    ]
    results = [json.loads(proc.communicate(timeout=120)[0]) for proc in procs]
    assert all(proc.returncode == 0 for proc in procs)
    first, second = results
    assert not set(first) & set(second) and set(first) | set(second) == set(names)
    for cookie in [*first.values(), *second.values()]:  # each winner's key works here
        assert desks.desk_of(cookie, runs_dir=tmp_path) == cookie.partition(".")[0]


def test_without_hard_links_the_claim_is_still_exclusive(classroom, monkeypatch):
    monkeypatch.setattr(files.os, "link", no_link)
    key = desks.claim_desk("alice")
    with pytest.raises(CnnvizError, match=desks.TAKEN):
        desks.claim_desk("alice")
    assert desks.desk_of(key.cookie) == "alice"
    assert [p.name for p in (classroom / "_desks").iterdir()] == ["alice.json"]  # no leftovers


def test_a_forged_stale_or_garbage_cookie_is_no_desk(classroom):
    key = desks.claim_desk("alice")
    forged = "alice." + ("A" if key.key[0] != "A" else "B") + key.key[1:]
    garbage = [
        None,
        12,
        b"alice",
        "",
        ".",
        "alice",
        "alice.",
        f".{key.key}",
        "alice.short",
        f"Alice.{key.key}",
        f"../alice.{key.key}",
        f"alice.{key.key}x",
        "é" * 60,
        f"bob.{key.key}",
        "x" * 100_000,
        f"alice.{key.key[:-1]}é",
        {"alice": key.key},
    ]
    for cookie in [forged, *garbage]:
        assert desks.desk_of(cookie) is None, cookie
    assert desks.desk_of(key.cookie) == "alice"


def test_another_runs_folders_key_is_no_desk_there(tmp_path):
    here = desks.claim_desk("alice", runs_dir=tmp_path / "a")
    there = desks.claim_desk("alice", runs_dir=tmp_path / "b")
    assert desks.desk_of(here.cookie, runs_dir=tmp_path / "b") is None
    assert desks.desk_of(there.cookie, runs_dir=tmp_path / "a") is None
    assert desks.desk_of(here.cookie, runs_dir=tmp_path / "empty") is None
    assert desks.desk_of(here.cookie, runs_dir=tmp_path / "a") == "alice"


def test_two_replicas_on_one_folder_know_the_same_desks(tmp_path):
    (tmp_path / "runs").mkdir()
    (tmp_path / "mount").symlink_to(tmp_path / "runs")  # another replica's path to it
    key = desks.claim_desk("alice", runs_dir=tmp_path / "runs")
    assert desks.desk_of(key.cookie, runs_dir=tmp_path / "mount") == "alice"
    with pytest.raises(CnnvizError, match=desks.TAKEN):
        desks.claim_desk("alice", runs_dir=tmp_path / "mount")


def test_a_reset_desk_frees_the_name_and_keeps_its_runs(classroom):
    old = desks.claim_desk("alice")
    run = runs.create_run(SPEC, {**CONFIG, "owner": "alice"}, status="completed")
    assert desks.reset_desk("Alice") is True
    assert desks.desk_of(old.cookie) is None  # the old laptop's key is dead at once
    new = desks.claim_desk("alice")  # a new laptop takes the name
    assert desks.desk_of(new.cookie) == "alice" and desks.desk_of(old.cookie) is None
    assert [r.id for r in runs.list_runs(owner="alice")] == [run.id]
    assert desks.reset_desk("nobody") is False
    with pytest.raises(CnnvizError, match="short name"):
        desks.reset_desk("../x")


def test_a_damaged_claim_is_no_desk_until_the_teacher_resets_it(classroom):
    key = desks.claim_desk("alice")
    (classroom / "_desks" / "alice.json").write_text("{not json")
    assert desks.desk_of(key.cookie) is None
    assert desks.claimed_desks() == {"alice": ""}
    with pytest.raises(CnnvizError, match=desks.TAKEN):
        desks.claim_desk("alice")
    desks.reset_desk("alice")
    assert desks.desk_of(desks.claim_desk("alice").cookie) == "alice"


def test_no_key_is_ever_stored_in_clear(classroom):
    keys = [desks.join("maple", name) for name in ("alice", "bob", "carol")]
    desks.reset_desk("bob")
    keys.append(desks.claim_desk("bob"))
    stored = all_bytes(classroom)
    assert stored  # the claims are there
    for key in keys:
        assert key.key.encode() not in stored and key.cookie.encode() not in stored
    assert b"maple" not in stored  # nor the class code


def test_a_read_only_runs_folder_refuses_a_claim_clearly(tmp_path, read_only):
    folder = read_only(tmp_path / "runs")
    with pytest.raises(CnnvizError, match="read-only"):
        desks.claim_desk("alice", runs_dir=folder)


@pytest.mark.parametrize("hard_links", [True, False])
def test_a_full_disk_leaves_no_half_claim(classroom, monkeypatch, hard_links):
    if not hard_links:
        monkeypatch.setattr(files.os, "link", no_link)

    written, write = [], os.write

    def full(fd, data):  # without hard links: the temp file fits, the claim itself not
        written.append(fd)
        if hard_links or len(written) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(fd, data)

    with monkeypatch.context() as patch:
        patch.setattr(files.os, "write", full)
        with pytest.raises(CnnvizError, match="no space left"):
            desks.claim_desk("alice")
    assert len(written) == 1 + (not hard_links)
    assert list((classroom / "_desks").iterdir()) == []  # nothing stuck: the name is free
    assert desks.desk_of(desks.claim_desk("alice").cookie) == "alice"
