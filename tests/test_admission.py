"""Jobs on a runs folder shared by replicas (issue 25): one job per desk and the slot cap
hold across replicas (two runners here, two real processes below), a paused queue starts
nothing anywhere, and a desk at its disk quota starts no job."""

import functools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cnnviz import claims, runs
from cnnviz.admission import PAUSED
from cnnviz.classstate import update_class_state
from cnnviz.errors import CnnvizError
from cnnviz.events import ACTIVE
from cnnviz.plan import TrainConfig
from cnnviz.request import TrainRequest
from cnnviz.thread_runner import ThreadJobRunner
from tests.helpers_runs import SPEC
from tests.helpers_runs import wait_for as _wait_for

wait_for = functools.partial(_wait_for, timeout=120.0)
ROOT = Path(__file__).resolve().parents[1]


def request(runs_dir, owner=None, epochs=1) -> TrainRequest:
    config = TrainConfig(epochs=epochs, batch_size=16)
    return TrainRequest(SPEC, "digits", config, limit=200, runs_dir=str(runs_dir), owner=owner)


def status(runner, job) -> str:
    return runner.status(job)["status"]


@pytest.fixture
def replicas(monkeypatch):
    """Two runners, as two replicas of one class would be, one training slot in all."""
    monkeypatch.setattr(claims, "TICK", 0.05)
    pair = ThreadJobRunner(max_concurrent=1), ThreadJobRunner(max_concurrent=1)
    yield pair
    for runner in pair:
        runner.shutdown(wait=True)


def test_a_desk_has_one_job_and_the_runs_folder_one_slot_across_replicas(replicas, runs_dir):
    one, two = replicas
    first = one.submit(request(runs_dir, "ann", epochs=500))
    wait_for(lambda: status(one, first) == "running")
    with pytest.raises(CnnvizError) as caught:
        two.submit(request(runs_dir, "ann"))
    message = str(caught.value)
    assert f"desk 'ann' already has a job ({first}, running in another process" in message
    assert len(runs.list_runs(runs_dir)) == 1  # the refused job left no run folder
    other = two.submit(request(runs_dir, "bob"))  # another desk: queued, not started
    wait_for(lambda: "waiting for a free slot" in two.status(other)["message"])
    assert status(two, other) == "queued"
    assert "another server" in runs.load_run(other, runs_dir).status["message"]
    listed = claims.active_jobs(runs_dir)
    assert [(j["run_id"], j["desk"], j["status"]) for j in listed] == [
        (first, "ann", "running"),
        (other, "bob", "queued"),
    ]
    one.stop(first)
    wait_for(lambda: status(two, other) not in ACTIVE)  # the freed slot is taken there
    assert status(one, first) == "stopped" and status(two, other) == "completed"
    again = two.submit(request(runs_dir, "ann"))  # ann's first job ended: ann may train
    wait_for(lambda: status(two, again) not in ACTIVE)
    wait_for(lambda: claims.active_jobs(runs_dir) == [])  # let go as each end is seen


def test_a_paused_queue_starts_nothing_in_any_replica(replicas, runs_dir):
    one, two = replicas
    update_class_state(runs_dir, paused=True)
    jobs = [(one, one.submit(request(runs_dir, "ann"))), (two, two.submit(request(runs_dir)))]
    for runner, job in jobs:
        wait_for(lambda r=runner, j=job: r.status(j)["message"] == PAUSED)
    time.sleep(0.3)  # several ticks: still waiting
    assert [status(r, j) for r, j in jobs] == ["queued", "queued"]
    assert runs.load_run(jobs[0][1], runs_dir).status["message"] == PAUSED
    update_class_state(runs_dir, paused=False)
    for runner, job in jobs:
        wait_for(lambda r=runner, j=job: status(r, j) not in ACTIVE)
        assert status(runner, job) == "completed"


def test_a_stopped_queued_job_lets_its_desk_go(replicas, runs_dir):
    one, two = replicas
    update_class_state(runs_dir, paused=True)
    waiting = one.submit(request(runs_dir, "ann"))
    one.stop(waiting)
    update_class_state(runs_dir, paused=False)
    done = two.submit(request(runs_dir, "ann"))
    wait_for(lambda: status(two, done) not in ACTIVE)


