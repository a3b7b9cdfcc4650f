"""Opening a lesson: its experiment loaded into the session, its first step shown.

The Lessons page's Start button and a `?lesson=ID` link (read here for
`app_pages.session.url`) both come here; following it is `app_pages.session.lesson`'s.
"""

from __future__ import annotations

import streamlit as st

from app_pages.frame.feedback import notify, plain
from app_pages.session.lesson import active_lesson, go_to_step
from app_pages.session.links import apply_experiment
from cnnviz.errors import CnnvizError


def start_lesson(lesson_id: str) -> list[str]:
    """Follow a lesson from its first step, with its experiment loaded; returns notes.

    Raises:
        CnnvizError: no such lesson, or its file does not check.
    """
    from cnnviz.lessons import get_lesson

    lesson = get_lesson(lesson_id)
    state = st.session_state
    state.cnnviz_lesson, state.cnnviz_lesson_step, state.lesson_revealed = lesson.id, 0, False
    return apply_experiment(lesson.experiment)


def on_start(lesson_id: str) -> None:
    """The Lessons page's Start button: open the lesson at its first step's page."""
    try:
        notes = start_lesson(lesson_id)
    except CnnvizError as err:
        notify("error", plain(err))
        return
    for note in notes:
        notify("warning", note)
    go_to_step(0)


def read_lesson(value: str, url: dict) -> str | None:
    """`?lesson=ID`: follow it. A shared link (no `step` yet) opens the Lessons page."""
    try:
        notes = start_lesson(value)
    except CnnvizError as err:
        notify("error", f"This link's lesson cannot be opened: {plain(err)}")
        return None
    notify("success", f"Opened the lesson **{plain(active_lesson().title)}**.")
    for note in notes:
        notify("warning", note)
    return None if "step" in url else "lessons"
