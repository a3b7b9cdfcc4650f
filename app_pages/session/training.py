"""Training from the app: this desk's job in the server's runner.

Streamlit-side only. The job runner (`app_pages.server.runner`) outlives pages and
sessions; a training never touches Streamlit: pages poll its events. A session follows,
starts and stops only its desk's job (`app_pages.frame.desk`): at most one queued or
running job per desk, and the runner refuses to stop another desk's. Start submits the
session's request (`app_pages.session.requests`): the worker loads and splits the data.
"""

from __future__ import annotations

import streamlit as st

from app_pages.frame.desk import current_desk
from app_pages.server.runner import job_runner
from app_pages.session.class_task import task_record
from app_pages.session.requests import session_request
from cnnviz.errors import CnnvizError
from cnnviz.events import ACTIVE


def desk_job(runner) -> str | None:
    """This desk's queued or running job (found again after a refresh, or when another
    tab of the desk started it), never another desk's; solo, the learner's job in this
    runs folder. The job that just ended becomes the current run."""
    state, desk = st.session_state, current_desk()
    held = _settle_ended_job(runner)
    job = runner.active_job(desk) if desk else state.get("train_job") or _solo_job(runner)
    if job:
        state.train_job = state.train_shown = job
    elif desk and state.get("train_shown") not in held:  # a refresh: the desk's last job
        state.train_shown = next(reversed(runner.job_ids(owner=desk)), None)
    return job


def _solo_job(runner) -> str | None:
    """A learner alone: the active job of no desk that trains into this runs folder."""
    from pathlib import Path

    from cnnviz.runs import runs_root

    job = runner.active_job(None)
    if job is None:
        return None
    folder = Path(runner.status(job)["run_dir"]).parent
    return job if folder.resolve() == runs_root().resolve() else None


def _settle_ended_job(runner) -> set[str]:
    """The job this session follows, once it has ended, is followed no more and becomes
    the current run. Returns the ids of the jobs this desk (or session) may see."""
    state, desk = st.session_state, current_desk()
    held = set(runner.job_ids(owner=desk) if desk else runner.job_ids())
    job = state.get("train_job")
    if job and (job not in held or runner.status(job)["status"] not in ACTIVE):
        state.train_job = None
        if job in held:
            state.cnnviz_run = job
    return held


def notice_ended_job(arrived: bool) -> None:
    """The router, each run: on arriving at another page (`frame.state.arrived_at`), a
    job that ended while the learner looked away (the Train page's poll had not seen it
    yet) becomes the current run, so Inspect and Predict open it. Within a page nothing
    swaps under the learner."""
    state = st.session_state
    if arrived and state.get("train_job"):  # a job was started, so its runner exists
        _settle_ended_job(job_runner())


def about(seconds: float | None) -> str:
    """A wait as a learner reads it: "under a minute", "about 4 min"."""
    if seconds is None:
        return "at an unknown time"
    return "under a minute" if seconds < 60 else f"about {round(seconds / 60)} min"


def waiting_text(status: dict) -> str:
    """Where a queued job is, from `runner.status`: position and when it should start."""
    return (
        f"Waiting for a free slot: position {status['queue_position']} in the queue, "
        f"starts in {about(status['eta'])}."
    )


def start_training(runner, dataset) -> str:
    """Check the model against the data, then submit it; returns the job (run) id. The
    run carries the desk's class experiment record while the session still tries the
    desk's combination (`app_pages.session.class_task.task_record`).

    Raises:
        CnnvizError: the spec, the hyper-parameters or the data do not fit.
    """
    from dataclasses import replace

    request = session_request(dataset)
    record = task_record(request)
    return submit(runner, request if record is None else replace(request, experiment=record))


def submit(runner, request) -> str:
    """Submit a checked `TrainRequest` as this desk's job, the one the Train page follows
    (Start training's, and a fine-tune's from `app_pages.session.fine_tune`)."""
    job = runner.submit(request)
    st.session_state.train_job = st.session_state.train_shown = job
    return job


def on_start_training(runner, dataset) -> None:
    """Start button callback: runs before the page redraws, so the page shows the job."""
    try:
        start_training(runner, dataset)
        st.session_state.train_error = None
    except CnnvizError as err:
        st.session_state.train_error = str(err)


def on_stop_training(runner, job: str | None) -> None:
    """Stop button callback: stops this desk's job only (the runner checks the desk)."""
    try:
        if job:
            runner.stop(job, owner=current_desk())
        st.session_state.train_error = None
    except CnnvizError as err:
        st.session_state.train_error = str(err)
