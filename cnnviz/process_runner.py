"""Training jobs in worker processes: the app's runner.

A training never holds the server's interpreter, and a crash or an out-of-memory kill
ends that run `failed` with a message, never the server. Workers are spawned processes
that stay warm: each imports TensorFlow once (as soon as the runner exists, while the
learner is still choosing a model) and then runs the jobs it is given, one at a time;
there are at most `max_concurrent` of them. A worker that dies is replaced for the next
job. Events come back over a pipe as `cnnviz.events` documents; Stop is a message the
worker's listening thread turns into the job's stop flag, checked after every batch.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import signal
import threading
from typing import Any

from cnnviz import rundir
from cnnviz.events import StatusEvent, event_from_dict
from cnnviz.jobs import JobRunner, _Job
from cnnviz.train import fail_run

__all__ = ["ProcessJobRunner"]


def _worker_main(conn) -> None:
    """A worker process: runs the jobs the server sends over `conn`, one at a time.

    Messages in: ("job", job_id, request document, run folder), ("stop", job_id),
    ("exit",). Messages out: ("ready", pid), ("event", job_id, event document),
    ("done", job_id).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's, not ours
    os.nice(int(os.environ.get("CNNVIZ_EXPERIMENT_NICE", "0")))  # EXPERIMENT, not to commit
    jobs: queue.Queue = queue.Queue()
    stops: dict[str, threading.Event] = {}
    send_lock = threading.Lock()

    def send(*message: Any) -> None:
        with send_lock:
            conn.send(message)

    def listen() -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):  # the server has gone: finish and leave
                message = ("exit",)
            if message[0] == "job":
                stops[message[1]] = threading.Event()
                jobs.put(message[1:])
            elif message[0] == "stop" and message[1] in stops:
                stops[message[1]].set()
            elif message[0] == "exit":
                for stop in stops.values():
                    stop.set()
                jobs.put(None)
                return

    threading.Thread(target=listen, daemon=True, name="cnnviz-worker-listen").start()
    send("ready", os.getpid())
    import keras  # warm: TensorFlow is imported before the first job arrives

    from cnnviz.request import TrainRequest, run_job

    while (item := jobs.get()) is not None:
        job_id, document, run_dir = item

        def emit(event, job_id=job_id):
            send("event", job_id, event.to_dict())

        try:
            run_job(
                TrainRequest.from_dict(document),
                run_dir=run_dir,
                emit=emit,
                should_stop=stops[job_id].is_set,
            )
        except BaseException as err:  # run_job returns failures; this is a last resort
            fail_run(run_dir, f"the job ended unexpectedly: {err!r}", emit=emit)
        finally:
            stops.pop(job_id, None)
            keras.backend.clear_session()  # safe here: no other thread of this process trains
            send("done", job_id)


class _Worker:
    """One worker process, the pipe to it, and the thread that reads from it."""

    def __init__(self, runner: ProcessJobRunner):
        context = multiprocessing.get_context("spawn")
        self.runner = runner
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child,), daemon=True, name="cnnviz-worker"
        )
        self.process.start()
        child.close()
        self.job: _Job | None = None
        self.pid: int | None = None
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
        return self.process.is_alive()

    def _read(self) -> None:
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                break
            if message[0] == "ready":
                self.pid = message[1]
            elif message[0] == "event" and self.job is not None and self.job.id == message[1]:
                self.job.publish(event_from_dict(message[2]))
            elif message[0] == "done" and self.job is not None and self.job.id == message[1]:
                job, self.job = self.job, None
                self.runner._finished(job)
        self.process.join(timeout=10)
        self.runner._worker_ended(self)


def _death_message(exitcode: int | None, run_dir) -> str:
    """Why a run ended with its worker, and what it kept."""
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else ""
        why = f"the training process was killed ({name or f'signal {-exitcode}'})"
        if exitcode == -signal.SIGKILL:
            why += ", perhaps because the machine ran out of memory"
    else:
        why = f"the training process ended unexpectedly (exit code {exitcode})"
    try:
        status = json.loads((run_dir / rundir.STATUS_FILE).read_text(encoding="utf-8"))
        done = int(status.get("epochs_completed") or 0)
    except (OSError, ValueError, TypeError):
        done = 0
    kept = f"; the weights after epoch {done} are kept" if done else "; nothing was kept"
    return why + kept + " (a smaller model or batch size uses less memory)"


class ProcessJobRunner(JobRunner):
    """Runs jobs in warm worker processes, at most `max_concurrent` at a time.

    Args:
        max_concurrent: trainings at once (default: $CNNVIZ_MAX_JOBS, else 1).
        warm: start one worker now, so TensorFlow is imported before the first job.
    """

    name = "process"

    def __init__(self, max_concurrent: int | None = None, *, warm: bool = True):
        super().__init__(max_concurrent)
        self._workers: list[_Worker] = []
        if warm:
            with self._lock:
                self._workers.append(_Worker(self))

    def worker_pids(self) -> list[int]:
        """The process ids of the living workers."""
        with self._lock:
            return [w.process.pid for w in self._workers if w.alive]

    def _launch(self, job: _Job) -> None:
        worker = next((w for w in self._workers if w.job is None and w.alive), None)
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
        """A worker process has ended: its job, if it had one, ends `failed`."""
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)
            job, worker.job = worker.job, None
        if job is not None and not self.closed:
            message = _death_message(worker.process.exitcode, job.run_dir)
            fail_run(job.run_dir, message, emit=job.publish)
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
                worker.process.join(timeout=120)
                if worker.alive:
                    worker.process.terminate()
                    worker.process.join(timeout=10)
                worker.reader.join(timeout=10)
