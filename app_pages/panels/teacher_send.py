"""**Send to every desk**: the teacher's current experiment, or a lesson. Each desk takes
it at its next page change, never under a running job (`app_pages.session.sent`)."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.feedback import plain, show_error
from app_pages.server.datasets import dataset_label
from app_pages.server.lessons import shelf
from app_pages.session.links import experiment_token, session_experiment
from cnnviz.class_send import send_to_desks
from cnnviz.classstate import read_class_state
from cnnviz.errors import CnnvizError

WHAT = ("My current experiment", "A lesson")


def _send() -> None:
    state = st.session_state
    try:
        if state.class_send_what == WHAT[0]:
            send_to_desks(experiment=experiment_token(always=True))
        else:
            send_to_desks(lesson=state.class_send_lesson)
        state.class_send_error = None
        state.class_sent_note = True
    except CnnvizError as err:
        state.class_send_error = str(err)


def send_panel() -> None:
    """What to send, the button, and what was sent last."""
    what = st.radio("Send", WHAT, key="class_send_what", horizontal=True)
    if what == WHAT[0]:
        experiment = session_experiment()
        if experiment is not None:
            shown = experiment.describe(dataset=dataset_label(experiment.dataset))
            st.caption(f"Your experiment: {plain(shown)} (set it on Data, Build and Train).")
    else:
        lessons = {lesson.id: lesson.title for lesson in shelf()[0]}
        st.selectbox("Lesson", list(lessons), format_func=lessons.get, key="class_send_lesson")
    st.button("Send to every desk", key="class_send", type="primary", on_click=_send)
    if st.session_state.get("class_send_error"):
        show_error(st.session_state.class_send_error)
    sent = read_class_state().sent
    if st.session_state.pop("class_sent_note", False) and sent is not None:
        st.success(
            "Sent. Each desk gets it at its next page change (a desk that is training "
            "gets it once its training has ended)."
        )
