"""Runs from the app, computed once for the whole server: table rows, trained models,
evaluations and the coach's findings (comparisons: `app_pages.server.comparisons`).

Streamlit-side only: `st.cache_resource` / `st.cache_data` wrappers around
`cnnviz.runs`, `cnnviz.evaluate` and `cnnviz.coach`, keyed by the
run and its `cnnviz.runs.run_stamp` (the times of its files), so a retrained or
reimported run is read again. A run's images are read through the server's dataset
cache (`load_for_run`), once for every page that needs them.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages.frame.desk import viewer
from app_pages.server.datasets import dataset_label, load_for_run
from app_pages.server.listing import listed_runs, trained_runs_of
from cnnviz import runs


def run_rows(desk: str | None = None) -> list[dict[str, Any]]:
    """The runs (only `desk`'s and no desk's when given), newest first, as table rows."""
    rows = []
    for run in listed_runs(desk):
        info = run.to_dict()
        accuracy, queued = info.get("test_accuracy"), info["status"] == "queued"
        rows.append(
            {
                "run": info["run_id"],
                "desk": info["owner"] or "",
                "model": info["model"],
                "dataset": dataset_label(info["dataset"]),
                "status": info["status"],
                "test accuracy": None if accuracy is None else f"{accuracy:.1%}",
                "epochs": f"{info.get('epochs_completed') or 0}/{info.get('epochs') or '?'}",
                "message": "waiting in the queue" if queued else info.get("message", ""),
            }
        )
    return rows


def first_run(desk: str | None) -> str | None:
    """The run a new session opens on: the desk's newest trained run, else the newest
    of no desk's (the command line's, a teacher's examples); without a desk, the newest."""
    owners = trained_runs_of(desk)
    if desk is None:
        return next(iter(owners), None)
    mine = [run for run, owner in owners.items() if owner == desk]
    return next(iter(mine or [r for r, owner in owners.items() if owner is None]), None)


def _stamp(run_id: str) -> tuple[int, ...]:
    return runs.run_stamp(runs.runs_root() / run_id)


def images_hidden(run) -> str | None:
    """Why this session may not see `run`'s images (another desk's upload, not shared),
    or None. Its metrics and curves are everyone's."""
    from cnnviz.viewers import images_hidden as hidden

    return hidden(run, viewer())


def check_view(run) -> None:
    """Before anything reads a run's images for this session: the run's dataset must be
    one a browser may name (`cnnviz.origins`) and its images this session's to see.

    Raises:
        CnnvizError: saying which, naming no server path.
    """
    from cnnviz.origins import check_origin
    from cnnviz.viewers import check_images

    if viewer() is not None:
        check_origin(run.config.get("dataset"), where=f"run {run.id}")
        check_images(run, viewer())


@st.cache_resource(show_spinner="Loading the trained model...", max_entries=4)
def _run_and_model(run_id: str, root: str, stamp: tuple, epoch: int | None = None):
    run = runs.load_run(run_id, root)
    return run, run.model(epoch)


def run_and_model(run_id: str, epoch: int | None = None):
    """The run and its trained keras.Model (rebuilt from the spec, weights loaded): the
    final model, or the weights after `epoch`."""
    return _run_and_model(run_id, str(runs.runs_root()), _stamp(run_id), epoch)


@st.cache_resource(show_spinner="Evaluating on the test images...", max_entries=4)
def _evaluation(run_id: str, root: str, stamp: tuple, epoch: int | None = None):
    from cnnviz.evaluate import evaluate_run

    run, model = _run_and_model(run_id, root, stamp, epoch)
    return evaluate_run(run, model=model, load=load_for_run)  # its images read once


def evaluation(run_id: str, epoch: int | None = None):
    """(test split, `cnnviz.evaluate.Evaluation`) of a run (after `epoch`), computed once
    (the images checked as this session's to see, `check_view`, before the cache)."""
    check_view(runs.load_run(run_id))
    return _evaluation(run_id, str(runs.runs_root()), _stamp(run_id), epoch)


@st.cache_data(show_spinner="The coach is reading the curves...", max_entries=16)
def _findings(run_id: str, root: str, stamp: tuple, who):
    from cnnviz.coach import diagnose_run

    run = runs.load_run(run_id, root)
    model = run_and_model(run_id)[1] if run.has_model else None
    return diagnose_run(run, model=model, load=load_for_run, viewer=who)


def findings(run) -> list:
    """The coach's findings on an ended run (`cnnviz.coach.diagnose_run`), once per
    state of the run's files; without its images when they are not this session's."""
    return _findings(run.id, str(run.dir.parent), run.stamp(), viewer())
