"""The runs on disk, read once per change for the whole server.

Streamlit-side only. Every run list of the app (Train's table, the run pickers, the
Class page) starts from `listed_runs()`: `cnnviz.runs.list_runs`, cached for every
session (`st.cache_resource`) and read again when a run folder appears, goes, or has its
status or config rewritten (their modification times are the cache key; a training
rewrites status.json every epoch), and at least once a minute. Reading 100 run folders
costs ~0.1 s; the times cost ~1 ms. Callers must not change the `Run`s they get.

`whose_runs` is the one desk filter of every list (this desk's runs, or everyone's one
switch away) and `run_label` names a run whose desk is not this one.
"""

from __future__ import annotations

import os

import streamlit as st

from app_pages._desk import current_desk
from cnnviz.rundir import CONFIG_FILE, runs_root
from cnnviz.runstatus import STATUS_FILE


def _stamps(root: str) -> tuple:
    """(folder name, status.json time, config.json time) of each run folder, sorted."""
    stamps = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return ()
    for entry in entries:
        try:
            status = os.stat(os.path.join(entry.path, STATUS_FILE)).st_mtime_ns
            config = os.stat(os.path.join(entry.path, CONFIG_FILE)).st_mtime_ns
        except OSError:
            continue  # not a run folder (the upload store, a half-written run)
        stamps.append((entry.name, status, config))
    return tuple(sorted(stamps))


@st.cache_resource(max_entries=2, ttl=60, show_spinner=False)
def _listing(root: str, stamps: tuple) -> list:
    from cnnviz.errors import CnnvizError
    from cnnviz.runs import list_runs

    try:
        return list_runs(root)
    except CnnvizError:  # the runs folder is a file: no runs (the sidebar says why)
        return []


def listed_runs(desk: str | None = None) -> list:
    """Every readable run (`cnnviz.runs.Run`), newest first. With `desk`: that desk's
    runs and the runs of no desk (the command line's, a teacher's examples), which
    every desk shares."""
    root = str(runs_root())
    runs = _listing(root, _stamps(root))
    return runs if desk is None else [run for run in runs if run.owner in (desk, None)]


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
