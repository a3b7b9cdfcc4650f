"""A learner's sweep in its own queue: one run after another in a job runner.

A desk trains one model at a time, so a sweep started from the app cannot queue its
whole grid at once. `SweepQueue.start` submits the first slot that no run of the sweep
has taken yet (`cnnviz.sweep.Sweep.missing` over the runs folder) and watches it from a
thread; when it has ended, whatever the outcome (a failed run keeps its slot), the next
missing slot is submitted, until none is missing. A job stopped by hand (the learner's
**Stop training**, the teacher's **Stop**, `SweepQueue.stop`) ends the sweep: nothing
more starts. The thread only polls the runner, so it never holds up a page.

    queue = SweepQueue(runner, sweep, base_request)
    first = queue.start()
    queue.wait()  # or let it run: a page reads queue.current, queue.state
"""

from __future__ import annotations

import threading

from cnnviz.errors import CnnvizError
from cnnviz.events import ACTIVE
from cnnviz.request import TrainRequest
from cnnviz.runs import list_runs
from cnnviz.sweep import Slot, Sweep

__all__ = ["POLL_SECONDS", "SweepQueue"]

POLL_SECONDS = 0.5  # between looks at the current job
RUNNING, DONE, STOPPED = "running", "done", "stopped"  # a SweepQueue's states


class SweepQueue:
    """One sweep's runs, one after another in a job runner.

    Args:
        runner: a `cnnviz.jobs.JobRunner`.
        sweep: what varies, over which values, how many times.
        base: the request every run starts from (its owner, data, runs folder).
        poll: seconds between looks at the current job.

    Attributes:
        jobs: the job (run) ids this queue submitted, in order.
        slots: the slot of each of them.
        state: "running", "done" (no slot missing) or "stopped" (a job stopped by
            hand, or the runner shut down).
        message: why it ended, in words ("" while running).
    """

    def __init__(
        self, runner, sweep: Sweep, base: TrainRequest, *, poll: float = POLL_SECONDS
    ) -> None:
        self.runner, self.sweep, self.base, self.poll = runner, sweep, base, poll
        self.jobs: list[str] = []
        self.slots: list[Slot] = []
        self.state, self.message = RUNNING, ""
        self._halt = threading.Event()
        self._lock = threading.Lock()  # a stop and the next submit never cross
        self._thread: threading.Thread | None = None

    @property
    def current(self) -> str | None:
        """The job submitted last, or None before `start`."""
        return self.jobs[-1] if self.jobs else None

    @property
    def active(self) -> bool:
        """Whether the queue still has a job to follow or to start."""
        return self.state == RUNNING

    def missing(self) -> list[Slot]:
        """The grid's slots that no run of the sweep in the runs folder has taken."""
        return self.sweep.missing(list_runs(self.base.runs_dir))

    def _submit_next(self) -> str | None:
        missing = self.missing()
        if not missing:
            return None
        job = self.runner.submit(self.sweep.request_for(self.base, missing[0]))
        self.jobs.append(job)
        self.slots.append(missing[0])
        return job

    def start(self) -> str:
        """Submit the first missing slot and follow the sweep from a thread.

        Returns:
            The first job's id.

        Raises:
            CnnvizError: no slot is missing (the sweep has run), or the runner refused
                the job (the desk has a job already; the runner has shut down).
        """
        if self._thread is not None:
            raise CnnvizError("this sweep has started already")
        job = self._submit_next()
        if job is None:
            raise CnnvizError(f"every run of sweep {self.sweep.id} has been trained already")
        self._thread = threading.Thread(target=self._follow, name="cnnviz-sweep", daemon=True)
        self._thread.start()
        return job

    def _end(self, state: str, message: str) -> None:
        self.state, self.message = state, message
        self._halt.set()

    def _follow(self) -> None:
        while not self._halt.wait(self.poll):
            try:
                status = self.runner.status(self.current)
            except CnnvizError:  # the runner forgot it: it ended long ago
                status = {"status": "ended", "stopping": False}
            if status["status"] in ACTIVE:
                continue
            with self._lock:
                if self._halt.is_set() or self._next(status):
                    return

    def _next(self, status: dict) -> bool:
        """After the current job ended: submit the next slot; True when the sweep ends."""
        if status["stopping"]:
            self._end(STOPPED, f"run {self.current} was stopped, so the sweep stopped")
            return True
        try:
            if self._submit_next() is None:
                self._end(DONE, f"all {self.sweep.size} runs have trained")
                return True
        except CnnvizError as err:
            owner = self.base.owner
            if self.runner.closed or owner is None or self.runner.active_job(owner) is None:
                self._end(STOPPED, str(err))
                return True
            # the desk started another job by hand meanwhile: the next waits for it
        return False

    def stop(self) -> None:
        """Start no more runs, and stop the current one (it keeps what it learned)."""
        with self._lock:
            if self.active:
                self._end(STOPPED, "the sweep was stopped")
        if self.current is not None:
            try:
                self.runner.stop(self.current, owner=self.base.owner)
            except CnnvizError:  # it has ended and been forgotten
                pass

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the sweep has ended; False when `timeout` seconds passed first."""
        return self._halt.wait(timeout)
