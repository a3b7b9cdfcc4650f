"""The runs on disk, read once per change for the whole server.

Streamlit-side only. Every run list of the app (Train's table, the run pickers, the
Class page) starts from `listed_runs()`: `cnnviz.runs.list_runs`, cached for every
session (`st.cache_resource`) and read again when a run folder appears, goes, or has its
status or config rewritten (their modification times are the cache key; a training
rewrites status.json every epoch), and at least once a minute. Reading 100 run folders
costs ~0.1 s; the times cost ~1 ms. Callers must not change the `Run`s they get.
"""

from __future__ import annotations

import os

import streamlit as st

from cnnviz.rundir import CONFIG_FILE, STATUS_FILE, runs_root


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
    from cnnviz.runs import list_runs

    return list_runs(root)


def listed_runs(desk: str | None = None) -> list:
    """Every readable run (`cnnviz.runs.Run`), newest first. With `desk`: that desk's
    runs and the runs of no desk (the command line's, a teacher's examples), which
    every desk shares."""
    root = str(runs_root())
    runs = _listing(root, _stamps(root))
    return runs if desk is None else [run for run in runs if run.owner in (desk, None)]
