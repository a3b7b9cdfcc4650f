"""Training jobs in threads of this process: the runner of the tests and the CLI.

Each running job has its own daemon thread, which exists only while the job runs. A
crash inside training ends that run `failed` (train returns failures); the thread runner
cannot survive the process itself dying (the process runner can).
"""

from __future__ import annotations

import threading

from cnnviz.jobs import JobRunner, _Job
from cnnviz.request import run_job
from cnnviz.train import fail_run

__all__ = ["ThreadJobRunner"]


class ThreadJobRunner(JobRunner):
    """Runs jobs in background threads, at most `max_concurrent` at a time."""

    name = "thread"

    def __init__(self, max_concurrent: int | None = None):
        super().__init__(max_concurrent)
        self._threads: set[threading.Thread] = set()
        self._count = 0

    def _launch(self, job: _Job) -> None:
        self._count += 1
        thread = threading.Thread(
            target=self._run, args=(job,), daemon=True, name=f"cnnviz-job-{self._count}"
        )
        self._threads.add(thread)
        thread.start()

    def _run(self, job: _Job) -> None:
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
            try:
                self._finished(job)  # its claims go before `shutdown(wait=True)` returns
            finally:
                self._threads.discard(threading.current_thread())

    def _close(self, wait: bool) -> None:
        if wait:
            for thread in list(self._threads):
                thread.join()
