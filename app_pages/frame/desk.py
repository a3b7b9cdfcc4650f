"""The desk a browser session belongs to: `?desk=NAME` in the URL, asked for once.

On a classroom server every session belongs to a desk (a student, or a pair at one
laptop): a desk sees, follows and stops only its own jobs, its run lists show its own
runs first, and its uploads are its own. Session state (`cnnviz_desk`) is the truth; the
URL mirrors it, so a refresh (a new session) finds the desk again. The router calls:

- `adopt_url_desk()` before `st.navigation` (a link or a refresh names the desk, so the
  sidebar is drawn for it);
- `desk_gate()` after `sync_url`: a newcomer without a desk is asked for a short name,
  or takes a generated one, and no page runs until it has one.

`read_desk(value, url)` and `write_desk()` are the desk as one key of `app_pages.session.url`
(the value read in, the value to write out): the URL keeps `?desk=` like every other
parameter.
"""

from __future__ import annotations

import secrets

import streamlit as st

from app_pages.frame.feedback import show_error
from cnnviz import checks
from cnnviz.errors import CnnvizError

DESK = "cnnviz_desk"  # session state: this session's desk name, or absent
ADJECTIVES = ("amber", "blue", "coral", "green", "indigo", "lime", "olive", "plum", "teal")
ANIMALS = ("heron", "lynx", "otter", "panda", "robin", "seal", "tiger", "wren", "yak")


def current_desk() -> str | None:
    """This session's desk, or None (a page run on its own, as in tests, has none)."""
    return st.session_state.get(DESK)


def set_desk(value: str) -> str:
    """Make `value` (slugged: "Alice Smith" -> "alice-smith") this session's desk; the
    current run becomes the desk's newest trained one (else the newest of no desk).

    Raises:
        CnnvizError: not a usable short name (the message says what is).
    """
    from cnnviz.runs import trained_runs

    name = checks.desk_name(value)
    state = st.session_state
    state[DESK] = name
    try:
        runs = trained_runs()
    except CnnvizError:  # the runs folder is a file: the sidebar says so, the desk works
        runs = []
    mine = [run.id for run in runs if run.owner == name] or [r.id for r in runs if not r.owner]
    state.cnnviz_run = next(iter(mine), None)
    state.pop("desk_error", None)
    return name


def read_desk(value: str, url: dict | None = None) -> None:
    """URL -> state: the desk a link or a refresh names (a bad name is refused at the
    gate, with the reason). Returns None: the desk opens no page of its own."""
    if value == current_desk():
        return None  # already this desk (adopted before the navigation was drawn)
    try:
        set_desk(value)
    except CnnvizError as err:
        st.session_state.desk_error = f"The link's desk name cannot be used: {err}"
    return None


def write_desk() -> str | None:
    """State -> URL: the value `?desk=` should hold (None: no desk yet)."""
    return current_desk()


def adopt_url_desk() -> None:
    """Read `?desk=` before the navigation is drawn: a new session (a refresh, a shared
    link) or the browser's back and forward buttons naming another desk."""
    value = st.query_params.get("desk")
    if value and value != st.session_state.get("cnnviz_url", {}).get("desk"):
        read_desk(value)


def suggest_desk(taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A short generated name, e.g. "teal-otter-42", not one of `taken`."""
    while True:
        name = "-".join(
            (secrets.choice(ADJECTIVES), secrets.choice(ANIMALS), f"{secrets.randbelow(100):02d}")
        )
        if name not in taken:
            return name


def _desks_with_runs() -> set[str]:
    from cnnviz.runs import list_runs

    return {run.owner for run in list_runs() if run.owner}


def _take_typed() -> None:
    try:
        set_desk(st.session_state.get("desk_name") or "")
    except CnnvizError as err:
        st.session_state.desk_error = str(err)


def _take_generated() -> None:
    set_desk(suggest_desk(_desks_with_runs()))


def desk_gate() -> bool:
    """True when the session has a desk. Otherwise draws the welcome form (a short name,
    or "Give me a name") and returns False: the router stops before the page."""
    if current_desk():
        return True
    st.title("Welcome to cnnviz")
    st.markdown(
        "Choose a short name for your desk. Your trainings and runs are kept under it, "
        "and the address keeps it, so a refresh brings you back to your own work."
    )
    with st.form("desk_form", border=True):
        st.text_input(
            "Your desk's short name", max_chars=32, placeholder="e.g. ada", key="desk_name"
        )
        typed, generated = st.columns(2)
        typed.form_submit_button("Start", type="primary", on_click=_take_typed, width="stretch")
        generated.form_submit_button("Give me a name", on_click=_take_generated, width="stretch")
    if st.session_state.get("desk_error"):
        show_error(st.session_state.desk_error)
    return False
