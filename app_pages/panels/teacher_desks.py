"""The teacher's other controls: names on the projector, limits, desks, runs, results.

**Hide desk names** (the projected page then holds no desk name at all), a per-job time
limit and a per-desk disk quota (every replica reads them from the runs folder),
**Reset desk** (frees a name for a new laptop; its runs stay), **Delete run**, and
**Download results (CSV)** (the same as `python -m cnnviz results --csv`).
"""

from __future__ import annotations

import streamlit as st

from app_pages.frame.feedback import show_error
from app_pages.server.listing import listed_runs
from cnnviz import desks, runs
from cnnviz.class_send import forget_desk
from cnnviz.classstate import read_class_state, update_class_state
from cnnviz.errors import CnnvizError
from cnnviz.results import result_rows, results_csv


def _act(action, *args, **kwargs) -> None:
    try:
        action(*args, **kwargs)
        st.session_state.class_error = None
    except CnnvizError as err:
        st.session_state.class_error = str(err)


def _limits() -> None:
    state = st.session_state
    minutes, quota = state.class_job_minutes, state.class_desk_quota
    _act(
        update_class_state,
        hide_names=state.class_hide_names,
        job_minutes=minutes or None,
        desk_quota_mb=int(quota) or None,
    )


def _reset(name: str) -> None:
    _act(desks.reset_desk, name)
    forget_desk(name)


def class_settings() -> None:
    """Hide desk names, the time limit and the disk quota (0: the server's)."""
    now = read_class_state()
    st.session_state.class_hide_names = now.hide_names
    st.session_state.class_job_minutes = float(now.job_minutes or 0)
    st.session_state.class_desk_quota = int(now.desk_quota_mb or 0)
    names, minutes, quota = st.columns(3, vertical_alignment="bottom")
    names.toggle("Hide desk names", key="class_hide_names", on_change=_limits)
    minutes.number_input(
        "Time limit per job (minutes, 0: the server's)",
        0.0,
        600.0,
        step=1.0,
        key="class_job_minutes",
        on_change=_limits,
    )
    quota.number_input(
        "Disk quota per desk (MB, 0: the server's)",
        0,
        100_000,
        step=50,
        key="class_desk_quota",
        on_change=_limits,
    )


def desks_and_runs() -> None:
    """Reset desk, Delete run, and the results as CSV."""
    left, right = st.columns(2, gap="large")
    with left:
        _reset_desk()
    with right:
        _delete_run()
    st.download_button(
        "Download results (CSV)",
        lambda: results_csv(result_rows(listed_runs())),  # made when clicked
        file_name="cnnviz-results.csv",
        mime="text/csv",
        key="class_results",
        icon=":material/download:",
    )
    if st.session_state.get("class_error"):
        show_error(st.session_state.class_error)


def _reset_desk() -> None:
    claimed = list(desks.claimed_desks())
    hidden = read_class_state().hide_names  # the projected page names no desk
    numbered = {name: f"desk {i}" for i, name in enumerate(sorted(claimed), start=1)}
    desk, reset = st.columns([3, 2], vertical_alignment="bottom")
    chosen = desk.selectbox(
        "Desk",
        claimed,
        key="class_reset_pick",
        placeholder="no desk yet",
        format_func=numbered.get if hidden else str,
        help="With Hide desk names on, desks are numbered in the order of their names.",
    )
    reset.button(
        "Reset desk",
        key="class_reset",
        width="stretch",
        disabled=not claimed,
        on_click=_reset,
        args=(chosen,),
        help="Frees the name for a new laptop; its runs stay.",
    )


def _delete_run() -> None:
    found = [run.id for run in listed_runs()]
    run, delete = st.columns([3, 2], vertical_alignment="bottom")
    picked = run.selectbox("Run", found, key="class_delete_pick")
    delete.button(
        "Delete run",
        key="class_delete",
        width="stretch",
        disabled=not found,
        on_click=_act,
        args=(runs.delete_run, picked),
    )
