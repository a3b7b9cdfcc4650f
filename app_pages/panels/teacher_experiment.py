"""The teacher's class experiment: a question, one or two settings to vary over the
teacher's current experiment, their values and repeats; **Start class experiment** keeps
it for every replica (`cnnviz.class_experiment`), and each desk takes one combination at
its next page change (`app_pages.session.class_task`); **End class experiment** stops
handing them out (the answer stays on the page)."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.feedback import plain, show_error
from app_pages.panels.classroom import HIDDEN
from app_pages.panels.sweep_form import form_sweep, sweep_inputs
from app_pages.server.datasets import dataset_label
from app_pages.session.dataset import current_dataset
from app_pages.session.links import experiment_token, session_experiment
from app_pages.session.requests import sweep_requests
from cnnviz.class_experiment import end_class_experiment, opened, start_class_experiment
from cnnviz.classstate import read_class_state
from cnnviz.errors import CnnvizError

PREFIX = "class_exp"  # the form's widget keys


def _start() -> None:
    state = st.session_state
    try:
        experiment = session_experiment()
        if experiment is None:
            raise CnnvizError("your model cannot be read: fix it on Build first")
        sweep = form_sweep(PREFIX, experiment.spec)
        sweep_requests(sweep, current_dataset())  # every combination trains on the data
        start_class_experiment(sweep, experiment_token(always=True))
        state.class_exp_error = None
    except CnnvizError as err:
        state.class_exp_error = str(err)


def _end() -> None:
    try:
        end_class_experiment()
        st.session_state.class_exp_error = None
    except CnnvizError as err:
        st.session_state.class_exp_error = str(err)


def _assigned(experiment, hide_names: bool) -> list[dict[str, str]]:
    """Which desk tries which combination, in the order they took them."""
    from cnnviz.sweep_desks import assign

    sweep, _ = opened(experiment)
    return [
        {
            "desk": HIDDEN if hide_names else plain(desk),
            "combination": plain(slot.describe()),
            "repeat": str(slot.repeat + 1),
        }
        for desk, slot in assign(sweep, experiment.desks).items()
    ]


def experiment_panel() -> None:
    """The open class experiment and **End class experiment**; else the form and
    **Start class experiment**."""
    state = read_class_state()
    now = state.experiment
    if now is not None and now.open:
        try:
            sweep, _ = opened(now)
            rows = _assigned(now, state.hide_names)
        except CnnvizError as err:
            show_error(err)
            rows, sweep = [], None
        if sweep is not None:
            asked = f" {plain(sweep.question)}" if sweep.question else ""
            st.success(
                f"Running:{asked} ({plain(sweep.describe())}). {len(rows)} desks have a "
                "combination; each desk that opens a page gets the next one.",
                icon=":material/science:",
            )
        if rows:
            st.table(rows, hide_index=True)
        st.button("End class experiment", key="class_exp_end", on_click=_end)
    else:
        experiment = session_experiment()
        if experiment is None:
            st.warning("Your model cannot be read: fix it on Build first.")
        else:
            shown = experiment.describe(dataset=dataset_label(experiment.dataset))
            st.caption(
                f"Over your experiment: {plain(shown)} (set it on Data, Build and Train). "
                "Each desk is given one combination, in turn; desks that join late too."
            )
            sweep_inputs(PREFIX, experiment.spec)
        st.button(
            "Start class experiment",
            key="class_exp_start",
            type="primary",
            on_click=_start,
            disabled=experiment is None,
        )
    if st.session_state.get("class_exp_error"):
        show_error(st.session_state.class_exp_error)
