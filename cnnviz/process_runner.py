"""Training jobs in worker processes: the app's runner.

A training never holds the server's interpreter, and a crash or an out-of-memory kill
ends that run `interrupted` (its finished epochs kept, openable), never the server.
Workers are processes of `cnnviz.worker` (`python -m cnnviz.worker`: never the page
script, which multiprocessing's spawn would re-import under `streamlit run`) that stay
warm: each imports TensorFlow once (the first as soon as the runner exists, while the
learner is still choosing a model, the next once the one before is warm) and then runs
the jobs it is given, one at a time; there are at most `max_concurrent` of them. By
default that is one per core (`$CNNVIZ_MAX_JOBS` caps it), and each worker's TensorFlow
gets its share of the cores, so that several small jobs train at once without
oversubscribing the machine: a small job's operations gain little from a second thread.
A worker that dies is replaced for the next job. Events come back over a socket pair as
`cnnviz.events` documents; Stop is a message the worker's listening thread turns into
the job's stop flag, checked after every batch (or every few, `cnnviz.compiled`).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from cnnviz import runstatus
from cnnviz.events import StatusEvent, event_from_dict
from cnnviz.jobs import JobRunner, _Job
from cnnviz.settings import settings
from cnnviz.train import fail_run

__all__ = ["ProcessJobRunner", "machine_cores"]

PROJECT = str(Path(__file__).resolve().parents[1])  # where `import cnnviz` finds this one


class _Worker:
    """One worker process, the pipe to it, and the thread that reads from it."""

    def __init__(self, runner: ProcessJobRunner):
        self.runner = runner
        self.conn, child = multiprocessing.Pipe()  # a socket pair: the child's end by number
        env = dict(os.environ)  # the server's, with this cnnviz first on the path
        env["PYTHONPATH"] = os.pathsep.join(p for p in (PROJECT, env.get("PYTHONPATH")) if p)
        command = [sys.executable, "-m", "cnnviz.worker", str(child.fileno())]
        self.process = subprocess.Popen(
            [*command, str(runner.threads)],
            pass_fds=(child.fileno(),),
            env=env,
            stdin=subprocess.DEVNULL,
        )
        child.close()
        self.job: _Job | None = None
        self.pid: int | None = None
        self.warm_seconds: float | None = None  # how long the worker took to import Keras
        self.send_lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True, name="cnnviz-worker-read")
        self.reader.start()

    def send(self, *message: Any) -> bool:
        try:
            with self.send_lock:
                self.conn.send(message)
            return True
        except (OSError, ValueError):  # the worker has gone; its reader says so
            return False

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def _read(self) -> None:
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                break
            if message[0] == "ready":
                self.pid = message[1]
            elif message[0] == "warm":
                self.warm_seconds = message[1]
                self.runner._warmed()
            elif message[0] == "event" and self.job is not None and self.job.id == message[1]:
                self.job.publish(event_from_dict(message[2]))
            elif message[0] == "done" and self.job is not None and self.job.id == message[1]:
                job, self.job = self.job, None
                self.runner._finished(job)
        _wait(self.process, 10)
        self.runner._worker_ended(self)


def machine_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _wait(process: subprocess.Popen, seconds: float) -> None:
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        pass


def _death_message(exitcode: int | None, run_dir) -> str:
    """Why a run ended with its worker, and what it kept."""
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else ""
        why = f"the training process was killed ({name or f'signal {-exitcode}'})"
        if exitcode == -signal.SIGKILL:
            why += ", perhaps because the machine ran out of memory"
    else:
        why = f"the training process ended unexpectedly (exit code {exitcode})"
    return why + runstatus.kept_words(run_dir) + " (a smaller model or batch size uses less memory)"


class ProcessJobRunner(JobRunner):
    """Runs jobs in warm worker processes, at most `max_concurrent` at a time.

    Args:
        max_concurrent: trainings at once (default: one per core, at most
            $CNNVIZ_MAX_JOBS).
        warm: start one worker now, so TensorFlow is imported before the first job,
            and the others one after another until there is one per slot.
        threads: TensorFlow threads of each worker (default: its share of the cores).
    """

    name = "process"

    def __init__(
        self, max_concurrent: int | None = None, *, warm: bool = True, threads: int | None = None
    ):
        super().__init__(max_concurrent)
        self.threads = threads or max(1, machine_cores() // self.max_concurrent)
        self._warm = warm
        self._workers: list[_Worker] = []
        if warm:
            with self._lock:
                self._workers.append(_Worker(self))

    @classmethod
    def default_concurrency(cls) -> int:
        """One training per core, at most $CNNVIZ_MAX_JOBS (`cnnviz.settings`)."""
        cores = machine_cores()
        return max(1, min(cores, settings().max_jobs or cores))

    def worker_pids(self) -> list[int]:
        """The process ids of the living workers."""
        with self._lock:
            return [w.process.pid for w in self._workers if w.alive]

    def worker_warm_seconds(self) -> list[float]:
        """How long each living worker took from its start to Keras imported (None:
        not yet)."""
        with self._lock:
            return [w.warm_seconds for w in self._workers if w.alive]

    def _warmed(self) -> None:
        """A worker has imported TensorFlow: start the next spare one, if a slot has
        none yet and no other is starting (one import at a time spares the cores)."""
        with self._lock:
            alive = [w for w in self._workers if w.alive]
            starting = any(w.warm_seconds is None for w in alive)
            if self._warm and not self.closed and not starting:
                if len(alive) < self.max_concurrent:
                    self._workers.append(_Worker(self))

    def _launch(self, job: _Job) -> None:
        idle = [w for w in self._workers if w.job is None and w.alive]
        idle.sort(key=lambda w: w.warm_seconds is None)  # a warm one first
        worker = idle[0] if idle else None
        if worker is None:
            worker = _Worker(self)
            self._workers.append(worker)
        worker.job = job
        if not worker.send("job", job.id, job.request.to_dict(), str(job.run_dir)):
            raise OSError("the worker process is not answering")

    def _stop_running(self, job: _Job) -> None:
        job.stop_requested.set()
        with self._lock:
            workers = [w for w in self._workers if w.job is job]
        for worker in workers:
            worker.send("stop", job.id)

    def _worker_ended(self, worker: _Worker) -> None:
        """A worker process has ended: its job, if it had one, ends `interrupted` with
        the epochs it finished (a crash, a kill, the machine out of memory)."""
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)
            job, worker.job = worker.job, None
        if job is not None and not self.closed:
            message = _death_message(worker.process.returncode, job.run_dir)
            fail_run(job.run_dir, message, emit=job.publish, status="interrupted")
            self._finished(job)
        elif job is not None:  # shutting down: the worker was told to leave
            job.publish(StatusEvent("stopped", "the server shut down during training"))
            self._finished(job)

    def _close(self, wait: bool) -> None:
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            worker.send("exit")
        if wait:
            for worker in workers:
                _wait(worker.process, 120)
                if worker.alive:
                    worker.process.terminate()
                    _wait(worker.process, 10)
                worker.reader.join(timeout=10)
