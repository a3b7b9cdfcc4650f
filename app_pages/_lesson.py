"""Following a lesson (`cnnviz.lessons`): opening one, its steps, its locked controls.

The session follows at most one lesson: `cnnviz_lesson` (its id) and `cnnviz_lesson_step`
(0-based), both kept in the URL (`?lesson=ID&step=N`, read and written here for
`app_pages._url`). Opening one loads its experiment; `app_pages._controls` asks it which
controls are locked or hidden; `app_pages._lesson_card` draws its steps.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app_pages._feedback import notify, plain
from cnnviz.errors import CnnvizError

PAGES_DIR = Path(__file__).resolve().parent


def _signature(folder: Path) -> tuple:
    return tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.json")))


@st.cache_resource(max_entries=4, show_spinner=False)
def _shelf(folder: str, signature: tuple):
    from cnnviz.lessons import read_lessons

    return read_lessons(folder)


def shelf():
    """(the lessons that check, a message per lesson file that does not), read again
    whenever a file in the lessons folder changes."""
    from cnnviz.lessons import lessons_dir

    folder = lessons_dir()
    return _shelf(str(folder), _signature(folder) if folder.is_dir() else ())


def active_lesson():
    """The lesson the session follows, or None."""
    lesson_id = st.session_state.get("cnnviz_lesson")
    return next((x for x in shelf()[0] if x.id == lesson_id), None) if lesson_id else None


def page_of(step) -> str | None:
    """The app page of a step (its url path), when the app has that page."""
    return step.page if step.page and (PAGES_DIR / f"{step.page}.py").exists() else None


def start_lesson(lesson_id: str) -> list[str]:
    """Follow a lesson from its first step, with its experiment loaded; returns notes.

    Raises:
        CnnvizError: no such lesson, or its file does not check.
    """
    from app_pages._links import apply_experiment
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


def read_step(value: str, url: dict) -> None:
    lesson = active_lesson()
    if lesson is not None and value.isdigit():
        st.session_state.cnnviz_lesson_step = min(max(int(value) - 1, 0), len(lesson.steps) - 1)


def write_lesson() -> str | None:
    return st.session_state.get("cnnviz_lesson") if active_lesson() else None


def write_step() -> str | None:
    return str(st.session_state.cnnviz_lesson_step + 1) if active_lesson() else None
