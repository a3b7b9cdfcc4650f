"""Training jobs in the background: submit, watch the event stream, stop.

A `cnnviz.request.TrainRequest` holds everything a job needs, parsed and checked. A
`JobRunner`
queues requests fairly (at most one queued or running job per desk, `max_concurrent`
trainings at once, first come first served), says where each waiting job is and when it
should start, and keeps each job's events (`cnnviz.events`) in an append-only list that
any number of readers poll with `events(job_id, since=n)`. The one job per desk and the
slots hold across every replica on a runs folder, a desk at its disk quota starts no job,
and a paused queue starts none (`cnnviz.admission`). How a job runs is the
subclass's part: `cnnviz.thread_runner` (threads of this process), `cnnviz.process_runner`
(worker processes), `cnnviz.ray_runner` (a Ray cluster); `cnnviz.runners` picks one.

    runner = make_runner("thread")
    job = runner.submit(TrainRequest(spec, "digits", TrainConfig(epochs=5), owner="ada"))
    seen = []
    while runner.status(job)["status"] in ACTIVE:
        seen += runner.events(job, since=len(seen))
"""

from __future__ import annotations

import abc
import collections
import math
import threading
import time
from pathlib import Path
from typing import Any

from cnnviz import checks, rundir, runstatus
from cnnviz.admission import Admission
from cnnviz.errors import CnnvizError
from cnnviz.events import ACTIVE, BatchEvent, EpochEvent, Event, StatusEvent
from cnnviz.request import TrainRequest, time_limited
from cnnviz.settings import settings
from cnnviz.train import fail_run

__all__ = ["DEFAULT_MAX_JOBS", "JobRunner", "max_jobs_from_env"]

DEFAULT_MAX_JOBS = 1  # threads of one process share its interpreter (the process runner: 1 a core)
KEEP_FINISHED = 30  # finished jobs whose events stay in memory (their runs stay on disk)
FIRST_GUESS = 60.0  # seconds a job is guessed to take before any has finished
RECENT = 5  # finished jobs whose durations make the estimate


class _Job:
    """One job's state, guarded by its own lock."""

    def __init__(self, job_id: str, run_dir: Path, request: TrainRequest):
        self.id, self.run_dir, self.request = job_id, run_dir, request
        self.owner = request.owner if request is not None else None
        self.lock = threading.Lock()
        self.stop_requested = threading.Event()
        self.event_list: list[Event] = []
        self.state, self.message = "queued", ""
        self.latest: Event | None = None
        self.test_accuracy: float | None = None
        self.submitted = time.monotonic()
        self.started: float | None = None
        self.ended: float | None = None

    def publish(self, event: Event) -> None:
        with self.lock:
            self.event_list.append(event)
            if isinstance(event, StatusEvent):
                self.state, self.message = event.status, event.message
                if event.test_accuracy is not None:
                    self.test_accuracy = event.test_accuracy
            else:
                self.latest = event

    def eta(self) -> float | None:
        """Seconds this running job still needs, by its own latest event."""
        latest = self.latest
        return latest.eta if isinstance(latest, (BatchEvent, EpochEvent)) else None


