"""The job runner contract, run against every runner: the same queue, events, stop,
fairness and shutdown, whether a job trains in a thread of this process, in a worker
process or on a Ray cluster (real Ray: two simulated nodes of one CPU each, joined
through $CNNVIZ_RAY_ADDRESS); and a worker killed mid-run leaves that run `interrupted`
with its finished epochs, never ends the runner. On two Ray nodes, two jobs train at once.

Oracles: the run folders the jobs leave (read back with `cnnviz.runs`), process ids,
and counts by hand.
"""

import functools
import importlib.util
import json
import os
import signal
import threading
from pathlib import Path

import pytest

from cnnviz.cli import main as cli_main
from cnnviz.errors import CnnvizError
from cnnviz.events import EpochEvent, StatusEvent
from cnnviz.plan import TrainConfig
from cnnviz.request import TrainRequest
from cnnviz.runners import make_runner
from cnnviz.runs import load_run
from cnnviz.spec import ModelSpec
from tests.helpers_runs import ended
from tests.helpers_runs import wait_for as _wait_for

wait_for = functools.partial(_wait_for, timeout=180.0)  # this file's default wait

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
NO_RAY = importlib.util.find_spec("ray") is None
KINDS = [
    "thread",
    "process",
    pytest.param("ray", marks=pytest.mark.skipif(NO_RAY, reason="Ray is not installed")),
]


