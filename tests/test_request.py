"""A job's request and its time limit: carried to any runner, the smaller of the
job's own and the teacher's, and a job past it stops after its batch and keeps its weights.

Oracles: the run folders the jobs leave (read back with `cnnviz.runs`), Keras loading
the saved model, and the class state the teacher writes (`cnnviz.classstate`).
"""

import functools

import pytest

from cnnviz.classstate import update_class_state
from cnnviz.errors import CnnvizError
from cnnviz.plan import TrainConfig
from cnnviz.request import TrainRequest, run_job, time_limited
from cnnviz.runs import load_run
from cnnviz.spec import ModelSpec
from cnnviz.thread_runner import ThreadJobRunner
from tests.helpers_runs import ended
from tests.helpers_runs import wait_for as _wait_for

wait_for = functools.partial(_wait_for, timeout=180.0)
TINY = ModelSpec.from_dict(
    {
        "name": "tiny",
        "layers": [
            {"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu"},
            {"type": "Flatten"},
            {"type": "Dense", "units": "num_classes", "activation": "softmax"},
        ],
    }
)


def request(runs_dir, epochs=2, **kwargs) -> TrainRequest:
    config = TrainConfig(epochs=epochs, batch_size=16)
    return TrainRequest(TINY, "digits", config, limit=200, runs_dir=str(runs_dir), **kwargs)


def test_a_time_limit_travels_with_the_request(runs_dir):
    limited = request(runs_dir, max_minutes=2)
    assert limited.max_minutes == 2.0
    assert TrainRequest.from_dict(limited.to_dict()) == limited  # to a worker process
    assert TrainRequest.from_dict(request(runs_dir).to_dict()).max_minutes is None
    for bad in (0, -1, "ten", 1e9):
        with pytest.raises(CnnvizError, match=r"max_minutes.*Received: max_minutes="):
            request(runs_dir, max_minutes=bad)


def test_the_limit_in_force_is_the_smaller_of_the_jobs_and_the_teachers(runs_dir, monkeypatch):
    monkeypatch.delenv("CNNVIZ_MAX_JOB_MINUTES", raising=False)
    monkeypatch.delenv("CNNVIZ_CLASS_CODE", raising=False)
    assert time_limited(request(runs_dir)).max_minutes is None  # solo: no limit
    assert time_limited(request(runs_dir, max_minutes=3)).max_minutes == 3.0
    monkeypatch.setenv("CNNVIZ_CLASS_CODE", "owls")
    assert time_limited(request(runs_dir)).max_minutes == 30.0  # the classroom default
    monkeypatch.setenv("CNNVIZ_MAX_JOB_MINUTES", "12")
    assert time_limited(request(runs_dir)).max_minutes == 12.0
    update_class_state(runs_dir, job_minutes=5)  # the teacher's setting, at run time
    assert time_limited(request(runs_dir)).max_minutes == 5.0
    assert time_limited(request(runs_dir, max_minutes=3)).max_minutes == 3.0
    assert time_limited(request(runs_dir, max_minutes=60)).max_minutes == 5.0


def test_a_job_past_its_limit_stops_after_the_batch_and_keeps_its_weights(runs_dir):
    run_dir = runs_dir / "limited"
    result = run_job(request(runs_dir, epochs=5000, max_minutes=0.1), run_dir=run_dir)
    assert result.status == "stopped"
    assert "time limit of 0.1 minutes" in result.message
    assert "the weights learned so far are saved" in result.message
    run = load_run(run_dir)
    assert run.state == "stopped" and run.status["message"] == result.message
    assert 1 <= len(run.history()["loss"]) < 5000
    assert run.model() is not None and run.metrics() is not None  # saved and tested


def test_a_runner_gives_a_job_the_teachers_limit_as_it_starts(runs_dir):
    runner = ThreadJobRunner(max_concurrent=1)
    try:
        update_class_state(runs_dir, job_minutes=0.1)
        job = runner.submit(request(runs_dir, epochs=5000, owner="ana"))
        wait_for(lambda: ended(runner, job))
    finally:
        runner.shutdown(wait=True)
    run = load_run(job, runs_dir)
    assert run.state == "stopped" and "time limit of 0.1 minutes" in run.status["message"]
    assert (run.dir / "model.keras").is_file() and run.epochs()


def test_a_limit_reached_before_the_first_batch_still_keeps_a_model(runs_dir):
    """The job stops after the batch past its limit: the first one, when loading took
    longer than the limit; a model is always kept."""
    result = run_job(request(runs_dir, max_minutes=1e-6), run_dir=runs_dir / "at-once")
    assert result.status == "stopped"
    assert "of epoch 1: it reached the time limit" in result.message
    run = load_run(runs_dir / "at-once")
    assert (run.dir / "model.keras").is_file() and run.metrics() is not None
