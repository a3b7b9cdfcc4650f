"""Joining a class: the class code and a short desk name, then this laptop is that desk.

The first laptop to claim a name gets its key (`cnnviz.desks.join`); the key reaches
the browser as a cookie only the app's own route sets (`app_pages.server.cookies`), so
the page sends the browser there once and it comes back as the desk.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlparse

import streamlit as st

from app_pages.frame.desk import go_to
from app_pages.frame.feedback import show_error
from app_pages.server.cookies import ticket_url
from cnnviz.desks import DESK_COOKIE, join
from cnnviz.errors import CnnvizError

GOING = "join_going"  # session state: where to send the browser for its cookie


def here() -> str:
    """This page's path and query, to come back to."""
    path = urlparse(st.context.url or "/").path or "/"
    query = urlencode(st.query_params.to_dict())
    return f"{path}?{query}" if query else path


def _join() -> None:
    state = st.session_state
    try:
        key = join(state.get("join_code", ""), state.get("join_name", ""))
    except CnnvizError as err:
        state.join_error = str(err)
        return
    state.join_error = None
    state[GOING] = ticket_url(DESK_COOKIE, key.cookie, here())


def join_form() -> None:
    """The welcome form of a classroom: **Class code**, **Desk name**, **Join**."""
    if st.session_state.get(GOING):
        st.info("Joining your class...")
        go_to(st.session_state.pop(GOING))
        return
    st.title("Welcome to cnnviz")
    st.markdown(
        "Type the **class code** your teacher shows and a short name for your desk "
        "(for example your first name, or the names of the two of you at this laptop). "
        "Your trainings and runs are kept under it; this laptop stays that desk."
    )
    with st.form("join_form", border=True):
        st.text_input("Class code", max_chars=64, key="join_code")
        st.text_input("Desk name", max_chars=32, placeholder="e.g. ada", key="join_name")
        st.form_submit_button("Join", type="primary", on_click=_join)
    if st.session_state.get("join_error"):
        show_error(st.session_state.join_error)
    st.page_link("app_pages/class_.py", label="Teacher? Sign in on the Class page")
