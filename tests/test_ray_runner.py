"""What only the Ray runner does, on real Ray: a local cluster with this machine's cores
(one per module, started by the runner itself), runs shipped back through the object
store, jobs on two logical CPU devices with MirroredStrategy, a dead worker kept off
stdout; and `python -m cnnviz train --runner ray` in real subprocesses: the issue's
command, Ctrl-C, joining a `ray start` cluster with its token.

The contract every runner keeps (queue, events, stop, fairness, a killed worker, two
nodes) is tests/test_runners.py. Oracles: the run folders (`cnnviz.runs`), Keras's own
numbers for the same training on one device, process ids, `/proc`.
"""

import functools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cnnviz.errors import CnnvizError
from cnnviz.evaluate import evaluate_run
from cnnviz.events import BatchEvent, EpochEvent, StatusEvent
from cnnviz.plan import TrainConfig
from cnnviz.request import TrainRequest
from cnnviz.runners import make_runner
from cnnviz.runs import list_runs, load_run
from cnnviz.spec import ModelSpec
from tests.helpers_runs import ended
from tests.helpers_runs import wait_for as _wait_for

wait_for = functools.partial(_wait_for, timeout=300.0)  # this file's default wait

ray = pytest.importorskip("ray")

ROOT = Path(__file__).resolve().parents[1]
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
RUN_FILES = {"config.json", "spec.json", "status.json", "history.csv", "metrics.json"}


def job(runs_dir, owner, epochs=2, **config):
    settings = {"batch_size": 16, **config}
    return TrainRequest(
        TINY,
        "digits",
        TrainConfig(epochs=epochs, **settings),
        limit=200,
        runs_dir=str(runs_dir),
        owner=owner,
    )


