"""Claims in a shared runs folder (issue 25): exactly one replica holds each; a dead
replica's claims lapse; every replica's jobs are listed."""

import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from cnnviz import claims
from cnnviz.claims import Claims, active_jobs, desk_claim, slot_claim


def claim_file(runs_dir, name):
    return runs_dir / "_claims" / f"{name}.json"


def test_one_claim_one_holder_and_only_the_holder_lets_it_go(runs_dir):
    runs_dir.mkdir()
    one, two = Claims(), Claims()
    assert one.take(runs_dir, desk_claim("ann"), "run-1", desk="ann") is None
    holder = two.take(runs_dir, desk_claim("ann"), "run-2", desk="ann")
    assert holder["job"] == "run-1" and holder["replica"] == one.replica
    two.release(runs_dir, desk_claim("ann"))  # not its claim: nothing happens
    assert claim_file(runs_dir, desk_claim("ann")).is_file()
    one.release_job("run-1")
    assert not claim_file(runs_dir, desk_claim("ann")).exists()
    assert two.take(runs_dir, desk_claim("ann"), "run-2", desk="ann") is None
    two.release_job("run-2")


def test_of_many_threads_taking_one_claim_exactly_one_wins(runs_dir):
    runs_dir.mkdir()
    replicas = [Claims() for _ in range(8)]
    results = [None] * len(replicas)
    start = threading.Barrier(len(replicas))

    def take(i):
        start.wait()
        results[i] = replicas[i].take(runs_dir, slot_claim(0), f"run-{i}")

    threads = [threading.Thread(target=take, args=(i,)) for i in range(len(replicas))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(None) == 1
    for replica in replicas:
        replica.release(runs_dir, slot_claim(0))


def write_claim(runs_dir, name, **fields):
    path = claim_file(runs_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    claim = {"v": 1, "job": "their-run", "desk": "ann", "replica": "elsewhere-1-abc"}
    path.write_text(json.dumps({**claim, **fields}))
    return path


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.parametrize(
    "fields, lapsed",
    [
        ({"host": "other-host", "pid": 1, "expires": 60}, False),
        ({"host": "other-host", "pid": 1, "expires": -1}, True),
        ({"host": socket.gethostname(), "pid": "dead", "expires": 60}, True),
        ({"host": socket.gethostname(), "pid": os.getpid(), "expires": 60}, True),
        ({"host": "other-host", "pid": 1}, True),  # no expiry: not a claim that holds
    ],
)
def test_a_dead_replicas_claim_lapses_and_is_taken_over(runs_dir, fields, lapsed):
    if fields.get("pid") == "dead":
        fields = {**fields, "pid": dead_pid()}  # a process of this machine, gone
    if "expires" in fields:  # seconds from now
        fields = {**fields, "expires": time.time() + fields["expires"]}
    write_claim(runs_dir, desk_claim("ann"), **fields)
    mine = Claims()
    holder = mine.take(runs_dir, desk_claim("ann"), "my-run", desk="ann")
    assert (holder is None) == lapsed
    if lapsed:
        assert json.loads(claim_file(runs_dir, desk_claim("ann")).read_text())["job"] == "my-run"
    mine.release_job("my-run")


def test_a_damaged_claim_holds_for_a_ttl_then_lapses(runs_dir):
    path = write_claim(runs_dir, slot_claim(0))
    path.write_bytes(b"{half a claim")
    mine = Claims()
    assert mine.take(runs_dir, slot_claim(0), "my-run") == {}
    old = time.time() - claims.TTL - 1
    os.utime(path, (old, old))
    assert mine.take(runs_dir, slot_claim(0), "my-run") is None
    mine.release_job("my-run")


def test_claims_are_renewed_while_held_and_the_thread_ends_after(runs_dir, monkeypatch):
    runs_dir.mkdir()
    monkeypatch.setattr(claims, "TICK", 0.02)
    monkeypatch.setattr(claims, "TTL", 0.4)  # renewed every 0.1 s
    mine = Claims()
    mine.take(runs_dir, desk_claim("ann"), "run-1", desk="ann")
    first = json.loads(claim_file(runs_dir, desk_claim("ann")).read_text())["expires"]
    time.sleep(0.6)  # past the first expiry: still held, renewed
    later = json.loads(claim_file(runs_dir, desk_claim("ann")).read_text())["expires"]
    assert later > first and Claims().take(runs_dir, desk_claim("ann"), "x") is not None
    thread = mine._thread
    assert thread is not None and thread.is_alive()
    mine.release_job("run-1")
    thread.join(timeout=5)
    assert not thread.is_alive(), "the claims thread outlived its claims"


def test_active_jobs_lists_every_replicas_jobs(runs_dir):
    runs_dir.mkdir()
    here, there = Claims(), Claims()
    here.take(runs_dir, desk_claim("ann"), "run-a", desk="ann")
    here.take(runs_dir, slot_claim(0), "run-a")
    there.take(runs_dir, desk_claim("bob"), "run-b", desk="bob")
    there.take(runs_dir, slot_claim(1), "run-c")  # a command-line job of no desk
    write_claim(runs_dir, desk_claim("cat"), job="run-dead", expires=time.time() - 1)
    assert active_jobs(runs_dir) == [
        {"run_id": "run-a", "desk": "ann", "status": "running", "host": socket.gethostname()},
        {"run_id": "run-c", "desk": None, "status": "running", "host": socket.gethostname()},
        {"run_id": "run-b", "desk": "bob", "status": "queued", "host": socket.gethostname()},
    ]
    for replica, job in ((here, "run-a"), (there, "run-b"), (there, "run-c")):
        replica.release_job(job)
    assert active_jobs(runs_dir) == []
    assert active_jobs(runs_dir / "nowhere") == []


def test_the_claims_folder_goes_with_the_last_claim(runs_dir):
    runs_dir.mkdir()
    one, two = Claims(), Claims()
    one.take(runs_dir, desk_claim("ann"), "run-a", desk="ann")
    two.take(runs_dir, slot_claim(0), "run-b")
    one.release_job("run-a")
    assert claim_file(runs_dir, slot_claim(0)).is_file()  # another claim keeps it
    two.release_job("run-b")
    assert list(runs_dir.iterdir()) == []  # the runs folder as it was before any job
    assert one.take(runs_dir, desk_claim("ann"), "run-c", desk="ann") is None  # and again
    one.release_job("run-c")
    assert list(runs_dir.iterdir()) == []


def test_claims_taken_and_let_go_in_many_threads_never_lose_one(runs_dir):
    """Taking, renewing and releasing while the folder comes and goes: every take of a
    free claim succeeds, no claim is ever held twice."""
    runs_dir.mkdir()
    errors = []

    def work(i):
        mine = Claims()
        try:
            for round_ in range(30):
                name = desk_claim(f"d{i}")
                assert mine.take(runs_dir, name, f"r{i}-{round_}", desk=f"d{i}") is None
                mine.renew()
                assert json.loads(claim_file(runs_dir, name).read_text())["replica"] == (
                    mine.replica
                )
                mine.release_job(f"r{i}-{round_}")
        except Exception as err:  # reported below, with the thread's number
            errors.append((i, repr(err)))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and list(runs_dir.iterdir()) == []
