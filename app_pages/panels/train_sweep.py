"""Train's **Try several settings**: one or two settings, their values and repeats; **Start
sweep** trains every combination one run after another in the desk's own queue (the next
when the one before has ended, `app_pages.server.sweeps`), each run shown live as any
training; then one click opens its runs in Compare, grouped by the varied setting."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.desk import current_desk
from app_pages.frame.feedback import plain, show_error
from app_pages.panels.compare_groups import setting_words
from app_pages.panels.compare_pick import PENDING
from app_pages.panels.sweep_form import form_sweep, sweep_inputs
from app_pages.server.listing import listed_runs
from app_pages.server.sweeps import desk_sweep, start_sweep
from app_pages.session.requests import sweep_requests
from cnnviz.errors import CnnvizError
from cnnviz.events import ACTIVE

PREFIX = "train_sweep"  # the form's widget keys
WAIT_POLL = 1.0  # seconds between looks for the sweep's next run


def _start(runner, dataset) -> None:
    from cnnviz.spec import ModelSpec

    state = st.session_state
    try:
        sweep = form_sweep(PREFIX, ModelSpec.from_dict(state.cnnviz_spec))
        base, _ = sweep_requests(sweep, dataset)  # every run checked before the first
        queue = start_sweep(runner, sweep, base)
        state.train_job = state.train_shown = queue.current
        state.train_sweep_error = None
    except CnnvizError as err:
        state.train_sweep_error = str(err)


def _compare(ids: list[str]) -> None:
    st.session_state[PENDING] = ids
    st.session_state.cnnviz_goto = "compare"


def _between_runs(runner, queue) -> bool:
    """Whether the sweep goes on but its next run is not submitted yet."""
    try:
        ended = runner.status(queue.current)["status"] not in ACTIVE
    except CnnvizError:  # forgotten by the runner: long ended
        ended = True
    return queue.active and ended


def _wait_for_next(runner, queue) -> None:
    if not _between_runs(runner, queue):
        st.rerun(scope="app")  # the next run is there (or the sweep ended): show it


def _running(runner, queue) -> None:
    st.info(
        f"Sweep {plain(queue.sweep.describe())}. Run {len(queue.jobs)} of {queue.sweep.size}, "
        f"{plain(queue.slots[-1].describe())}, is in your queue; the next starts when it ends.",
        icon=":material/tune:",
    )
    st.button("Stop sweep", key="train_sweep_stop", on_click=queue.stop)
    if _between_runs(runner, queue):
        st.fragment(_wait_for_next, run_every=WAIT_POLL)(runner, queue)


def sweep_panel(runner, dataset, busy: bool) -> None:
    """The expander: the sweep's inputs and **Start sweep** (disabled while the desk
    trains), or the running sweep and **Stop sweep**; then its runs in Compare."""
    from cnnviz.spec import ModelSpec

    queue = desk_sweep(current_desk())
    running = queue is not None and queue.active
    with st.expander("Try several settings", expanded=queue is not None, icon=":material/tune:"):
        if running:
            _running(runner, queue)
        else:
            st.caption(
                "Train this model once for each value of one or two settings, one run after "
                "another in your queue; Compare then shows the runs grouped by the setting."
            )
            try:
                sweep_inputs(PREFIX, ModelSpec.from_dict(st.session_state.cnnviz_spec))
            except CnnvizError as err:
                show_error(f"The model cannot be read: {err}. Fix it on Build.")
            st.button(
                "Start sweep",
                key="train_sweep_start",
                disabled=busy,
                help="Your desk trains one model at a time: wait for it to end." if busy else None,
                on_click=_start,
                args=(runner, dataset),
            )
            if queue is not None:
                st.caption(f"Your last sweep: {plain(queue.message)}.")
        if st.session_state.get("train_sweep_error"):
            show_error(st.session_state.train_sweep_error)
        if queue is not None:
            from cnnviz.grouping import experiment_runs

            runs = experiment_runs(listed_runs(current_desk()), queue.sweep.id)
            have_model = {run.id for run in runs if run.has_model}
            # newest first, as the queue sent them (run ids sort only to the second)
            trained = [job for job in reversed(queue.jobs) if job in have_model]
            if len(trained) >= 2:  # three or more are grouped; two side by side
                words = plain(setting_words(queue.sweep.settings[0]))
                grouped = f", grouped by {words}" if len(trained) > 2 else ", side by side"
                st.button(
                    f"Compare its {len(trained)} trained runs{grouped}",
                    key="train_sweep_compare",
                    on_click=_compare,
                    args=(trained,),
                    icon=":material/compare_arrows:",
                )
