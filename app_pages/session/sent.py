"""What the teacher sent to every desk (`cnnviz.classstate`: an experiment or a lesson),
taken by each desk once, at its next page change, and never under a running job (the
desk's training keeps the settings it started with; the send waits for the next page
change after it has ended)."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.desk import current_desk
from app_pages.frame.feedback import notify, plain
from app_pages.server.datasets import dataset_label
from app_pages.server.runner import job_runner
from app_pages.session.lesson_open import start_lesson
from app_pages.session.links import apply_experiment
from cnnviz.errors import CnnvizError


def take_teacher_send(arrived: bool) -> None:
    """On arriving at a page: apply what the teacher sent since this desk last looked."""
    from cnnviz.class_send import take_sent
    from cnnviz.links import decode

    desk = current_desk()
    if not arrived or desk is None or job_runner().active_job(desk) is not None:
        return
    try:
        sent = take_sent(desk)
        if sent is None:
            return
        if sent.experiment is not None:
            experiment = decode(sent.experiment)
            notes = apply_experiment(experiment)
            shown = experiment.describe(dataset=dataset_label(experiment.dataset))
            notify("success", f"Your teacher sent an experiment: {plain(shown)}.")
        else:
            notes = start_lesson(sent.lesson)
            st.session_state.cnnviz_goto = "lessons"
            notify("success", f"Your teacher sent the lesson {plain(sent.lesson)}.")
    except CnnvizError as err:
        notify("error", f"What your teacher sent cannot be opened here: {plain(err)}")
        return
    for note in notes:
        notify("warning", note)
