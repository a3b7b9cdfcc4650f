"""Following a lesson (`cnnviz.lessons`): the one followed, its steps.

The session follows at most one lesson: `cnnviz_lesson` (its id) and `cnnviz_lesson_step`
(0-based), both kept in the URL (`?lesson=ID&step=N`, written here for
`app_pages.session.url`). `app_pages.session.controls` asks it which controls are locked
or hidden; `app_pages.session.lesson_open` opens one (with its experiment);
`app_pages.panels.lesson_card` draws its steps.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app_pages.server.lessons import shelf

PAGES_DIR = Path(__file__).resolve().parents[1]  # app_pages/: the pages


def active_lesson():
    """The lesson the session follows, or None."""
    lesson_id = st.session_state.get("cnnviz_lesson")
    return next((x for x in shelf()[0] if x.id == lesson_id), None) if lesson_id else None


def page_of(step) -> str | None:
    """The app page of a step (its url path), when the app has that page."""
    return step.page if step.page and (PAGES_DIR / f"{step.page}.py").exists() else None


def go_to_step(index: int) -> None:
    """Show step `index` (a callback): on its own page when it names one."""
    lesson = active_lesson()
    if lesson is None:
        return
    state = st.session_state
    state.cnnviz_lesson_step = index = min(max(index, 0), len(lesson.steps) - 1)
    state.lesson_revealed = False
    state.cnnviz_goto = page_of(lesson.steps[index]) or state.get("cnnviz_goto")


def end_lesson() -> None:
    st.session_state.cnnviz_lesson, st.session_state.cnnviz_lesson_step = None, 0


def read_step(value: str, url: dict) -> None:
    lesson = active_lesson()
    if lesson is not None and value.isdigit():
        st.session_state.cnnviz_lesson_step = min(max(int(value) - 1, 0), len(lesson.steps) - 1)


def write_lesson() -> str | None:
    return st.session_state.get("cnnviz_lesson") if active_lesson() else None


def write_step() -> str | None:
    return str(st.session_state.cnnviz_lesson_step + 1) if active_lesson() else None
