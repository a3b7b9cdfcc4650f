"""Training jobs as Ray Core tasks, on this machine or on a cluster: for a school.

Each job is one plain Ray task (one CPU, never retried: a job whose worker died must not
train again from the start) that runs cnnviz's own `run_job` on a worker of the cluster
`$CNNVIZ_RAY_ADDRESS` names, else of a local cluster started with this machine's cores.
The queue, the positions and the ETA are the shared `JobRunner`'s. A board actor per
runner (no CPU) carries each job's events and its stop flag: the task sends its events
fire and forget and asks "stop?" at most every 0.1 s (so Stop ends `fit` after the
current batch and the weights are kept); the runner's follower thread fetches the new
events of every running job ten times a second. `ray.cancel(force=True)` is the last
resort, for a job still running when shutdown's grace time is over.

Run folders: a task writes straight into the runs folder when it sees it (this machine,
or a runs folder every node mounts at the same path), which it knows by finding there
the config.json the runner has just written (a unique folder, so no token file is
needed); otherwise it trains into a folder of its own and the files come back through
Ray's object store when the job ends (a run is kB to a few MB), while the runner keeps
the run's status.json up to date from the events.

The connection to the cluster (joined or started, quiet) is `cnnviz.ray_cluster`'s.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

from cnnviz import ray_cluster, rundir, runstatus
from cnnviz.errors import CnnvizError
from cnnviz.events import ACTIVE, ENDED, StatusEvent, event_from_dict
from cnnviz.jobs import JobRunner, _Job
from cnnviz.ray_task import remotes
from cnnviz.settings import settings
from cnnviz.train import fail_run

__all__ = ["RayJobRunner"]

FOLLOW_POLL = 0.1  # seconds between two event fetches of the runner
GRACE = 120.0  # seconds shutdown waits for stopped jobs to save, before cancelling them


# --- the runner -------------------------------------------------------------------------


class RayJobRunner(JobRunner):
    """Runs jobs as Ray tasks, at most `max_concurrent` at a time.

    Args:
        max_concurrent: trainings at once (default: $CNNVIZ_MAX_JOBS, else the
            cluster's CPUs).
        share_runs: False ships every run's files back through the object store even
            when the workers see the runs folder (default: only when they do not).

    Raises:
        CnnvizError: Ray is not installed, or the cluster cannot be joined or started.
    """

    name = "ray"

    def __init__(self, max_concurrent: int | None = None, *, share_runs: bool | None = None):
        ray_cluster.connect()
        import ray

        try:
            resources = ray.cluster_resources()
            if max_concurrent is None and settings().max_jobs is None:
                max_concurrent = max(1, int(resources.get("CPU", 1)))
            super().__init__(max_concurrent)
            self._task, self._fresh_task, board = remotes()
            self._board = board.remote()
        except BaseException:
            ray_cluster.disconnect()
            raise
        self._gpus = int(resources.get("GPU", 0))
        self._share = share_runs is not False
        self._refs: dict[str, Any] = {}  # job id -> its task's ref, while it runs
        self._seen: dict[str, int] = {}  # job id -> events fetched from the board
        self._workers: dict[str, dict] = {}  # job id -> the worker it reported
        self._held: dict[str, list] = {}  # final events of shipped runs, until files land
        self._pids: set[int] = set()
        self._closing: float | None = None
        self._wake, self._done = threading.Event(), threading.Event()
        self._follower = threading.Thread(target=self._follow, daemon=True, name="cnnviz-ray")
        self._follower.start()

    def worker_pids(self) -> list[int]:
        """The living Ray workers of this machine that have run this runner's jobs."""
        with self._lock:
            pids = set(self._pids)
        return sorted(p for p in pids if _alive(p))

    def _launch(self, job: _Job) -> None:
        devices = job.request.config.devices
        task = self._task if devices == 1 else self._fresh_task
        options = {"num_gpus": devices} if 1 < devices <= self._gpus else {}
        path = job.run_dir.resolve()
        config_text = (path / rundir.CONFIG_FILE).read_text(encoding="utf-8")
        ref = task.options(**options).remote(
            self._board,
            job.id,
            job.request.to_dict(),
            str(path),
            config_text,
            self._share,
        )
        self._seen[job.id] = 0
        self._refs[job.id] = ref
        self._wake.set()

    def _stop_running(self, job: _Job) -> None:
        job.stop_requested.set()
        try:
            self._board.request_stop.remote(job.id)
        except Exception:  # Ray has gone: the follower ends the job
            pass

    def _close(self, wait: bool) -> None:
        self._closing = time.monotonic()
        self._wake.set()
        if wait:
            self._done.wait()

    # --- the follower thread -----------------------------------------------------------

    def _follow(self) -> None:
        import ray

        cancelled = False
        while True:
            with self._lock:
                refs = dict(self._refs)
            if not refs:
                if self._closing is not None:
                    break
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            try:
                self._fetch(list(refs))
                ready, _ = ray.wait(list(refs.values()), num_returns=len(refs), timeout=FOLLOW_POLL)
            except Exception:  # Ray is unreachable for a moment: try again, not forever
                time.sleep(FOLLOW_POLL)
                if self._closing is not None and time.monotonic() - self._closing > 2 * GRACE:
                    self._abandon(refs)
                continue
            for job_id, ref in refs.items():
                if ref in ready:
                    self._end(job_id, ref)
            if self._closing is not None and not cancelled:
                if time.monotonic() - self._closing > GRACE:  # the last resort
                    cancelled = True
                    for ref in refs.values():
                        ray.cancel(ref, force=True)
        try:
            ray.kill(self._board)
        finally:
            ray_cluster.disconnect()
            self._done.set()

    def _fetch(self, job_ids: list[str]) -> None:
        import ray

        news = ray.get(self._board.news.remote({j: self._seen[j] for j in job_ids}), timeout=60)
        for job_id, (events, worker) in news.items():
            job = self._jobs[job_id]
            self._seen[job_id] += len(events)
            if worker is not None and job_id not in self._workers:
                with self._lock:
                    self._workers[job_id] = worker
                    if worker["host"] == socket.gethostname():
                        self._pids.add(worker["pid"])
            shipped = worker is not None and not worker["shared"]
            for data in events:
                event = event_from_dict(data)
                if shipped and isinstance(event, StatusEvent):
                    if event.status in ENDED:  # published once the files have landed
                        self._held.setdefault(job_id, []).append(event)
                        continue
                    runstatus.write_status(job.run_dir, event.status, event.message, worker=worker)
                job.publish(event)

    def _end(self, job_id: str, ref) -> None:
        """A task has returned or died: its last events, its files, its outcome."""
        import ray

        try:
            self._fetch([job_id])
        except Exception:  # the board has gone: the outcome says what there is to say
            pass
        job, error, files = self._jobs[job_id], None, None
        try:
            files = ray.get(ref)["files"]
        except ray.exceptions.RayError as err:
            error = err
        if files:
            try:
                rundir.write_files(job.run_dir, files)
            except (OSError, CnnvizError) as err:
                self._held.pop(job_id, None)
                message = f"the files trained on Ray could not be written here: {err}"
                fail_run(job.run_dir, message, emit=job.publish)
        for event in self._held.pop(job_id, []):
            job.publish(event)
        if job.state in ACTIVE:  # the task never said how the job ended: its worker died
            errors = (ray.exceptions.RayTaskError, ray.exceptions.RuntimeEnvSetupError)
            ended = "failed" if isinstance(error, errors) else "interrupted"
            message = self._death_message(job, error)
            fail_run(job.run_dir, message, emit=job.publish, status=ended)
        with self._lock:
            self._refs.pop(job_id, None)
            self._seen.pop(job_id, None)
            worker = self._workers.pop(job_id, None)
            if error is not None and worker is not None:
                self._pids.discard(worker["pid"])
        try:
            self._board.forget.remote(job_id)
        finally:
            self._finished(job)

    def _abandon(self, refs: dict[str, Any]) -> None:
        """Ray no longer answers at shutdown: the jobs left end interrupted."""
        for job_id in refs:
            job = self._jobs[job_id]
            if job.state in ACTIVE:
                message = "the Ray cluster stopped answering" + runstatus.kept_words(job.run_dir)
                fail_run(job.run_dir, message, emit=job.publish, status="interrupted")
            with self._lock:
                self._refs.pop(job_id, None)
            self._finished(job)

    def _death_message(self, job: _Job, error: BaseException | None) -> str:
        import ray

        worker = self._workers.get(job.id)
        who = "the Ray worker that was training it"
        if worker is not None:
            who += f" (pid {worker['pid']} on {worker['host']})"
        if isinstance(error, ray.exceptions.OutOfMemoryError):
            why = f"{who} was killed because its machine ran out of memory"
        elif isinstance(error, ray.exceptions.TaskCancelledError):
            why = f"{who} was cancelled: the job did not stop within {GRACE:.0f} s of shutdown"
        elif isinstance(error, ray.exceptions.RuntimeEnvSetupError):
            return f"Ray could not prepare a worker for the job: {str(error).splitlines()[0]}"
        elif isinstance(error, ray.exceptions.RayTaskError):  # not a death: an error
            return f"the job failed on its Ray worker: {str(error.cause or error).strip()}"
        elif error is None:
            why = f"{who} ended without saying how the job ended"
        else:
            why = (
                f"{who} died or was killed ({type(error).__name__}), perhaps because its "
                "machine ran out of memory"
            )
        return (
            why
            + runstatus.kept_words(job.run_dir)
            + " (a smaller model or batch size uses less memory)"
        )


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return False
    return state != "Z"
