"""Train's card for a desk's combination of the class experiment: what to press while
the session still tries it, where its run is once started, and one click to open the
combination again when the session no longer tries it."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.desk import current_desk
from app_pages.frame.feedback import plain
from app_pages.server.listing import listed_runs
from app_pages.session.class_task import current_task, keeps_task, open_task, task_notice
from app_pages.session.links import session_experiment

ICON = ":material/science:"


def _done(task) -> None:
    """The desk's runs of its combination: one done sends the learner to the answer."""
    from cnnviz.grouping import experiment_runs

    runs = experiment_runs(listed_runs(current_desk()), task["id"])
    if any(run.test_accuracy is not None for run in runs):
        st.success(
            f"You tried {plain(task['text'])} for your teacher's experiment: its answer "
            "is on the Class page, with every desk's.",
            icon=ICON,
        )
        st.page_link("app_pages/class_.py", label="See the answer", icon=":material/groups:")
    else:
        st.info(task_notice(task), icon=ICON)


def task_card() -> None:
    """The desk's combination, while its class experiment is open."""
    task = current_task()
    experiment = session_experiment() if task is not None else None
    if experiment is None:
        return
    use = st.session_state.get("train_use_augment", True) and not experiment.augment.is_identity
    source = {
        "training": experiment.training.to_dict(),
        "augment": experiment.augment.to_dict() if use else None,
    }
    if keeps_task(task, source, experiment.spec):
        _done(task)
        return
    st.warning(
        f"Your teacher's experiment gave you {plain(task['text'])}, and your settings differ "
        "now: a run with them is not part of it.",
        icon=ICON,
    )
    st.button("Use my combination again", key="train_task_open", on_click=open_task, args=(task,))