class JobRunner(abc.ABC):
    """Queues training jobs fairly and follows them; subclasses say how a job runs.

    A subclass implements `_launch(job)` (start it; when it has ended, whatever the
    outcome, call `self._finished(job)`), and may override `_stop_running(job)` (default:
    set `job.stop_requested`, which `run_job`'s `should_stop` polls) and `_close(wait)`.

    Args:
        max_concurrent: trainings at once (default: $CNNVIZ_MAX_JOBS, else 1).
    """

    name = "base"  # what config.json records as the runner

    def __init__(self, max_concurrent: int | None = None):
        self.max_concurrent = (
            self.default_concurrency()
            if max_concurrent is None
            else checks.whole(max_concurrent, "max_concurrent", low=1)
        )
        self._lock = threading.RLock()
        self._jobs: dict[str, _Job] = {}
        self._queue: collections.deque[str] = collections.deque()
        self._running: set[str] = set()
        self._durations: collections.deque[float] = collections.deque(maxlen=RECENT)
        self._closed = False
        self._admission = Admission(on_tick=self._tick)  # claims on the shared runs folder

    # --- what subclasses provide -----------------------------------------------------

    @classmethod
    def default_concurrency(cls) -> int:
        """Trainings at once when not told: $CNNVIZ_MAX_JOBS, else DEFAULT_MAX_JOBS."""
        return max_jobs_from_env()

    @abc.abstractmethod
    def _launch(self, job: _Job) -> None:
        """Start `job` (its status is already "running"); call `_finished` at its end."""

    def _stop_running(self, job: _Job) -> None:
        job.stop_requested.set()

    def _close(self, wait: bool) -> None:  # noqa: B027 (a hook: most runners hold nothing)
        """Release what the runner holds (threads, processes, a cluster)."""

    # --- the queue -------------------------------------------------------------------

    def submit(self, request: TrainRequest) -> str:
        """Queue a job; its run folder exists (status "queued") on return.

        Returns:
            The job id, which is the run id.

        Raises:
            CnnvizError: the runner has shut down, the request's desk already has a job
                queued or running in any replica on the runs folder (the message says
                where it is), or it is at its disk quota.
        """
        if not isinstance(request, TrainRequest):
            raise CnnvizError(
                f"submit takes a TrainRequest. Received: request={type(request).__name__}"
            )
        with self._lock:
            if self._closed:
                raise CnnvizError("the job runner has shut down; no new jobs")
            if request.owner is not None:
                mine = self.active_job(request.owner)
                if mine is not None:
                    raise CnnvizError(self._already(request.owner, mine))
            position = len(self._queue) + 1
            message = f"waiting for a free slot (position {position})"
            config = {**request.source(), "runner": self.name}
            with self._admission.entering(request.owner, request.runs_dir) as admitted:
                run_dir = rundir.create(
                    request.spec.to_dict(), config, runs_dir=request.runs_dir, message=message
                )
                admitted(run_dir.name)
            job = _Job(run_dir.name, run_dir, request)
            job.publish(StatusEvent("queued", message))
            self._jobs[job.id] = job
            self._queue.append(job.id)
            self._dispatch()
        return job.id

    def _already(self, owner: str, job_id: str) -> str:
        status = self.status(job_id)
        where = (
            f"waiting at position {status['queue_position']}"
            if status["queue_position"]
            else "training now"
        )
        return (
            f"desk {owner!r} already has a job ({job_id}, {where}); a desk trains one "
            "model at a time: stop it, or wait until it ends"
        )

    def _dispatch(self) -> None:
        """Start queued jobs while there are free slots (call with the lock held)."""
        while self._queue and len(self._running) < self.max_concurrent and not self._closed:
            job = self._jobs[self._queue[0]]
            held = self._admission.held_back(job.request.runs_dir, job.id, self.max_concurrent)
            if held is not None:  # paused, or every slot of the runs folder is taken
                self._admission.wait(job, held)
                return
            self._queue.popleft()
            self._running.add(job.id)
            job.started = time.monotonic()
            job.publish(StatusEvent("running", "starting"))
            try:
                job.request = time_limited(job.request)  # the limit in force as it starts
                self._launch(job)
            except Exception as err:  # the runner could not start it: the job fails
                fail_run(job.run_dir, f"the job could not start: {err}", emit=job.publish)
                self._finished(job)

    def _tick(self) -> bool:
        """Start what may start now (a slot another replica freed, the queue resumed);
        True while jobs wait."""
        with self._lock:
            self._dispatch()
            return bool(self._queue) and not self._closed

    def _finished(self, job: _Job) -> None:
        """A job has ended (any outcome): free its slot, remember how long it took."""
        self._admission.release(job.id)
        with self._lock:
            self._running.discard(job.id)
            job.ended = time.monotonic()
            if job.state in ("completed", "stopped") and job.started is not None:
                self._durations.append(job.ended - job.started)
            self._forget_old()
            self._dispatch()

    def _forget_old(self) -> None:
        """Keep the events of the last KEEP_FINISHED finished jobs only (memory stays
        bounded on a server that runs for weeks; the runs themselves stay on disk)."""
        ended = [j for j in self._jobs.values() if j.ended is not None]
        for job in sorted(ended, key=lambda j: j.ended)[:-KEEP_FINISHED]:
            del self._jobs[job.id]

    # --- reading ---------------------------------------------------------------------

    def _job(self, job_id: str) -> _Job:
        try:
            return self._jobs[job_id]
        except KeyError:
            raise CnnvizError(
                f"no job {job_id!r} in this runner; finished runs are in "
                "the runs folder (`python -m cnnviz runs`)"
            ) from None

    def events(self, job_id: str, since: int = 0) -> list[Event]:
        """The job's events from index `since` on (pass the number already seen)."""
        job = self._job(job_id)
        with job.lock:
            return list(job.event_list[max(0, since) :])

    def status(self, job_id: str) -> dict[str, Any]:
        """{"job_id", "run_dir", "owner", "status", "message", "queue_position" (1 = next,
        None unless queued), "eta" (seconds until it starts when queued, until it ends
        when running, None when unknown), "latest" (the last batch or epoch event),
        "test_accuracy", "events", "stopping"}."""
        job = self._job(job_id)
        with self._lock:
            queued = list(self._queue)
            position = queued.index(job.id) + 1 if job.id in queued else None
            eta = self._wait(position) if position else job.eta()
        with job.lock:
            return {
                "job_id": job.id,
                "run_dir": str(job.run_dir),
                "owner": job.owner,
                "status": job.state,
                "message": job.message,
                "queue_position": position,
                "eta": eta,
                "latest": job.latest,
                "test_accuracy": job.test_accuracy,
                "events": len(job.event_list),
                "stopping": job.stop_requested.is_set(),
            }

    def typical_duration(self) -> float:
        """Seconds a job takes, from the last few finished ones (a first guess before)."""
        with self._lock:
            return sum(self._durations) / len(self._durations) if self._durations else FIRST_GUESS

    def _wait(self, position: int) -> float:
        """Seconds until the job at queue `position` starts: the soonest running job's
        remaining time, then a typical job per round of `max_concurrent` ahead of it."""
        typical = self.typical_duration()
        running = [self._jobs[j] for j in self._running]
        left = sorted(
            j.eta() if j.eta() is not None else max(typical - (time.monotonic() - j.started), 0)
            for j in running
        )
        free = self.max_concurrent - len(running)
        if position <= free:
            return 0.0
        rounds = math.ceil((position - free) / self.max_concurrent)
        first = left[(position - free - 1) % len(left)] if left else 0.0
        return first + (rounds - 1) * typical

    def job_ids(self, owner: str | None = None) -> list[str]:
        """The jobs this runner holds, oldest first (only `owner`'s when given)."""
        with self._lock:
            return [j.id for j in self._jobs.values() if owner is None or j.owner == owner]

    def active_job(self, owner: str) -> str | None:
        """`owner`'s queued or running job, if any."""
        with self._lock:
            for job in self._jobs.values():
                if job.owner == owner and job.state in ACTIVE:
                    return job.id
        return None

    def queue(self) -> list[dict[str, Any]]:
        """The running jobs, then the waiting ones in order: each job's `status`."""
        with self._lock:
            ids = [*sorted(self._running, key=lambda j: self._jobs[j].started), *self._queue]
            return [self.status(job_id) for job_id in ids]

    def artifacts(self, job_id: str) -> Path:
        """The job's run folder."""
        return self._job(job_id).run_dir

    # --- stopping --------------------------------------------------------------------

    def stop(self, job_id: str, *, owner: str | None = None) -> None:
        """Stop a job: a queued one never starts; a running one stops after the
        current batch and keeps what it learned.

        Args:
            owner: when given, the desk asking: it may stop only its own jobs.

        Raises:
            CnnvizError: no such job, or the job belongs to another desk.
        """
        job = self._job(job_id)
        if owner is not None and job.owner != owner:
            raise CnnvizError(f"job {job_id} is not desk {owner!r}'s; a desk stops only its own")
        with self._lock:
            if job.id in self._queue:
                self._queue.remove(job.id)
                self._admission.release(job.id)
                queued = True
            else:
                queued = False
        if not queued:
            if job.state in ACTIVE:
                self._stop_running(job)
            return
        job.stop_requested.set()
        message = "stopped before it started"
        try:
            runstatus.write_status(job.run_dir, "stopped", message)
        except OSError:
            pass
        job.publish(StatusEvent("stopped", message))
        job.ended = time.monotonic()

    def shutdown(self, wait: bool = True) -> None:
        """Refuse new jobs, drop queued ones, stop running ones; `wait` for them."""
        with self._lock:
            self._closed = True
            queued = list(self._queue)
            running = [self._jobs[j] for j in self._running]
        for job_id in queued:
            self.stop(job_id)
        for job in running:
            self._stop_running(job)
        self._close(wait)

    @property
    def closed(self) -> bool:
        return self._closed


def max_jobs_from_env() -> int:
    """$CNNVIZ_MAX_JOBS (`cnnviz.settings`), else DEFAULT_MAX_JOBS."""
    return settings().max_jobs or DEFAULT_MAX_JOBS
