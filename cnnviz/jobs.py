"""Training jobs in the background: submit, watch the event stream, stop.

A `TrainRequest` holds everything a job needs, already parsed and checked at the edge
(the page, the command line, or `from_dict` in another process): the `ModelSpec`, the
dataset id, the `TrainConfig`, the `AugmentSpec`. Any `JobRunner` carries it: the
`ThreadJobRunner` runs jobs in background threads behind a queue. Each job's events
(`cnnviz.events`: train's stream plus "queued" and the final status) go into an
append-only list that any number of readers poll with `events(job_id, since=n)`.

    runner = default_runner()
    job = runner.submit(TrainRequest(spec, "digits", TrainConfig(epochs=5)))
    seen = []
    while runner.status(job)["status"] in ACTIVE:
        seen += runner.events(job, since=len(seen))
"""

from __future__ import annotations

import abc
import atexit
import collections
import dataclasses
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cnnviz import checks, rundir
from cnnviz.augment import AugmentSpec
from cnnviz.errors import CnnvizError
from cnnviz.events import ENDED, Event, StatusEvent
from cnnviz.plan import TrainConfig
from cnnviz.spec import ModelSpec
from cnnviz.train import TrainResult, fail_run, train

__all__ = [
    "JobRunner",
    "ThreadJobRunner",
    "TrainRequest",
    "default_runner",
    "max_jobs_from_env",
    "run_job",
]

MAX_JOBS_ENV = "CNNVIZ_MAX_JOBS"
DEFAULT_MAX_JOBS = 1  # one training at a time: on two cores a second one only slows both
KEEP_FINISHED = 50  # ended jobs whose events a runner keeps (their runs stay on disk)


