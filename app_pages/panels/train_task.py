"""Train's card for a desk's combination of the class experiment: what to press while
the session still tries it, and one click to open it again when it does not."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.feedback import plain
from app_pages.session.class_task import current_task, keeps_task, open_task, task_notice
from app_pages.session.links import session_experiment


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
        st.info(task_notice(task), icon=":material/science:")
        return
    st.warning(
        f"Your teacher's experiment gave you {plain(task['text'])}, and your settings differ "
        "now: a run with them is not part of it.",
        icon=":material/science:",
    )
    st.button("Use my combination again", key="train_task_open", on_click=open_task, args=(task,))
