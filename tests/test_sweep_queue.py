"""A learner's sweep in its own queue: real tiny trainings in the thread runner, each run
submitted only once the one before has ended; a stop ends the sweep."""

import time

import pytest

from cnnviz.errors import CnnvizError
from cnnviz.events import ACTIVE
from cnnviz.plan import TrainConfig
from cnnviz.request import TrainRequest
from cnnviz.runners import make_runner
from cnnviz.runs import list_runs
from cnnviz.spec import ModelSpec
from cnnviz.sweep import Sweep
from cnnviz.sweep_queue import SweepQueue
from cnnviz.sweep_record import record_of

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


@pytest.fixture
def runner():
    runner = make_runner("thread", 1)
    yield runner
    runner.shutdown(wait=True)


def spied(runner) -> list[list[str]]:
    """Wraps `runner.submit`: for each submit, the jobs still queued or running then."""
    seen, submit = [], runner.submit

    def spy(request):
        seen.append([j for j in runner.job_ids() if runner.status(j)["status"] in ACTIVE])
        return submit(request)

    runner.submit = spy
    return seen


@pytest.mark.parametrize("owner", [None, "ada"])
def test_the_slots_are_trained_one_after_another(runner, runs_dir, owner):
    sweep = Sweep.parse(["lr=0.003,0.01"], TINY, repeats=2)
    base = TrainRequest(TINY, "digits", TrainConfig(epochs=1, seed=5), limit=200, owner=owner)
    active_at_submit = spied(runner)
    queue = SweepQueue(runner, sweep, base, poll=0.1)
    first = queue.start()
    assert queue.active and queue.current == first
    assert queue.wait(240), "the sweep did not end"
    assert queue.state == "done" and queue.message == "all 4 runs have trained"
    assert active_at_submit == [[], [], [], []]  # nothing of its own was running
    runs = {run.id: run for run in list_runs(runs_dir)}
    assert sorted(runs) == sorted(queue.jobs)
    records = [record_of(runs[job].config) for job in queue.jobs]
    assert [(r["settings"], r["repeat"]) for r in records] == [
        (slot.settings, slot.repeat) for slot in sweep.slots()
    ]
    assert [runs[job].config["seed"] for job in queue.jobs] == [5, 5, 6, 6]
    assert queue.slots == sweep.slots()
    assert all(runs[job].state == "completed" and runs[job].owner == owner for job in queue.jobs)
    assert queue.missing() == []
    with pytest.raises(CnnvizError, match="trained already"):
        SweepQueue(runner, sweep, base).start()


def test_a_stopped_run_ends_the_sweep(runner, runs_dir):
    sweep = Sweep.parse(["lr=0.003,0.01,0.03"], TINY)
    base = TrainRequest(TINY, "digits", TrainConfig(epochs=300), limit=200, owner="bob")
    queue = SweepQueue(runner, sweep, base, poll=0.1)
    job = queue.start()
    runner.stop(job, owner="bob")  # the desk's Stop training
    assert queue.wait(120)
    assert queue.state == "stopped" and queue.jobs == [job]
    assert "stopped" in queue.message
    assert len(queue.missing()) == 2  # the other two never started


def test_stop_starts_no_more_and_stops_the_current_run(runner, runs_dir):
    sweep = Sweep.parse(["lr=0.003,0.01"], TINY)
    base = TrainRequest(TINY, "digits", TrainConfig(epochs=300), limit=200)
    queue = SweepQueue(runner, sweep, base, poll=0.1)
    job = queue.start()
    queue.stop()
    assert queue.wait(1) and queue.state == "stopped"
    deadline = time.monotonic() + 120
    while runner.status(job)["status"] in ACTIVE and time.monotonic() < deadline:
        time.sleep(0.1)
    assert runner.status(job)["status"] == "stopped" and queue.jobs == [job]
