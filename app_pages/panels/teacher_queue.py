"""The teacher's hold on the queue: **Pause queue** / **Resume queue** (every replica on
the runs folder obeys) and **Stop** on every running or queued job."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.feedback import show_error
from app_pages.panels.classroom import queue_rows
from cnnviz.classstate import read_class_state, update_class_state
from cnnviz.errors import CnnvizError


def _paused(value: bool) -> None:
    try:
        update_class_state(paused=value)
    except CnnvizError as err:
        st.session_state.class_error = str(err)


def _stop(runner, job_id: str) -> None:
    try:
        runner.stop(job_id)  # the teacher may stop any desk's job
    except CnnvizError as err:
        st.session_state.class_error = str(err)


def pause_switch() -> None:
    """Pause queue / Resume queue, and what it means now."""
    if read_class_state().paused:
        st.warning("The queue is paused: no new training starts; running ones go on.")
        st.button("Resume queue", key="class_resume", on_click=_paused, args=(False,))
    else:
        st.button("Pause queue", key="class_pause", on_click=_paused, args=(True,))


def queue_with_stops(runner, queue: list, runs: dict, *, hide_names: bool) -> None:
    """The queue as rows, each with its **Stop** button."""
    widths = [3, 3, 3, 4, 3, 2]
    heads = st.columns(widths)
    for column, name in zip(heads, ("desk", "model", "dataset", "now", "when", "")):
        column.markdown(f"**{name}**" if name else "")
    for status, row in zip(queue, queue_rows(queue, runs, hide_names=hide_names)):
        cells = st.columns(widths, vertical_alignment="center")
        for column, key in zip(cells, ("desk", "model", "dataset", "now", "when")):
            column.markdown(row[key] or " ")
        cells[5].button(
            "Stop",
            icon=":material/stop_circle:",
            width="stretch",
            key=f"class_stop_{status['job_id']}",
            on_click=_stop,
            args=(runner, status["job_id"]),
            help=f"Stop the job of desk {row['desk']} after its current batch; it keeps "
            "what it learned.",
        )
    if st.session_state.get("class_error"):
        show_error(st.session_state.pop("class_error"))