@dataclass(frozen=True)
class TrainRequest:
    """Everything a job needs, parsed and checked.

    Attributes:
        spec: the model spec.
        dataset: the dataset id, e.g. "digits" or "tfds:fashion_mnist".
        config: the hyper-parameters.
        data_dir, limit, image_size: passed to `cnnviz.data.load_dataset`
            (with `config.seed` as its seed).
        augment: the augmentation, or None.
        runs_dir: the runs folder (None: $CNNVIZ_RUNS_DIR or ./runs).
        model: where the spec came from (a preset name or a file), for the record.
        preloaded: optional, the already loaded `Dataset` for `dataset` (same
            process only; a shortcut, never needed).
    """

    spec: ModelSpec
    dataset: str
    config: TrainConfig = field(default_factory=TrainConfig)
    data_dir: str | None = None
    limit: int | None = None
    image_size: tuple[int, int] | None = None
    augment: AugmentSpec | None = None
    runs_dir: str | None = None
    model: str | None = None
    preloaded: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.spec, ModelSpec):
            raise checks.fail(
                "spec",
                "a ModelSpec (parse it with ModelSpec.from_dict)",
                type(self.spec).__name__,
                CnnvizError,
            )
        if self.augment is not None and not isinstance(self.augment, AugmentSpec):
            raise checks.fail(
                "augment", "an AugmentSpec or None", type(self.augment).__name__, CnnvizError
            )

    def source(self) -> dict[str, Any]:
        """The config.json entries naming the data and the settings, enough to load
        the data and train again."""
        size = None if self.image_size is None else list(self.image_size)
        return {
            "dataset": self.dataset,
            "data_dir": self.data_dir,
            "limit": self.limit,
            "image_size": size,
            "seed": self.config.seed,
            "model": self.model,
            "training": self.config.to_dict(),
            "augment": None if self.augment is None else self.augment.to_dict(),
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (without `preloaded`), e.g. to send to another process."""
        return {"spec": self.spec.to_dict(), "runs_dir": self.runs_dir, **self.source()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainRequest:
        """Parse `to_dict` output: the spec, the settings and the augmentation are
        checked here, once.

        Raises:
            CnnvizError: a malformed spec, setting or augmentation.
        """
        size = data.get("image_size")
        augment = data.get("augment")
        return cls(
            spec=ModelSpec.from_dict(data.get("spec")),
            dataset=data["dataset"],
            config=TrainConfig.from_dict(data.get("training") or {}),
            data_dir=data.get("data_dir"),
            limit=data.get("limit"),
            image_size=None if size is None else tuple(size),
            augment=None if augment is None else AugmentSpec.from_dict(augment),
            runs_dir=data.get("runs_dir"),
            model=data.get("model"),
        )


def run_job(
    request: TrainRequest, *, run_dir: str | os.PathLike, emit=None, should_stop=None
) -> TrainResult:
    """Load the data a request names and train it into `run_dir`; never raises for a
    failed run (the result and status.json say what went wrong)."""
    try:
        from cnnviz.data import load_dataset

        if emit is not None:
            emit(StatusEvent("running", "loading the data"))
        dataset = request.preloaded or load_dataset(
            request.dataset,
            data_dir=request.data_dir,
            limit=request.limit,
            image_size=request.image_size,
            seed=request.config.seed,
        )
    except CnnvizError as err:
        return fail_run(run_dir, str(err), emit=emit)
    except Exception as err:
        return fail_run(run_dir, f"could not load the data: {type(err).__name__}: {err}", emit=emit)
    return train(
        request.spec,
        dataset,
        request.config,
        run_dir=run_dir,
        emit=emit,
        should_stop=should_stop,
        augment=request.augment,
    )


class JobRunner(abc.ABC):
    """Runs training jobs; the UI talks only to this interface."""

    @abc.abstractmethod
    def submit(self, request: TrainRequest) -> str:
        """Queue a job; its run folder exists (status "queued") on return.

        Returns:
            The job id, which is the run id.
        """

    @abc.abstractmethod
    def events(self, job_id: str, since: int = 0) -> list[Event]:
        """The job's events from index `since` on (pass the number already seen)."""

    @abc.abstractmethod
    def status(self, job_id: str) -> dict[str, Any]:
        """{"job_id", "run_dir", "status", "message", "queue_position" (1 = next, None
        unless queued), "latest" (the last batch or epoch event), "test_accuracy"}."""

    @abc.abstractmethod
    def stop(self, job_id: str) -> None:
        """Stop a job: a queued one never starts; a running one stops after the
        current batch and keeps what it learned."""

    @abc.abstractmethod
    def artifacts(self, job_id: str) -> Path:
        """The job's run folder."""

    @abc.abstractmethod
    def shutdown(self, wait: bool = True) -> None:
        """Refuse new jobs, drop queued ones, stop running ones; `wait` for them."""


class _Job:
    """One job's state, guarded by its own lock."""

    def __init__(self, job_id: str, run_dir: Path, request: TrainRequest):
        self.id, self.run_dir, self.request = job_id, run_dir, request
        self.lock = threading.Lock()
        self.stop_requested = threading.Event()
        self.event_list: list[Event] = []
        self.state, self.message = "queued", ""
        self.latest: Event | None = None
        self.test_accuracy: float | None = None

    def publish(self, event: Event) -> None:
        with self.lock:
            self.event_list.append(event)
            if isinstance(event, StatusEvent):
                self.state, self.message = event.status, event.message
                if event.test_accuracy is not None:
                    self.test_accuracy = event.test_accuracy
            else:
                self.latest = event


class ThreadJobRunner(JobRunner):
    """Runs jobs in background threads, at most `max_concurrent` at a time, first
    come first served. Worker threads exist only while there is work."""

    def __init__(self, max_concurrent: int = DEFAULT_MAX_JOBS):
        if (
            isinstance(max_concurrent, bool)
            or not isinstance(max_concurrent, int)
            or (max_concurrent < 1)
        ):
            raise CnnvizError(
                f"max_concurrent must be a whole number of at least 1; received {max_concurrent!r}"
            )
        self.max_concurrent = max_concurrent
        self._lock = threading.Lock()
        self._jobs: dict[str, _Job] = {}
        self._queue: collections.deque[str] = collections.deque()
        self._workers: set[threading.Thread] = set()
        self._closed = False
        self._started = 0

    def submit(self, request: TrainRequest) -> str:
        if not isinstance(request, TrainRequest):
            raise CnnvizError(f"submit takes a TrainRequest; received {type(request)}")
        with self._lock:
            if self._closed:
                raise CnnvizError("the job runner has shut down; no new jobs")
            position = len(self._queue) + 1
            message = f"waiting for a free slot (position {position})"
            run_dir = rundir.create(
                request.spec.to_dict(),
                request.source(),
                runs_dir=request.runs_dir,
                message=message,
            )
            job = _Job(run_dir.name, run_dir, request)
            job.publish(StatusEvent("queued", message))
            self._jobs[job.id] = job
            self._queue.append(job.id)
            if len(self._workers) < self.max_concurrent:
                self._started += 1
                worker = threading.Thread(
                    target=self._work, daemon=True, name=f"cnnviz-job-{self._started}"
                )
                self._workers.add(worker)
                worker.start()
        return job.id

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._workers.discard(threading.current_thread())
                    return
                job = self._jobs[self._queue.popleft()]
                job.publish(StatusEvent("running", "starting"))
            try:
                run_job(
                    job.request,
                    run_dir=job.run_dir,
                    emit=job.publish,
                    should_stop=job.stop_requested.is_set,
                )
            except BaseException as err:  # run_job returns failures; this is a last resort
                fail_run(job.run_dir, f"the job ended unexpectedly: {err!r}", emit=job.publish)
            finally:
                self._ended(job)

    def _ended(self, job: _Job) -> None:
        """Let go of what an ended job no longer needs: its dataset (a server would keep
        every dataset ever trained on), and the oldest ended jobs past KEEP_FINISHED."""
        job.request = dataclasses.replace(job.request, preloaded=None)
        with self._lock:
            ended = [i for i, j in self._jobs.items() if j.state in ENDED]
            for job_id in ended[: max(0, len(ended) - KEEP_FINISHED)]:
                del self._jobs[job_id]

    def _job(self, job_id: str) -> _Job:
        try:
            return self._jobs[job_id]
        except KeyError:
            raise CnnvizError(
                f"no job {job_id!r} in this runner; finished runs are in "
                "the runs folder (`python -m cnnviz runs`)"
            ) from None

    def events(self, job_id: str, since: int = 0) -> list[Event]:
        job = self._job(job_id)
        with job.lock:
            return list(job.event_list[max(0, since) :])

    def status(self, job_id: str) -> dict[str, Any]:
        job = self._job(job_id)
        with self._lock:
            queued = list(self._queue)
        with job.lock:
            return {
                "job_id": job.id,
                "run_dir": str(job.run_dir),
                "status": job.state,
                "message": job.message,
                "queue_position": queued.index(job.id) + 1 if job.id in queued else None,
                "latest": job.latest,
                "test_accuracy": job.test_accuracy,
                "events": len(job.event_list),
                "stopping": job.stop_requested.is_set(),
            }

    def stop(self, job_id: str) -> None:
        job = self._job(job_id)
        job.stop_requested.set()
        with self._lock:
            if job.id not in self._queue:
                return
            self._queue.remove(job.id)
        message = "stopped before it started"
        try:
            rundir.write_status(job.run_dir, "stopped", message)
        except OSError:
            pass
        job.publish(StatusEvent("stopped", message))

    def artifacts(self, job_id: str) -> Path:
        return self._job(job_id).run_dir

    def job_ids(self) -> list[str]:
        """Every job this runner has taken, oldest first."""
        with self._lock:
            return list(self._jobs)

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            self._closed = True
            queued = list(self._queue)
            workers = list(self._workers)
        for job_id in queued:
            self.stop(job_id)
        for job in list(self._jobs.values()):
            job.stop_requested.set()
        if wait:
            for worker in workers:
                worker.join()


def max_jobs_from_env() -> int:
    """$CNNVIZ_MAX_JOBS (a whole number >= 1), else 1."""
    text = os.environ.get(MAX_JOBS_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_JOBS
    if not text.isdigit() or int(text) < 1:
        raise CnnvizError(
            f"${MAX_JOBS_ENV} must be a whole number of at least 1 (the "
            f"trainings run at once); received {text!r}"
        )
    return int(text)


_default: ThreadJobRunner | None = None
_default_lock = threading.Lock()


def default_runner() -> JobRunner:
    """The process-wide runner (max concurrent jobs from $CNNVIZ_MAX_JOBS, default 1);
    at exit it stops running jobs after their current batch and saves them."""
    global _default
    with _default_lock:
        if _default is None or _default._closed:
            _default = ThreadJobRunner(max_jobs_from_env())
            atexit.register(_default.shutdown)
        return _default
