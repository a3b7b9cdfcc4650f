"""Runs from the app: tables of them, the run picker, models and evaluations cached,
and run links (`?run=RUN_ID`).

Streamlit-side only: `st.cache_resource` wrappers around `cnnviz.runs` and
`cnnviz.evaluate`, keyed by the run and its model file's time, so a retrained or
reimported run is read again. Every run list goes through one desk filter,
`app_pages._listing.whose_runs`: a desk sees its own runs (and those of no desk, the
command line's), and everyone's one switch away (read-only).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages._datasets import dataset_label, load_for_run
from app_pages._desk import current_desk
from app_pages._listing import EVERYONE, listed_runs, run_label, whose_runs
from cnnviz.rundir import EPOCHS_DIR, MODEL_FILE, runs_root


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
    return run_picker(picker, "Run", list(runs), key, format_func=run_label(runs))


def run_picker(container, label: str, ids: list[str], key: str, **options: Any) -> str:
    """A select box of `ids` drawn on the current run; picking one makes it current.

    The box is keyed by the run it opens on (`{key}:{run id}`): when the current run
    changes elsewhere (a job's end, a link, another page), a new box is drawn on it
    rather than an old one's value set. A browser that has not redrawn yet sends the old
    box's value back unchanged, which `picked_run` ignores; a value set on a drawn box
    would have come back as the learner's choice and put the old run back.
    """
    current = st.session_state.cnnviz_run
    shown = current if current in ids else ids[0]
    box = f"{key}:{shown}"
    chosen = container.selectbox(
        label,
        ids,
        index=ids.index(shown),
        key=box,
        on_change=picked_run,
        args=(box, shown),
        **options,
    )
    st.session_state.cnnviz_run = chosen
    return chosen


def picked_run(box: str, shown: str) -> None:
    """`on_change` of a run picker drawn on `shown`: a new choice becomes the current run."""
    if st.session_state[box] != shown:
        st.session_state.cnnviz_run = st.session_state[box]


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
    return evaluate_run(run, model=model, load=load_for_run)  # its images read once


def evaluation(run_id: str, epoch: int | None = None):
    """(test split, `cnnviz.evaluate.Evaluation`) of a run (after `epoch`), computed once."""
    return _evaluation(run_id, str(runs_root()), _mtime(run_id), epoch)


def open_run(run_id: str, url: dict) -> str | None:
    """`?run=RUN_ID`: make it the current run and show it in Inspect (read-only)."""
    from app_pages._feedback import notify, plain

    owners = trained_runs_of()
    if run_id in owners:
        st.session_state.cnnviz_run = run_id
        if owners[run_id] not in (None, current_desk()):  # another desk's: show everyone's
            st.session_state[EVERYONE] = True
        notify("info", f"Showing run **{plain(run_id)}** from the link (read-only).")
        return "inspect"
    row = next((r for r in run_rows() if r["run"] == run_id), None)
    why = f"has no trained model yet (it is {row['status']})" if row else "does not exist here"
    notify("error", f"The linked run {plain(run_id[:80])} {why}. Train lists the runs there are.")
    return None
