"""The job runners by name, and the one runner a process shares.

`thread` runs jobs in threads of this process (tests, the command line's default),
`process` in warm worker processes (the app's default: a crash or an out-of-memory kill
ends a run, never the server), `ray` as Ray Core tasks on a local or remote cluster
(`CNNVIZ_RAY_ADDRESS`). `CNNVIZ_RUNNER` chooses the app's; `--runner` the command line's.
A new runner is one entry of `RUNNERS` (plus the contract tests it must pass).
"""

from __future__ import annotations

import atexit
import importlib
import threading

from cnnviz import checks
from cnnviz.jobs import JobRunner
from cnnviz.settings import settings

__all__ = ["RUNNERS", "default_runner", "make_runner", "runner_name"]

RUNNERS = {  # name -> "module:class", imported when chosen
    "thread": "cnnviz.thread_runner:ThreadJobRunner",
    "process": "cnnviz.process_runner:ProcessJobRunner",
    "ray": "cnnviz.ray_runner:RayJobRunner",
}


def runner_name(name: str | None = None, *, default: str = "thread") -> str:
    """`name`, else $CNNVIZ_RUNNER, else `default`, checked against RUNNERS."""
    chosen = name or settings().runner or default
    return checks.one_of(chosen, "the job runner", tuple(RUNNERS))


def make_runner(name: str | None = None, max_concurrent: int | None = None, **options) -> JobRunner:
    """A new runner of the kind named (see `runner_name`).

    Raises:
        CnnvizError: an unknown name, or a runner that cannot start here (e.g. Ray not
            installed), saying how to fix it.
    """
    module, _, cls = RUNNERS[runner_name(name)].partition(":")
    return getattr(importlib.import_module(module), cls)(max_concurrent, **options)


_shared: JobRunner | None = None
_shared_lock = threading.Lock()


def default_runner(name: str | None = None, *, default: str = "thread") -> JobRunner:
    """The process-wide runner (kind from `name`, else $CNNVIZ_RUNNER, else `default`;
    trainings at once from $CNNVIZ_MAX_JOBS); at exit it stops running jobs after their
    current batch and saves them."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared.closed:
            _shared = make_runner(name or runner_name(default=default))
            atexit.register(_shared.shutdown)
        return _shared
