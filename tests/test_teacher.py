"""The teacher: signing in with the teacher code (right, wrong, slowed down on a fake
clock), tokens every replica knows, signing out; neither code nor token on disk."""

import pytest

from cnnviz import teacher
from cnnviz.errors import CnnvizError
from cnnviz.teacher import Throttle
from tests.helpers_runs import all_bytes

CODE = "a-long-teacher-code"


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def throttle(clock):
    return Throttle(first=1.0, cap=60.0, clock=clock)


@pytest.fixture
def classroom(runs_dir, monkeypatch):
    monkeypatch.setenv("CNNVIZ_TEACHER_CODE", CODE)
    return runs_dir


def test_the_right_code_signs_in_and_the_token_is_the_teachers(classroom, throttle):
    token = teacher.sign_in_teacher(CODE, client="10.0.0.1", throttle=throttle)
    assert len(token) == 43 and teacher.is_teacher(token)
    other = teacher.sign_in_teacher(f"  {CODE} ", client="10.0.0.2", throttle=throttle)
    assert other != token and teacher.is_teacher(other)  # the projector and the laptop


def test_a_wrong_code_is_refused_and_never_echoed(classroom, throttle):
    for typed in ("", "a-long-teacher-cod", CODE.upper(), "é" * 20, None):
        with pytest.raises(CnnvizError, match="not the teacher code") as caught:
            teacher.sign_in_teacher(typed, client=f"c{typed!r}", throttle=throttle)
        assert CODE not in str(caught.value) and "Received: teacher_code=" in str(caught.value)
    assert not (classroom / "_teacher").exists()  # no token was made


def test_wrong_codes_slow_down_doubling_to_a_cap(classroom, clock, throttle):
    waits = []
    for _ in range(9):
        clock.now += throttle.wait("pupil") + 0.001  # try again as soon as allowed
        with pytest.raises(CnnvizError, match="not the teacher code"):
            teacher.sign_in_teacher("guess-guess-guess", client="pupil", throttle=throttle)
        waits.append(throttle.wait("pupil"))
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    # while a client waits, even the right code is not looked at
    clock.now += 59.0
    with pytest.raises(CnnvizError, match="too many wrong teacher codes: wait 1 second"):
        teacher.sign_in_teacher(CODE, client="pupil", throttle=throttle)
    assert teacher.sign_in_teacher(CODE, client="teacher-laptop", throttle=throttle)  # others not
    clock.now += 1.5
    assert teacher.is_teacher(teacher.sign_in_teacher(CODE, client="pupil", throttle=throttle))
    assert throttle.wait("pupil") == 0.0  # the right code forgets the wrong ones
    with pytest.raises(CnnvizError, match="next try is possible in 1 second"):
        teacher.sign_in_teacher("wrong", client="pupil", throttle=throttle)


def test_wrong_codes_long_ago_are_forgotten(clock):
    throttle = Throttle(first=1.0, cap=60.0, clock=clock, forget_after=600.0)
    for _ in range(5):
        throttle.failed("pupil")
    assert throttle.wait("pupil") == 16.0
    clock.now += 16.0 + 601.0
    assert throttle.failed("pupil") == 1.0


def test_the_process_throttle_is_the_default(classroom):
    client = "test-default-throttle"
    with pytest.raises(CnnvizError):
        teacher.sign_in_teacher("wrong", client=client)
    assert teacher.THROTTLE.wait(client) > 0
    teacher.THROTTLE.succeeded(client)


def test_garbage_tokens_are_not_the_teacher(classroom, throttle):
    token = teacher.sign_in_teacher(CODE, client="t", throttle=throttle)
    forged = ("A" if token[0] != "A" else "B") + token[1:]
    for value in [forged, None, "", 42, "x" * 10_000, token + "x", token[:-1], CODE, "é" * 43]:
        assert teacher.is_teacher(value) is False, value


def test_every_replica_knows_a_token_and_sign_out_ends_it_everywhere(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNVIZ_TEACHER_CODE", CODE)
    (tmp_path / "runs").mkdir()
    (tmp_path / "mount").symlink_to(tmp_path / "runs")
    token = teacher.sign_in_teacher(CODE, client="t", runs_dir=tmp_path / "runs")
    assert teacher.is_teacher(token, runs_dir=tmp_path / "mount")
    assert not teacher.is_teacher(token, runs_dir=tmp_path / "elsewhere")  # another server's
    teacher.sign_out_teacher(token, runs_dir=tmp_path / "mount")
    assert not teacher.is_teacher(token, runs_dir=tmp_path / "runs")
    teacher.sign_out_teacher(token, runs_dir=tmp_path / "runs")  # twice: nothing
    teacher.sign_out_teacher("garbage", runs_dir=tmp_path / "runs")


def test_a_new_teacher_code_or_no_code_ends_every_sign_in(classroom, monkeypatch, throttle):
    token = teacher.sign_in_teacher(CODE, client="t", throttle=throttle)
    monkeypatch.setenv("CNNVIZ_TEACHER_CODE", "another-long-code")
    assert not teacher.is_teacher(token)
    monkeypatch.delenv("CNNVIZ_TEACHER_CODE")
    assert not teacher.is_teacher(token)
    with pytest.raises(CnnvizError, match="no teacher code.*CNNVIZ_TEACHER_CODE"):
        teacher.sign_in_teacher(CODE, client="t", throttle=throttle)


def test_a_sign_in_expires_and_expired_ones_are_cleared(classroom, monkeypatch, throttle):
    token = teacher.sign_in_teacher(CODE, client="t", throttle=throttle)
    now = teacher.time.time()
    monkeypatch.setattr(teacher.time, "time", lambda: now + teacher.TEACHER_HOURS * 3600 + 1)
    assert not teacher.is_teacher(token)
    fresh = teacher.sign_in_teacher(CODE, client="t", throttle=throttle)
    assert len(list((classroom / "_teacher").glob("*.json"))) == 1  # the old one is gone
    assert teacher.is_teacher(fresh)


def test_neither_code_nor_token_is_on_disk(classroom, throttle):
    tokens = [teacher.sign_in_teacher(CODE, client="t", throttle=throttle) for _ in range(3)]
    stored = all_bytes(classroom)
    assert stored and CODE.encode() not in stored
    assert not any(token.encode() in stored for token in tokens)