def alive(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False


def files_of(run_dir):
    return {str(p.relative_to(run_dir)) for p in Path(run_dir).rglob("*") if p.is_file()}


# --- the command line, in real subprocesses (first: no cluster of this process yet) ------


def cli(*argv, env=None):
    """`python -m cnnviz ...` in its own session, as a terminal runs a command; `env`
    entries set to None are unset."""
    environ = {k: v for k, v in os.environ.items() if k != "CNNVIZ_RAY_ADDRESS"}
    environ.update(PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    for key, value in (env or {}).items():
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value
    return subprocess.Popen(
        [sys.executable, "-m", "cnnviz", *map(str, argv)],
        env=environ,
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def left_behind(session):
    """The living processes of a session (a CLI's local Ray cluster's included)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def test_train_on_ray_from_the_command_line_leaves_a_whole_run(tmp_path):
    proc = cli(
        *("train", "--runner", "ray", "--data", "digits", "--model", "digits-small"),
        *("--epochs", "3", "--json", "--runs-dir", tmp_path),
    )
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    document = json.loads(out)  # stdout holds the one document, no Ray notice
    assert document["status"] == "completed" and len(document["history"]["loss"]) == 3
    run = load_run(document["run_id"], tmp_path)
    epochs = {f"epochs/epoch-{e:04d}.weights.h5" for e in (1, 2, 3)}
    assert files_of(run.dir) == RUN_FILES | {"model.keras"} | epochs
    assert run.config["runner"] == "ray" and run.test_accuracy > 0.5
    assert run.status["pid"] not in (proc.pid, os.getpid())  # a Ray worker trained it
    assert "Traceback" not in err
    wait_for(lambda: left_behind(proc.pid) == [], timeout=60)  # its cluster is gone


def test_ctrl_c_stops_a_long_ray_run_after_its_batch_and_keeps_the_weights(tmp_path):
    proc = cli(
        *("train", "--runner", "ray", "--data", "digits", "--model", "digits-small"),
        *("--epochs", "1000", "--limit", "200", "--runs-dir", tmp_path),
    )
    try:
        for line in proc.stdout:
            if line.startswith("epoch "):
                os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
                break
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "stopped: test accuracy" in out and "Traceback" not in err
    (run,) = list_runs(tmp_path)
    assert run.state == "stopped" and (run.dir / "model.keras").is_file()
    assert 1 <= run.status["epochs_completed"] < 1000 and run.config["runner"] == "ray"
    assert run.status["pid"] != proc.pid
    wait_for(lambda: left_behind(proc.pid) == [], timeout=60)


@pytest.fixture
def ray_start(tmp_path):
    """A cluster from `ray start --head --block` (token authentication: Ray's default),
    stopped by SIGTERM to that one process (never `ray stop`: it stops every cluster of
    the machine)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environ = {k: v for k, v in os.environ.items() if k != "RAY_AUTH_MODE"}
    head = subprocess.Popen(
        [str(Path(sys.executable).with_name("ray")), "start", "--head", f"--port={port}"]
        + ["--num-cpus=1", "--include-dashboard=false", "--disable-usage-stats", "--block"],
        env=environ,
        stdout=(tmp_path / "head.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def answers():
        assert head.poll() is None, (tmp_path / "head.log").read_text()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    try:
        wait_for(answers, timeout=180)
        yield f"127.0.0.1:{port}"
    finally:
        head.send_signal(signal.SIGTERM)
        head.wait(timeout=180)
        wait_for(lambda: left_behind(head.pid) == [], timeout=60)


def test_the_command_line_joins_a_ray_start_cluster_with_its_token(ray_start, tmp_path):
    argv = ("train", "--runner", "ray", "--data", "digits", "--model", "digits-small")
    argv += ("--epochs", "1", "--limit", "300", "--json", "--runs-dir", tmp_path)
    refused = cli(*argv, env={"CNNVIZ_RAY_ADDRESS": ray_start, "RAY_AUTH_MODE": None})
    out, err = refused.communicate(timeout=600)
    assert refused.returncode == 2 and out == "", err
    assert f"error: could not join the Ray cluster at {ray_start}" in err
    assert [line[:6] for line in err.splitlines()].count("error:") == 1
    assert "set RAY_AUTH_MODE=token" in err
    assert list_runs(tmp_path) == []
    joined = cli(*argv, env={"CNNVIZ_RAY_ADDRESS": ray_start, "RAY_AUTH_MODE": "token"})
    out, err = joined.communicate(timeout=600)
    assert joined.returncode == 0, err
    document = json.loads(out)
    run = load_run(document["run_id"], tmp_path)
    assert run.state == "completed" and run.config["runner"] == "ray"
    assert run.status["pid"] != joined.pid


# --- in this process: one local cluster for the module ----------------------------------


def test_without_ray_the_runner_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails
    with pytest.raises(CnnvizError, match=r'not installed: pip install "ray\[default\]"'):
        make_runner("ray")


@pytest.fixture(scope="module")
def runner():
    """One runner on a local cluster it starts itself (no address, no job limit set)."""
    saved = {k: os.environ.pop(k, None) for k in ("CNNVIZ_RAY_ADDRESS", "CNNVIZ_MAX_JOBS")}
    runner = make_runner("ray")
    node = ray._private.worker._global_node  # the local cluster's raylet, GCS, ...
    pids = [p.process.pid for ps in node.all_processes.values() for p in ps]
    try:
        yield runner
    finally:
        runner.shutdown(wait=True)
        os.environ.update({k: v for k, v in saved.items() if v is not None})
        assert not ray.is_initialized()
        wait_for(lambda: not [p for p in pids if alive(p)], timeout=60)  # nothing left


def test_a_local_cluster_gets_this_machines_cores_and_runs_as_many_jobs(runner):
    assert ray.cluster_resources()["CPU"] == os.cpu_count()
    assert runner.max_concurrent == os.cpu_count()


def test_a_run_shipped_back_through_the_object_store_is_whole(runner, runs_dir):
    shipping = make_runner("ray", 1, share_runs=False)  # as if no node saw the runs folder
    try:
        job_id = shipping.submit(job(runs_dir, "ada", epochs=500))
        wait_for(lambda: any(isinstance(e, EpochEvent) for e in shipping.events(job_id)))
        live = load_run(job_id, runs_dir)  # meanwhile the runner keeps status.json
        assert live.state == "running" and live.status["pid"] == os.getpid()
        assert not (live.dir / "model.keras").exists()  # nothing trains in this folder
        shipping.stop(job_id)
        wait_for(lambda: ended(shipping, job_id))
    finally:
        shipping.shutdown(wait=True)
    run = load_run(job_id, runs_dir)
    assert run.state == "stopped" and "on request after batch" in run.status["message"]
    done = run.status["epochs_completed"]
    epochs = {f"epochs/epoch-{e:04d}.weights.h5" for e in range(1, done + 1)}
    assert files_of(run.dir) == RUN_FILES | {"model.keras"} | epochs
    assert run.status["pid"] != os.getpid() and run.config["runner"] == "ray"
    assert done >= 1 and run.epochs() == list(range(1, done + 1))
    assert len(run.history()["loss"]) >= done  # (plus the epoch the stop cut short)
    # the model that came back scores what the worker measured
    _, evaluation = evaluate_run(run)
    assert evaluation.metrics.accuracy == pytest.approx(run.test_accuracy)


def test_a_job_on_two_logical_cpus_mirrors_the_same_job_on_one(runner, runs_dir):
    sgd = {"optimizer": "sgd", "learning_rate": 0.05, "momentum": 0.0}
    one = runner.submit(job(runs_dir, "bo", **sgd))
    two = runner.submit(job(runs_dir, "cy", devices=2, **sgd))
    wait_for(lambda: ended(runner, one) and ended(runner, two))
    runs = {j: load_run(j, runs_dir) for j in (one, two)}
    assert [r.state for r in runs.values()] == ["completed", "completed"]
    assert [r.status["replicas"] for r in runs.values()] == [1, 2]
    assert runs[two].config["training"]["devices"] == 2
    words, epochs = {}, {}
    for j in (one, two):
        events = runner.events(j)
        assert any(isinstance(e, BatchEvent) for e in events)
        words[j] = [(e.status, e.message) for e in events if isinstance(e, StatusEvent)]
        epochs[j] = [(e.epoch, e.batch, e.batches) for e in events if isinstance(e, EpochEvent)]
    assert words[one] == words[two] and epochs[one] == epochs[two] == [(1, 12, 12), (2, 12, 12)]
    # the same SGD steps (a gradient off by the number of replicas is 2 % away)
    assert runs[two].history()["loss"] == pytest.approx(runs[one].history()["loss"], rel=5e-3)
    pids = [r.status["pid"] for r in runs.values()]
    assert pids[0] != pids[1]
    wait_for(lambda: not alive(pids[1]), timeout=60)  # it had a process of its own


def test_a_dead_worker_fails_its_run_and_ray_prints_nothing_on_stdout(runner, runs_dir, capfd):
    job_id = runner.submit(job(runs_dir, "di", epochs=500))
    wait_for(lambda: (load_run(job_id, runs_dir).status.get("epochs_completed") or 0) >= 1)
    pid = load_run(job_id, runs_dir).status["pid"]
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: ended(runner, job_id))
    message = load_run(job_id, runs_dir).status["message"]
    assert f"the Ray worker that was training it (pid {pid} on " in message
    assert "died or was killed" in message and "are kept" in message
    time.sleep(3)  # Ray's notice of the death would come about now
    assert capfd.readouterr().out == ""
