"""The background job runner: queue, stream, stop, shutdown, no threads left behind."""

import functools
import threading
import time

import pytest

from cnnviz import runs
from cnnviz.augment import AugmentSpec
from cnnviz.data import load_dataset
from cnnviz.errors import CnnvizError
from cnnviz.jobs import max_jobs_from_env
from cnnviz.plan import TrainConfig
from cnnviz.request import TrainRequest
from cnnviz.runners import default_runner
from cnnviz.spec import ModelSpec
from cnnviz.thread_runner import ThreadJobRunner
from tests.helpers_runs import wait_for as _wait_for

wait_for = functools.partial(_wait_for, timeout=120.0)  # this file's default wait

TINY = {
    "name": "tiny",
    "layers": [
        {"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu"},
        {"type": "Flatten"},
        {"type": "Dense", "units": "num_classes", "activation": "softmax"},
    ],
}
FINAL = ("completed", "stopped", "failed")


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", limit=200)


def request(runs_dir, epochs=2, **kwargs) -> TrainRequest:
    config = TrainConfig(epochs=epochs, batch_size=16)
    return TrainRequest(
        ModelSpec.from_dict(TINY), "digits", config, limit=200, runs_dir=str(runs_dir), **kwargs
    )


def job_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("cnnviz-job")]


@pytest.fixture
def runner():
    runner = ThreadJobRunner(max_concurrent=1)
    yield runner
    runner.shutdown(wait=True)
    assert job_threads() == []


