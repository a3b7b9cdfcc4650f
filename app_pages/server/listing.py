"""The runs on disk, read once per change for the whole server.

Streamlit-side only. Every run list of the app (Train's table, the run pickers, the
Class page) starts from `listed_runs()`: `cnnviz.runs.list_runs`, cached for every
session (`st.cache_resource`) and read again when `cnnviz.runs.listing_stamp` changes
(a run folder appears, goes, or has its status or config rewritten), and at least once a
minute. Callers must not change the `Run`s they get.
"""

from __future__ import annotations

import streamlit as st

from cnnviz import runs


@st.cache_resource(max_entries=2, ttl=60, show_spinner=False)
def _listing(root: str, stamp: tuple) -> list:
    from cnnviz.errors import CnnvizError

    try:
        return runs.list_runs(root)
    except CnnvizError:  # the runs folder is a file: no runs (the sidebar says why)
        return []


def listed_runs(desk: str | None = None) -> list:
    """Every readable run (`cnnviz.runs.Run`), newest first. With `desk`: that desk's
    runs and the runs of no desk (the command line's, a teacher's examples), which
    every desk shares."""
    root = str(runs.runs_root())
    found = _listing(root, runs.listing_stamp(root))
    return found if desk is None else [run for run in found if run.owner in (desk, None)]


def trained_runs_of(desk: str | None = None) -> dict[str, str | None]:
    """{run id: its desk} of the runs with a trained model (only `desk`'s and no
    desk's when given), newest first."""
    return {run.id: run.owner for run in listed_runs(desk) if run.has_model}