def test_a_desk_at_its_quota_starts_no_job(replicas, runs_dir, monkeypatch):
    from cnnviz import uploads

    one, _ = replicas
    uploads.store(os.urandom(1_200_000), "big.zip", owner="ann", desk_limit=10**7)
    monkeypatch.setenv("CNNVIZ_DESK_QUOTA_MB", "1")
    with pytest.raises(CnnvizError) as caught:
        one.submit(request(runs_dir, "ann"))
    message = str(caught.value)
    assert "desk ann keeps 1.2 MB of its 1.0 MB quota (runs 0 bytes, uploads 1.2 MB)" in message
    assert "cannot start a training" in message and "delete some of its runs" in message
    assert runs.list_runs(runs_dir) == [] and claims.active_jobs(runs_dir) == []
    update_class_state(runs_dir, desk_quota_mb=5)  # the teacher gives more room
    job = one.submit(request(runs_dir, "ann"))
    wait_for(lambda: status(one, job) not in ACTIVE)


def cli(runs_dir, *argv, **options) -> subprocess.Popen:
    env = {**os.environ, "CNNVIZ_RUNS_DIR": str(runs_dir)}
    return subprocess.Popen(
        [sys.executable, "-m", "cnnviz", *argv],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **options,
    )


def test_a_second_train_of_a_desk_in_another_process_is_refused(runs_dir):
    """The failed case: two replicas on one runs folder ran two jobs of the same desk."""
    train = ["train", "--data", "digits", "--model", "digits-small", "--owner", "ana"]
    first = cli(runs_dir, *train, "--epochs", "500", "--limit", "300")
    try:
        wait_for(lambda: any(j["status"] == "running" for j in claims.active_jobs(runs_dir)))
        second = cli(runs_dir, *train, "--epochs", "1")
        out, err = second.communicate(timeout=300)
        assert second.returncode == 2, err
        assert err.startswith("error: desk 'ana' already has a job (") and err.count("\n") == 1
        assert "running in another process on this runs folder" in err and out == ""
        assert len(runs.list_runs(runs_dir)) == 1
    finally:
        first.send_signal(signal.SIGTERM)  # stops after its batch, saves, marks it stopped
        first.communicate(timeout=300)
    assert first.returncode == 130 and claims.active_jobs(runs_dir) == []
    third = cli(runs_dir, *train, "--epochs", "1", "--limit", "100")
    out, err = third.communicate(timeout=300)
    assert third.returncode == 0, err


def test_no_claims_thread_outlives_its_runners(runs_dir, monkeypatch):
    import threading

    monkeypatch.setattr(claims, "TICK", 0.05)
    runner = ThreadJobRunner(max_concurrent=1)
    job = runner.submit(request(runs_dir, "ann"))
    thread = runner._admission.claims._thread
    wait_for(lambda: status(runner, job) not in ACTIVE)
    runner.shutdown(wait=True)
    thread.join(timeout=5)
    assert not thread.is_alive() and claims.active_jobs(runs_dir) == []
    assert not [t for t in threading.enumerate() if t is thread]


def test_shutdown_returns_after_an_ended_job_has_let_its_claims_go(runs_dir, monkeypatch):
    """The command line's `train` returns once its job has ended and the runner has shut
    down: the job's claims (and the `_claims` folder) are gone by then, however slowly the
    job's thread lets them go (a CI run found the folder still there)."""
    from cnnviz.admission import Admission

    let_go = Admission.release

    def slowly(self, job):
        time.sleep(1.0)
        let_go(self, job)

    monkeypatch.setattr(Admission, "release", slowly)
    runner = ThreadJobRunner(max_concurrent=1)
    job = runner.submit(request(runs_dir, "ann"))
    wait_for(lambda: status(runner, job) not in ACTIVE)
    runner.shutdown(wait=True)
    assert sorted(p.name for p in Path(runs_dir).iterdir()) == [job]
