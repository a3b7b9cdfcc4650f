"""The process runner uses the machine: one slot per core by default ($CNNVIZ_MAX_JOBS a
ceiling), each worker's TensorFlow its share of the cores, two desks' jobs training
at once in two workers, below the server's priority.

Oracles: the worker processes' own command lines and run folders (process ids), and
the job events' order.
"""

import functools
import os
from pathlib import Path

import pytest

from cnnviz import process_runner
from cnnviz.events import BatchEvent, EpochEvent
from cnnviz.plan import TrainConfig
from cnnviz.process_runner import ProcessJobRunner
from cnnviz.request import TrainRequest
from cnnviz.runs import load_run
from cnnviz.spec import ModelSpec
from cnnviz.worker import NICENESS
from tests.helpers_runs import ended
from tests.helpers_runs import wait_for as _wait_for

wait_for = functools.partial(_wait_for, timeout=240.0)
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


@pytest.mark.parametrize(
    "cores, max_jobs, slots, threads",
    [(2, None, 2, 1), (4, None, 4, 1), (4, "2", 2, 2), (2, "8", 2, 1), (2, "1", 1, 2)],
)
def test_one_slot_per_core_capped_by_max_jobs_and_threads_shared(
    monkeypatch, cores, max_jobs, slots, threads
):
    monkeypatch.setattr(process_runner, "machine_cores", lambda: cores)
    if max_jobs is None:
        monkeypatch.delenv("CNNVIZ_MAX_JOBS", raising=False)
    else:
        monkeypatch.setenv("CNNVIZ_MAX_JOBS", max_jobs)
    runner, three = ProcessJobRunner(warm=False), ProcessJobRunner(3, warm=False)
    try:  # no process started
        assert (runner.max_concurrent, runner.threads) == (slots, threads)
        assert (three.max_concurrent, three.threads) == (3, max(1, cores // 3))
    finally:
        runner.shutdown()
        three.shutdown()


def test_two_desks_train_at_once_in_two_workers_with_a_thread_each(runs_dir):
    runner = ProcessJobRunner(2, threads=1)
    try:
        config = TrainConfig(epochs=500, batch_size=16)

        def request(owner):
            return TrainRequest(
                TINY, "digits", config, limit=200, runs_dir=str(runs_dir), owner=owner
            )

        first, second = runner.submit(request("ada")), runner.submit(request("bo"))
        for job in (first, second):  # both train now, neither waits for the other
            wait_for(lambda job=job: any(isinstance(e, BatchEvent) for e in runner.events(job)))
        assert runner.status(first)["status"] == runner.status(second)["status"] == "running"
        assert [s["queue_position"] for s in runner.queue()] == [None, None]
        pids, server_nice = runner.worker_pids(), os.getpriority(os.PRIO_PROCESS, 0)
        assert len(pids) == 2
        for pid in pids:  # each worker was told its share of the cores
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            assert argv[-2:] == [b"1", b""] and b"cnnviz.worker" in argv
            # and runs below the server's priority, so pages answer first
            assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, server_nice + NICENESS)
        wait_for(lambda: any(isinstance(e, EpochEvent) for e in runner.events(second)))
        for job in (first, second):
            runner.stop(job)
        wait_for(lambda: ended(runner, first) and ended(runner, second))
    finally:
        runner.shutdown(wait=True)
    runs = [load_run(job, runs_dir) for job in (first, second)]
    assert all(run.state == "stopped" for run in runs)
    assert runs[0].status["pid"] != runs[1].status["pid"]  # two workers trained them


def test_a_warm_workers_second_job_is_the_run_its_first_was(runs_dir):
    """The first job of a fresh worker builds its model; the second, of the same kind
    and seed, reuses it: the same history, to float rounding, and the same test accuracy."""
    spec = ModelSpec.from_dict(
        {
            "name": "dropped",
            "layers": [
                {"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu"},
                {"type": "BatchNormalization"},
                {"type": "Flatten"},
                {"type": "Dropout", "rate": 0.3},
                {"type": "Dense", "units": "num_classes", "activation": "softmax"},
            ],
        }
    )
    config = TrainConfig(epochs=3, batch_size=16, seed=11)
    request = TrainRequest(spec, "digits", config, limit=200, runs_dir=str(runs_dir))
    runner = ProcessJobRunner(1, threads=1)
    try:
        jobs = []
        for _ in range(2):
            jobs.append(runner.submit(request))
            wait_for(lambda: ended(runner, jobs[-1]))
    finally:
        runner.shutdown(wait=True)
    first, second = (load_run(job, runs_dir) for job in jobs)
    assert first.state == second.state == "completed"
    assert first.status["pid"] == second.status["pid"]  # one warm worker trained both
    assert set(first.history()) == set(second.history())
    for key, values in first.history().items():
        assert second.history()[key] == pytest.approx(values, rel=1e-5, abs=1e-7), key
    assert second.test_accuracy == first.test_accuracy
