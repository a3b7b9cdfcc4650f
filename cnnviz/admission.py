"""Whether a job may be queued, and started, on a runs folder that replicas share.

A `JobRunner` (`cnnviz.jobs`) asks its `Admission` twice. When a job is submitted
(`entering`): a desk at its disk quota is refused (`cnnviz.quota`), and a desk that
already has a job queued or running in any replica on the runs folder is refused too
(the desk's claim, `cnnviz.claims`, held from submit to the job's end). When the job is
next to start (`held_back`): while the teacher pauses the queue (`cnnviz.classstate`) no
replica starts one, and it starts only once it holds one of the runs folder's training
slots. A job held back waits, queued, its status message saying why, and the claims'
thread looks again every `cnnviz.claims.TICK` seconds.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cnnviz import quota, rundir, runstatus
from cnnviz.claims import Claims, active_jobs, desk_claim
from cnnviz.classstate import read_class_state
from cnnviz.errors import CnnvizError
from cnnviz.events import StatusEvent

__all__ = ["PAUSED", "Admission"]

PAUSED = "the teacher paused the queue: it starts when they resume it"


class Admission:
    """One replica's admission of jobs: its claims, the quota, the pause.

    Args:
        on_tick: called every `cnnviz.claims.TICK` seconds while jobs wait or claims are
            held (the runner starts what may start); returns True while jobs wait.
    """

    def __init__(self, on_tick: Callable[[], bool]):
        self.claims = Claims(on_tick=on_tick)

    @contextlib.contextmanager
    def entering(self, owner: str | None, runs_dir: str | os.PathLike | None) -> Iterator:
        """Admit a new job of desk `owner` for the length of the block, which creates
        its run folder and calls the yielded function with the run id; if the block
        raises, the desk's claim is let go. The runner has checked that `owner` has no
        job of its own queued or running.

        Raises:
            CnnvizError: the desk is at its disk quota, or has a job in another replica.
        """
        root = rundir.checked_root(runs_dir, create=True)
        if owner is None:
            yield lambda job: None
            return
        quota.check_quota(owner, runs_dir=runs_dir)
        # this replica's own claim may outlive its job by a moment: its runner said it ended
        holder = self.claims.take(root, desk_claim(owner), None, desk=owner, again=True)
        if holder is not None:
            raise CnnvizError(_elsewhere(owner, holder, root))
        try:
            yield lambda job: self.claims.relabel(root, desk_claim(owner), job)
        except BaseException:
            self.claims.release(root, desk_claim(owner))
            raise

    def held_back(self, runs_dir: str | os.PathLike | None, job: str, slots: int) -> str | None:
        """Why job `job` may not start yet, or None once it holds one of the `slots`
        training slots of its runs folder (a folder whose claims cannot be written starts
        it without one)."""
        root = rundir.runs_root(runs_dir)
        if read_class_state(root).paused:
            return PAUSED
        try:
            if self.claims.take_slot(root, slots, job) is None:
                return (
                    f"waiting for a free slot: the runs folder trains {slots} job(s) at "
                    "once, here or in another server"
                )
        except CnnvizError:
            pass
        return None

    def wait(self, job, message: str) -> None:
        """Say why a queued job (a `cnnviz.jobs` job) waits, once per reason, in its
        events and its status.json; the claims' thread will look again."""
        if job.message != message:
            job.publish(StatusEvent("queued", message))
            with contextlib.suppress(OSError):
                runstatus.write_status(job.run_dir, "queued", message)
        self.claims.wake()

    def release(self, job: str) -> None:
        """A job ended or left the queue: its desk's claim and its slot go."""
        self.claims.release_job(job)


def _elsewhere(owner: str, holder: dict[str, Any], root: Path) -> str:
    """The refusal of a desk's second job, its first held by another replica."""
    job = holder.get("job")
    where = "starting"
    if isinstance(job, str):
        running = any(j["run_id"] == job and j["status"] == "running" for j in active_jobs(root))
        where = "running" if running else "queued"
    return (
        f"desk {owner!r} already has a job ({job or 'a new one'}, {where} in another process "
        "on this runs folder); a desk trains one model at a time: stop it, or wait until "
        "it ends"
    )