def alive(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def two_nodes():
    """A Ray cluster of two nodes with one CPU each (on this machine), joined through
    $CNNVIZ_RAY_ADDRESS; no Ray process of it is left afterwards."""
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    before = os.environ.get("CNNVIZ_RAY_ADDRESS")
    try:
        cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        os.environ["CNNVIZ_RAY_ADDRESS"] = cluster.address
        yield cluster
    finally:
        nodes = cluster.list_all_nodes()
        pids = [p.process.pid for n in nodes for ps in n.all_processes.values() for p in ps]
        cluster.shutdown()
        if before is None:
            os.environ.pop("CNNVIZ_RAY_ADDRESS", None)
        else:
            os.environ["CNNVIZ_RAY_ADDRESS"] = before
        assert pids and not [p for p in pids if alive(p)]


@pytest.fixture(scope="module", params=KINDS)
def runner(request):
    if request.param == "ray":
        request.getfixturevalue("two_nodes")
    runner = make_runner(request.param, 1)
    yield runner
    runner.shutdown(wait=True)
    if request.param == "thread":
        assert not [t for t in threading.enumerate() if t.name.startswith("cnnviz-job")]
    else:  # a Ray job's workers end with the runner's connection
        wait_for(lambda: runner.worker_pids() == [], timeout=60)
    if request.param == "ray":
        import ray

        assert not ray.is_initialized()  # the runner made the connection, and closed it


def job(runs_dir, owner, epochs=2, **config):
    return TrainRequest(
        TINY,
        "digits",
        TrainConfig(epochs=epochs, batch_size=16, **config),
        limit=200,
        runs_dir=str(runs_dir),
        owner=owner,
    )


def test_a_job_streams_its_events_in_order_and_leaves_a_whole_run(runner, runs_dir):
    job_id = runner.submit(job(runs_dir, "ada"))
    wait_for(lambda: ended(runner, job_id))
    events = runner.events(job_id)
    words = [e.status for e in events if isinstance(e, StatusEvent)]
    assert words[0] == "queued" and words[1] == "running" and words[-1] == "completed"
    assert [e.epoch for e in events if isinstance(e, EpochEvent)] == [1, 2]
    run = load_run(job_id, runs_dir)
    assert run.state == "completed" and run.epochs() == [1, 2] and run.test_accuracy > 0
    assert run.config["owner"] == "ada" and run.config["runner"] == runner.name
    assert (run.dir / "model.keras").is_file() and len(run.history()["loss"]) == 2
    trained_here = run.status["pid"] == os.getpid()
    assert trained_here == (runner.name == "thread")  # a worker process trained it


def test_stop_ends_a_running_job_after_its_batch_and_keeps_what_it_learned(runner, runs_dir):
    job_id = runner.submit(job(runs_dir, "bo", epochs=500))
    wait_for(lambda: any(isinstance(e, EpochEvent) for e in runner.events(job_id)))
    runner.stop(job_id)
    wait_for(lambda: ended(runner, job_id))
    run = load_run(job_id, runs_dir)
    assert run.state == "stopped" and "on request after batch" in run.status["message"]
    assert (run.dir / "model.keras").is_file() and run.epochs()[:1] == [1]
    assert 1 <= run.status["epochs_completed"] < 500


def test_the_queue_is_fair_and_says_where_each_desk_waits(runner, runs_dir):
    wait_for(lambda: not runner.queue())  # the last test's job has let go of its slot
    first = runner.submit(job(runs_dir, "cy", epochs=500))
    second = runner.submit(job(runs_dir, "di"))
    third = runner.submit(job(runs_dir, "ed"))
    with pytest.raises(CnnvizError, match=r"desk 'di' already has a job .*position 1"):
        runner.submit(job(runs_dir, "di"))
    with pytest.raises(CnnvizError, match="desk 'cy' already has a job .*training now"):
        runner.submit(job(runs_dir, "cy"))
    assert [runner.status(j)["queue_position"] for j in (first, second, third)] == [None, 1, 2]
    assert runner.status(third)["eta"] >= runner.status(second)["eta"] >= 0
    assert [s["job_id"] for s in runner.queue()] == [first, second, third]
    assert runner.job_ids(owner="di") == [second] and runner.active_job("ed") == third
    with pytest.raises(CnnvizError, match="not desk 'ed''s"):
        runner.stop(first, owner="ed")
    runner.stop(third, owner="ed")  # a queued job never starts
    assert runner.status(third)["status"] == "stopped"
    assert load_run(third, runs_dir).state == "stopped"
    wait_for(lambda: any(isinstance(e, EpochEvent) for e in runner.events(first)))
    runner.stop(first, owner="cy")
    wait_for(lambda: ended(runner, second))
    assert runner.status(first)["status"] == "stopped"
    assert runner.status(second)["status"] == "completed"
    assert runner.typical_duration() > 0


def test_a_failing_job_ends_failed_and_the_runner_goes_on(runner, runs_dir):
    bad = runner.submit(
        TrainRequest(TINY, "no-such-set", TrainConfig(epochs=1), runs_dir=str(runs_dir), owner="fa")
    )
    wait_for(lambda: ended(runner, bad))
    assert runner.status(bad)["status"] == "failed"
    assert "unknown dataset 'no-such-set'" in load_run(bad, runs_dir).status["message"]
    good = runner.submit(job(runs_dir, "fa", epochs=1))  # the desk may train again
    wait_for(lambda: ended(runner, good))
    assert runner.status(good)["status"] == "completed"


def test_a_worker_killed_mid_run_leaves_it_interrupted_with_its_epochs_and_serves_on(
    runner, runs_dir, capsys
):
    if runner.name == "thread":
        pytest.skip("a thread cannot be killed on its own; the process runner's case")
    job_id = runner.submit(job(runs_dir, "gu", epochs=500))
    wait_for(lambda: (load_run(job_id, runs_dir).status.get("epochs_completed") or 0) >= 3)
    pid = load_run(job_id, runs_dir).status["pid"]  # the process that trains it
    assert pid != os.getpid() and pid in runner.worker_pids()
    os.kill(pid, signal.SIGKILL)  # as the out-of-memory killer does
    wait_for(lambda: ended(runner, job_id))
    run = load_run(job_id, runs_dir)
    # a worker process's exit code names the signal; Ray tells only that its worker died
    killed = "killed (SIGKILL)" if runner.name == "process" else "died or was killed"
    assert run.state == "interrupted" and killed in run.status["message"]
    kept = run.status["epochs_completed"]
    assert kept >= 3 and f"the weights after epoch {kept} are kept" in run.status["message"]
    assert run.epochs()[-1] == kept and run.model(kept) is not None and run.has_model
    capsys.readouterr()
    assert cli_main(["evaluate", job_id, "--json"]) == 0  # the command line opens it
    assert json.loads(capsys.readouterr().out)["test_accuracy"] > 0
    again = runner.submit(job(runs_dir, "gu", epochs=1))  # a new worker takes it
    wait_for(lambda: ended(runner, again))
    assert runner.status(again)["status"] == "completed"
    assert load_run(again, runs_dir).status["pid"] not in (pid, os.getpid())
    assert runner.worker_pids() and pid not in runner.worker_pids()


def test_two_ray_nodes_train_two_jobs_at_once(runner, runs_dir):
    if runner.name != "ray":
        pytest.skip("two simulated nodes: the ray runner's case")
    import ray

    nodes = [n for n in ray.nodes() if n["Alive"]]
    assert sorted(n["Resources"]["CPU"] for n in nodes) == [1.0, 1.0]
    wide = make_runner("ray", 2)  # a second runner on the same cluster, two jobs at once
    try:
        jobs = [wide.submit(job(runs_dir, desk, epochs=500)) for desk in ("ha", "io")]
        assert [wide.status(j)["queue_position"] for j in jobs] == [None, None]
        # both have finished an epoch while neither has ended: they train at the same time
        wait_for(lambda: all(any(isinstance(e, EpochEvent) for e in wide.events(j)) for j in jobs))
        assert [wide.status(j)["status"] for j in jobs] == ["running", "running"]
        pids = {load_run(j, runs_dir).status["pid"] for j in jobs}
        for j in jobs:
            wide.stop(j)
        wait_for(lambda: all(ended(wide, j) for j in jobs))
    finally:
        wide.shutdown(wait=True)
    assert [load_run(j, runs_dir).state for j in jobs] == ["stopped", "stopped"]
    assert len(pids) == 2 and os.getpid() not in pids  # two workers, one on each node
    assert ray.is_initialized()  # the first runner still holds the connection
