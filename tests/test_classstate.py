"""The class state: the teacher's run-time settings every replica sees, and **Send to
every desk**, taken once by each desk."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cnnviz import class_send, classstate, desks, presets
from cnnviz.classstate import ClassState, read_class_state, update_class_state
from cnnviz.errors import CnnvizError
from cnnviz.links import Experiment, decode, encode

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def replicas(tmp_path):
    """One runs folder as two replicas see it: its own path, and a mount (a symlink)."""
    (tmp_path / "runs").mkdir()
    (tmp_path / "mount").symlink_to(tmp_path / "runs")
    return tmp_path / "runs", tmp_path / "mount"


def test_no_state_yet_reads_as_the_defaults(runs_dir):
    assert read_class_state() == ClassState()
    assert not runs_dir.exists()  # reading creates nothing


def test_what_one_replica_sets_the_other_reads(replicas):
    one, two = replicas
    assert read_class_state(two) == ClassState()
    update_class_state(one, paused=True, job_minutes=5)
    seen = read_class_state(two)
    assert seen.paused and seen.job_minutes == 5.0 and not seen.hide_names and seen.updated
    update_class_state(two, hide_names=True, job_minutes=None)
    seen = read_class_state(one)
    assert (seen.paused, seen.hide_names, seen.job_minutes) == (True, True, None)
    document = json.loads((one / "_class" / "state.json").read_text())
    assert ClassState.from_dict(document) == seen and document["v"] == 1


WRITER = """
import sys
from cnnviz.classstate import update_class_state
update_class_state(sys.argv[1], paused=sys.argv[2] == "1", desk_quota_mb=int(sys.argv[3]))
"""


def test_a_change_by_another_process_is_seen_at_once(replicas):
    one, two = replicas
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    update_class_state(one, paused=False)
    before = read_class_state(one)
    assert read_class_state(one) is before  # an unchanged file is not parsed again
    for paused, quota in (("1", 50), ("0", 51), ("1", 52)):  # same size, back to back
        args = [sys.executable, "-c", WRITER, str(two), paused, str(quota)]
        subprocess.run(args, env=env, check=True, timeout=60)
        seen = read_class_state(one)
        assert (seen.paused, seen.desk_quota_mb) == (paused == "1", quota)


def test_bad_settings_are_refused_with_what_fits(runs_dir):
    cases = [
        ({"paused": "yes"}, "paused must be true or false"),
        ({"job_minutes": 0}, "job_minutes must be above 0"),
        ({"job_minutes": "ten"}, "job_minutes must be a number"),
        ({"desk_quota_mb": 0}, "desk_quota_mb must be a positive whole number"),
        ({"hide_name": True}, "unknown class setting 'hide_name'; did you mean 'hide_names'"),
    ]
    for changes, words in cases:
        with pytest.raises(CnnvizError, match=words):
            update_class_state(**changes)
    assert read_class_state() == ClassState()


def test_a_damaged_state_file_reads_as_the_defaults(runs_dir):
    update_class_state(paused=True)
    path = runs_dir / "_class" / "state.json"
    for text in ("{broken", "[]", '{"paused": "yes"}', '{"sent": {"seq": -1}}'):
        path.write_text(text)
        assert read_class_state() == ClassState(), text
    update_class_state(hide_names=True)  # the teacher's next change writes a whole one
    assert read_class_state().hide_names


def test_the_limits_in_force_are_the_teachers_else_the_servers(runs_dir, monkeypatch):
    monkeypatch.setenv("CNNVIZ_MAX_JOB_MINUTES", "20")
    monkeypatch.setenv("CNNVIZ_DESK_QUOTA_MB", "300")
    assert (classstate.job_minutes(), classstate.desk_quota_mb()) == (20.0, 300)
    update_class_state(job_minutes=2.5, desk_quota_mb=40)
    assert (classstate.job_minutes(), classstate.desk_quota_mb()) == (2.5, 40)
    update_class_state(job_minutes=None, desk_quota_mb=None)
    assert (classstate.job_minutes(), classstate.desk_quota_mb()) == (20.0, 300)


def test_a_send_is_taken_once_by_each_desk(replicas):
    one, two = replicas
    token = encode(Experiment(presets.get("digits-small")))
    assert class_send.take_sent("alice", runs_dir=one) is None  # nothing sent yet
    sent = class_send.send_to_desks(experiment=token, runs_dir=one)
    assert sent.experiment == token and sent.lesson is None and sent.seq > 0
    assert decode(class_send.take_sent("alice", runs_dir=two).experiment).spec.name
    assert class_send.take_sent("alice", runs_dir=one) is None  # once, on any replica
    assert class_send.take_sent("bob", runs_dir=two) == sent  # every desk gets it
    lesson = class_send.send_to_desks(lesson="pooling", runs_dir=two)
    assert lesson.seq > sent.seq and lesson.lesson == "pooling" and lesson.experiment is None
    assert class_send.take_sent("alice", runs_dir=one) == lesson
    assert class_send.take_sent("alice", runs_dir=one) is None


def test_a_reset_desk_gets_the_latest_send_again(runs_dir):
    desks.claim_desk("alice")
    sent = class_send.send_to_desks(lesson="pooling")
    assert class_send.take_sent("alice") == sent and class_send.take_sent("alice") is None
    desks.reset_desk("alice")  # a new laptop at that desk
    assert class_send.take_sent("alice") == sent


def test_an_old_send_is_not_offered(runs_dir, monkeypatch):
    class_send.send_to_desks(lesson="pooling")
    later = class_send.time.time() + class_send.SENT_HOURS * 3600 + 1
    monkeypatch.setattr(class_send.time, "time", lambda: later)
    assert class_send.take_sent("alice") is None


def test_a_bad_send_is_refused_and_changes_nothing(runs_dir):
    cases = [
        ({}, "either an experiment or a lesson"),
        ({"experiment": "x", "lesson": "pooling"}, "either an experiment or a lesson"),
        ({"experiment": "not*a*token"}, "experiment link"),
        ({"lesson": "poolin"}, "no lesson 'poolin'"),
    ]
    for kwargs, words in cases:
        with pytest.raises(CnnvizError, match=words):
            class_send.send_to_desks(**kwargs)
    assert read_class_state().sent is None
    with pytest.raises(CnnvizError, match="short name"):
        class_send.take_sent("../x")


def test_sends_racing_from_threads_each_get_their_own_number(runs_dir):
    numbers = []

    def send():
        numbers.append(class_send.send_to_desks(lesson="pooling").seq)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(numbers)) == 8 and read_class_state().sent.seq == max(numbers)