def test_a_job_streams_to_many_readers_and_completes(runner, runs_dir):
    job = runner.submit(request(runs_dir))  # loads digits itself, from the id
    assert runs.load_run(job, runs_dir).state in ("queued", "running", "completed")
    assert runner.artifacts(job) == runs_dir / job
    readers = [[] for _ in range(3)]

    def read(into):
        while True:
            done = runner.status(job)["status"] in FINAL
            into += runner.events(job, since=len(into))
            if done:
                return
            time.sleep(0.02)  # a UI polls a few times a second

    threads = [threading.Thread(target=read, args=(r,)) for r in readers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert readers[0] == readers[1] == readers[2]
    events = readers[0]
    assert events[0].kind == "status" and events[0].status == "queued"
    assert [e.epoch for e in events if e.kind == "epoch"] == [1, 2]
    assert events[-1].status == "completed"
    status = runner.status(job)
    assert status["test_accuracy"] == events[-1].test_accuracy
    assert status["latest"].kind == "epoch" and status["queue_position"] is None
    run = runs.load_run(job, runs_dir)
    assert run.state == "completed" and (run.dir / "model.keras").is_file()
    assert run.config["dataset"] == "digits" and run.config["limit"] == 200
    wait_for(lambda: job_threads() == [])  # workers exist only while there is work


def test_a_second_job_waits_in_the_queue_and_sees_its_position(runner, runs_dir, digits):
    first = runner.submit(request(runs_dir, epochs=500))
    second = runner.submit(request(runs_dir, epochs=1))
    third = runner.submit(request(runs_dir, epochs=1))
    assert runner.status(second)["status"] == "queued"
    assert runner.status(second)["queue_position"] == 1
    assert runner.status(third)["queue_position"] == 2
    assert runs.load_run(third, runs_dir).state == "queued"
    assert len(job_threads()) == 1  # the limit: one job at a time

    runner.stop(second)  # a queued job never starts
    assert runner.status(second)["status"] == "stopped"
    assert runner.status(third)["queue_position"] == 1
    wait_for(lambda: any(e.kind == "epoch" for e in runner.events(first)))
    runner.stop(first)  # a running one stops after its current batch
    wait_for(lambda: runner.status(third)["status"] in FINAL)
    assert runner.status(first)["status"] == "stopped"
    assert runner.status(third)["status"] == "completed"
    assert runs.load_run(first, runs_dir).state == "stopped"
    assert (runs_dir / first / "model.keras").is_file()
    second_run = runs.load_run(second, runs_dir)
    assert second_run.state == "stopped" and second_run.history() == {}
    assert runner.job_ids() == [first, second, third]


def test_with_two_slots_two_jobs_train_and_the_queue_counts_both(runs_dir, digits):
    """Oracle: the running jobs' own ETAs, read in the same snapshot of the queue; a job
    waits for the sooner of them, the next for the later, the one after for a round more."""
    runner = ThreadJobRunner(max_concurrent=2)
    try:
        jobs = [runner.submit(request(runs_dir, epochs=500, owner=f"d{i}")) for i in range(5)]
        for job in jobs[:2]:
            wait_for(lambda job=job: runner.status(job)["eta"] is not None)
        queue = runner.queue()
        assert [s["job_id"] for s in queue[:2]] == jobs[:2]  # the two running, started first
        assert [s["queue_position"] for s in queue] == [None, None, 1, 2, 3]
        running = sorted(s["eta"] for s in queue[:2])
        typical = runner.typical_duration()  # no job has finished: the first guess
        waits = [s["eta"] for s in queue[2:]]
        assert waits == pytest.approx([running[0], running[1], running[0] + typical], abs=0.5)
        assert len(job_threads()) == 2
    finally:
        runner.shutdown(wait=True)
    assert [runs.load_run(j, runs_dir).state for j in jobs] == ["stopped"] * 5


def test_failures_inside_a_job_end_the_job_not_the_runner(runner, runs_dir, digits):
    bad_data = runner.submit(
        TrainRequest(
            ModelSpec.from_dict(TINY), "no-such-set", TrainConfig(epochs=1), runs_dir=str(runs_dir)
        )
    )
    bad_head = dict(
        TINY, layers=TINY["layers"][:-1] + [{"type": "Dense", "units": 3, "activation": "softmax"}]
    )
    bad_model = runner.submit(
        TrainRequest(
            ModelSpec.from_dict(bad_head),
            "digits",
            TrainConfig(epochs=1),
            runs_dir=str(runs_dir),
        )
    )
    wait_for(lambda: runner.status(bad_model)["status"] in FINAL)
    assert runner.status(bad_data)["status"] == "failed"
    assert "no-such-set" in runner.status(bad_data)["message"]
    assert runs.load_run(bad_data, runs_dir).state == "failed"
    status = runner.status(bad_model)
    assert status["status"] == "failed" and "dataset has 10 classes" in status["message"]


def test_shutdown_stops_running_and_queued_jobs(runs_dir, digits):
    runner = ThreadJobRunner(max_concurrent=1)
    running = runner.submit(request(runs_dir, epochs=500))
    waiting = runner.submit(request(runs_dir, epochs=500))
    wait_for(lambda: any(e.kind == "batch" for e in runner.events(running)))
    runner.shutdown(wait=True)
    assert job_threads() == []
    assert runner.status(running)["status"] == "stopped"
    assert runner.status(waiting)["status"] == "stopped"
    with pytest.raises(CnnvizError, match="shut down"):
        runner.submit(request(runs_dir))


def test_submit_refuses_malformed_requests_at_once(runner, runs_dir):
    """A request is parsed once, at the edge (here `from_dict`): a malformed one never
    reaches the runner, and the runner takes only parsed requests."""
    with pytest.raises(CnnvizError, match='"layers" must be a list'):
        runner.submit(TrainRequest.from_dict({"spec": {"name": "x"}, "dataset": "digits"}))
    with pytest.raises(CnnvizError, match="unknown augmentation setting"):
        runner.submit(
            TrainRequest.from_dict({**request(runs_dir).to_dict(), "augment": {"spin": 3}})
        )
    with pytest.raises(CnnvizError, match="spec must be a ModelSpec"):
        runner.submit(TrainRequest(TINY, "digits", runs_dir=str(runs_dir)))
    with pytest.raises(CnnvizError, match="no job 'nope'"):
        runner.status("nope")
    assert runs.list_runs(runs_dir) == []


def test_the_request_is_plain_data():
    original = TrainRequest(
        ModelSpec.from_dict(TINY),
        "tfds:mnist",
        TrainConfig(epochs=3),
        data_dir="/d",
        limit=10,
        image_size=(16, 16),
        augment=AugmentSpec(zoom=[0.9, 1.1]),
        runs_dir="/r",
        model="tiny.json",
    )
    assert TrainRequest.from_dict(original.to_dict()) == original


def test_max_jobs_from_the_environment(monkeypatch):
    monkeypatch.delenv("CNNVIZ_MAX_JOBS", raising=False)
    assert max_jobs_from_env() == 1
    monkeypatch.setenv("CNNVIZ_MAX_JOBS", "3")
    assert max_jobs_from_env() == 3
    monkeypatch.setenv("CNNVIZ_MAX_JOBS", "zero")
    with pytest.raises(CnnvizError, match="CNNVIZ_MAX_JOBS must be a whole number"):
        max_jobs_from_env()
    with pytest.raises(CnnvizError, match="max_concurrent"):
        ThreadJobRunner(0)


def test_default_runner_is_one_per_process(monkeypatch):
    monkeypatch.setenv("CNNVIZ_MAX_JOBS", "2")
    import cnnviz.runners as runners

    monkeypatch.setattr(runners, "_shared", None)
    runner = default_runner()
    assert runner is default_runner() and runner.max_concurrent == 2
    runner.shutdown()
    assert default_runner() is not runner  # a fresh one after shutdown
    default_runner().shutdown()


def test_ended_jobs_let_go_of_their_data_and_only_the_newest_are_kept(
    runner, runs_dir, monkeypatch
):
    """A server would otherwise keep every dataset it ever trained on, and every job's
    events, for its whole life: jobs hold no dataset, the process keeps its last few
    loads (`cnnviz.data.recent`), and only the newest ended jobs' events."""
    import gc
    import weakref

    import cnnviz.jobs
    from cnnviz.data import recent

    monkeypatch.setattr(cnnviz.jobs, "KEEP_FINISHED", 2)
    recent.forget_recent()
    first = runner.submit(request(runs_dir, epochs=1))
    wait_for(lambda: runner.status(first)["status"] in FINAL)
    wait_for(lambda: not job_threads())
    data = recent.load_recent("digits", limit=200)  # the load the job made, kept
    alive = weakref.ref(data)
    del data
    for other in ("shapes:8", "shapes:9"):  # two other datasets push it out
        recent.load_recent(other)
    gc.collect()
    assert alive() is None  # the dataset went once newer loads took its place
    assert runner.events(first)[-1].status == "completed"  # the events stay, for now
    later = [runner.submit(request(runs_dir, epochs=1)) for _ in range(2)]
    wait_for(lambda: all(runner.status(j)["status"] in FINAL for j in later))
    wait_for(lambda: not job_threads())
    assert runner.job_ids() == later  # the oldest ended job is forgotten...
    with pytest.raises(CnnvizError, match="finished runs are in the runs folder"):
        runner.status(first)
    assert runs.load_run(first, runs_dir).state == "completed"  # ...its run is not
