"""Runs from the app: tables of them, the run picker, models and evaluations cached.

Streamlit-side only: `st.cache_resource` wrappers around `cnnviz.runs` and
`cnnviz.evaluate`, keyed by the run and its model file's time, so a retrained or
reimported run is read again. Every run list goes through one desk filter,
`whose_runs`: a desk sees its own runs (and those of no desk, the command line's),
and everyone's one switch away (read-only).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages._desk import current_desk
from app_pages._listing import listed_runs
from app_pages._uploads import dataset_label
from cnnviz.rundir import EPOCHS_DIR, MODEL_FILE, runs_root

EVERYONE = "cnnviz_everyone"  # session state: the "Everyone's runs" switch, on every page


def _keep_switch(key: str) -> None:
    st.session_state[EVERYONE] = st.session_state[key]


def whose_runs(key: str) -> str | None:
    """The desk filter of every run list: draws the "Everyone's runs" switch (widget
    `key`; one value for the session, whichever page sets it) and returns the desk
    whose runs to list: this one, or None for every desk's (switched on, or no desk)."""
    desk = current_desk()
    if desk is None:
        return None
    state = st.session_state
    state[key] = state.get(EVERYONE, False)
    everyone = st.toggle(
        "Everyone's runs",
        key=key,
        on_change=_keep_switch,
        args=(key,),
        help=f"Off: desk {desk}'s runs, and those of no desk. On: every desk's, to look at.",
    )
    return None if everyone else desk


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


def trained_runs_of(desk: str | None = None) -> dict[str, str | None]:
    """{run id: its desk} of the runs with a trained model (only `desk`'s and no
    desk's when given), newest first."""
    return {run.id: run.owner for run in listed_runs(desk) if run.has_model}


def trained_run_ids(desk: str | None = None) -> list[str]:
    """The ids of `trained_runs_of(desk)`, newest first."""
    return list(trained_runs_of(desk))


def pick_run(key: str) -> str | None:
    """A run picker (this desk's runs, or everyone's one switch away) defaulting to the
    current run; None (with a hint) when there is none to pick."""
    picker, switch = st.columns([4, 1], vertical_alignment="bottom")
    with switch:
        desk = whose_runs(f"{key}_everyone")
    runs = trained_runs_of(desk)
    if not runs:
        mine = " for your desk" if desk else ""
        others = " (or switch on **Everyone's runs**)" if desk else ""
        st.info(f"No trained model yet{mine}: train one on the **Train** page first{others}.")
        return None
    ids, current = list(runs), st.session_state.cnnviz_run
    run_id = picker.selectbox(
        "Run",
        ids,
        index=ids.index(current) if current in ids else 0,
        format_func=run_label(runs),
        key=key,
    )
    st.session_state.cnnviz_run = run_id
    return run_id


def run_label(runs: dict[str, str | None]):
    """A run picker's `format_func` for {run id: desk}: the id, and whose it is when
    it is not this desk's ("... · desk bob")."""
    desk = current_desk()

    def label(run_id: str) -> str:
        owner = runs.get(run_id)
        if owner == desk:
            return run_id
        return f"{run_id} · {f'desk {owner}' if owner else 'no desk'}"

    return label


def _mtime(run_id: str) -> float:
    """When the run's weights last changed (its model file, or its epochs/ folder)."""
    folder = runs_root() / run_id
    times = [p.stat().st_mtime for p in (folder / MODEL_FILE, folder / EPOCHS_DIR) if p.exists()]
    return max(times, default=0.0)


@st.cache_resource(show_spinner="Loading the trained model...", max_entries=4)
def _run_and_model(run_id: str, root: str, mtime: float, epoch: int | None = None):
    from cnnviz.runs import load_run

    run = load_run(run_id, root)
    return run, run.model(epoch)


def run_and_model(run_id: str, epoch: int | None = None):
    """The run and its trained keras.Model (rebuilt from the spec, weights loaded): the
    final model, or the weights after `epoch`."""
    return _run_and_model(run_id, str(runs_root()), _mtime(run_id), epoch)


@st.cache_resource(show_spinner="Evaluating on the test images...", max_entries=4)
def _evaluation(run_id: str, root: str, mtime: float, epoch: int | None = None):
    from cnnviz.evaluate import evaluate_run

    run, model = _run_and_model(run_id, root, mtime, epoch)
    return evaluate_run(run, model=model)


def evaluation(run_id: str, epoch: int | None = None):
    """(test split, `cnnviz.evaluate.Evaluation`) of a run (after `epoch`), computed once."""
    return _evaluation(run_id, str(runs_root()), _mtime(run_id), epoch)
