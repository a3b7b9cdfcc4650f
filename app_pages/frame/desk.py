"""Who this browser is: its desk (classroom mode) and whether it is the teacher's.

Solo (no `CNNVIZ_CLASS_CODE`): one learner, no desk to name, and the learner is in
charge (lesson answers, every control). Classroom: a desk is whoever holds its key, a
cookie only the app's own route can set (`app_pages.server.cookies`) and no script of
the page can read; the teacher is whoever holds a teacher token, set the same way. The
router calls `verify_identity()` at the start of every run: the cookies are checked
against the runs folder (`cnnviz.desks`, `cnnviz.teacher`: every replica on the folder
agrees), so a reset desk, a forged or another server's cookie is nobody. The URL names
no desk: `?desk=NAME` is only a label (`read_desk`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import streamlit as st

from app_pages.frame.feedback import notify, plain
from app_pages.frame.state import EVERYONE
from cnnviz.desks import DESK_COOKIE, desk_of
from cnnviz.settings import settings
from cnnviz.teacher import TEACHER_COOKIE, is_teacher

DESK = "cnnviz_desk"  # session state: the verified desk of this run, or absent
TEACHER = "cnnviz_teacher"  # session state: this browser holds a teacher token


def browser_cookies() -> Mapping[str, str]:
    """The cookies the browser sent when it opened this session (`st.context.cookies`)."""
    return st.context.cookies


def verify_identity() -> None:
    """Check this browser's desk and teacher cookies (the router, every run)."""
    state = st.session_state
    if not settings().classroom:
        state.pop(DESK, None)
        state.pop(TEACHER, None)
        return
    cookies = browser_cookies()
    desk = desk_of(cookies.get(DESK_COOKIE))
    if desk is None:
        state.pop(DESK, None)
    else:
        state[DESK] = desk
    state[TEACHER] = is_teacher(cookies.get(TEACHER_COOKIE))


def current_desk() -> str | None:
    """This browser's verified desk; None solo (one learner) or before it has joined."""
    return st.session_state.get(DESK) if settings().classroom else None


def teacher() -> bool:
    """Whether this browser may act as the teacher: solo always (the learner is in
    charge), in a classroom only with a valid teacher token."""
    return not settings().classroom or bool(st.session_state.get(TEACHER))


def viewer():
    """Who looks, for the engine's image checks (`cnnviz.viewers`): None for a learner
    alone or the teacher (the server's own trust, like the command line), else the desk."""
    from cnnviz.viewers import Viewer

    return None if teacher() else Viewer(current_desk())


def classroom_without_desk() -> bool:
    """A classroom browser that has not joined yet (nor signed in as the teacher)."""
    return settings().classroom and current_desk() is None and not teacher()


def go_to(url: str) -> None:
    """Send the browser to `url` (a path of this app) at once."""
    st.html(
        f"<script>window.location.assign({json.dumps(url)});</script>",
        unsafe_allow_javascript=True,
    )


def read_desk(value: str, url: dict) -> None:
    """`?desk=NAME` (an old link, or one typed): a label, never an identity. Another
    desk's name opens everyone's runs, to look at."""
    if settings().classroom and value != current_desk():
        st.session_state[EVERYONE] = True
        notify(
            "info",
            f"The address names desk {plain(value[:40])}: a link cannot make you another "
            "desk, so everyone's runs are shown, to look at.",
        )
    return None


def write_desk() -> None:
    """The URL names no desk."""
    return None
