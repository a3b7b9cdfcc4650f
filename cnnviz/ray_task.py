"""What runs on a Ray worker for `cnnviz.ray_runner`: the job task and the board actor.

A board actor per runner (no CPU) carries each job's events and its stop flag: the task
sends its events fire and forget and asks "stop?" at most every 0.1 s, so Stop ends
`fit` after the current batch and the weights are kept. A task writes straight into the
runs folder when it sees it (it finds there the config.json the runner has just
written); otherwise it trains into a folder of its own and returns the run's files.
`remotes()` wraps them for Ray once.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

from cnnviz import rundir
from cnnviz.train import fail_run

__all__ = ["STOP_POLL", "remotes"]

STOP_POLL = 0.1  # seconds between two "stop?" questions of a task


class _Board:
    """Every job in flight of one runner: its events, its worker, its stop flag. A plain
    actor: one caller's calls run in order, so a task's last call returns after all its
    events are in."""

    def __init__(self) -> None:
        self.events: dict[str, list[dict]] = {}
        self.workers: dict[str, dict] = {}
        self.stops: set[str] = set()

    def append(self, job_id: str, event: dict) -> None:
        self.events.setdefault(job_id, []).append(event)

    def started(self, job_id: str, worker: dict) -> None:
        self.workers[job_id] = worker

    def news(self, cursors: dict[str, int]) -> dict[str, tuple[list[dict], dict | None]]:
        """Each job's events from its cursor on, and its worker once it has started."""
        return {j: (self.events.get(j, [])[n:], self.workers.get(j)) for j, n in cursors.items()}

    def request_stop(self, job_id: str) -> None:
        self.stops.add(job_id)

    def should_stop(self, job_id: str) -> bool:
        return job_id in self.stops

    def forget(self, job_id: str) -> None:
        self.events.pop(job_id, None)
        self.workers.pop(job_id, None)
        self.stops.discard(job_id)


def _train(board, job_id: str, document: dict, run_dir: str, config_text: str, share: bool) -> dict:
    """One job on a Ray worker (status.json's pid is this worker's). Returns the run's
    files when they must be shipped back: `share` is False, or `run_dir` does not hold
    the config.json the runner wrote (`config_text`)."""
    import ray

    from cnnviz.request import TrainRequest, run_job

    shared = share and _sees(run_dir, config_text)
    worker = {"pid": os.getpid(), "host": socket.gethostname(), "shared": shared}
    worker["node"] = ray.get_runtime_context().get_node_id()
    board.started.remote(job_id, worker)
    here = Path(run_dir) if shared else _own_folder(run_dir, document, config_text)
    asked = {"at": -math.inf, "stop": False}

    def should_stop() -> bool:  # at most 10 questions a second, a cached answer between
        now = time.monotonic()
        if not asked["stop"] and now - asked["at"] >= STOP_POLL:
            asked["at"], asked["stop"] = now, bool(ray.get(board.should_stop.remote(job_id)))
        return asked["stop"]

    def emit(event) -> None:
        board.append.remote(job_id, event.to_dict())  # fire and forget (~0.6 ms)

    try:
        run_job(TrainRequest.from_dict(document), run_dir=here, emit=emit, should_stop=should_stop)
    except BaseException as err:  # run_job returns failures; this is a last resort
        fail_run(here, f"the job ended unexpectedly: {err!r}", emit=emit)
    finally:
        _clear_keras()
    ray.get(board.should_stop.remote(job_id))  # after every event: they are all in
    return {"files": None if shared else _pack(here)}


def _train_fresh(*args: Any) -> dict:
    """`_train` in a process of its own (max_calls=1): a job on several devices splits
    the CPU before TensorFlow starts, and holds the one MirroredStrategy of its process."""
    return _train(*args)


def _sees(run_dir: str, config_text: str) -> bool:
    try:
        return (Path(run_dir) / rundir.CONFIG_FILE).read_text(encoding="utf-8") == config_text
    except OSError:
        return False


def _own_folder(run_dir: str, document: dict, config_text: str) -> Path:
    """A local run folder of the same name, with the spec and config the runner wrote."""
    here = Path(tempfile.mkdtemp(prefix="cnnviz-ray-")) / Path(run_dir).name
    here.mkdir()
    rundir.begin(here, document["spec"], json.loads(config_text))
    return here


def _pack(here: Path) -> dict[str, bytes]:
    """The run's files by their paths inside it; the local folder is removed."""
    files = {str(p.relative_to(here)): p.read_bytes() for p in here.rglob("*") if p.is_file()}
    shutil.rmtree(here.parent, ignore_errors=True)
    return files


def _clear_keras() -> None:
    import sys

    if "keras" in sys.modules:  # the worker is reused: the next job starts clean
        sys.modules["keras"].backend.clear_session()


_REMOTES: tuple | None = None


def remotes() -> tuple:
    """(the job task, the same in a fresh process, the board actor class), made once."""
    global _REMOTES
    if _REMOTES is None:
        import ray

        _REMOTES = (
            ray.remote(num_cpus=1, max_retries=0)(_train),
            ray.remote(num_cpus=1, max_retries=0, max_calls=1)(_train_fresh),
            ray.remote(num_cpus=0)(_Board),
        )
    return _REMOTES
