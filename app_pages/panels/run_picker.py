"""Choosing a run: the "Everyone's runs" switch every run list has, and the run picker
of Train, Inspect and Predict.

`whose_runs` is the one desk filter of every list (this desk's runs, or everyone's one
switch away, read-only) and `run_label` names a run whose desk is not this one.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages.frame.desk import current_desk
from app_pages.frame.state import EVERYONE
from app_pages.server.listing import trained_runs_of


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
