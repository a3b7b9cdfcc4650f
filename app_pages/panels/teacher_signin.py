"""The teacher signs in on the Class page: **Teacher code**, **Sign in**.

The code is checked by `cnnviz.teacher.sign_in_teacher` (wrong codes make the next try
wait longer); a right code gives a token that reaches the browser as a cookie only the
app's own route sets, never the code itself, and never in an address.
"""

from __future__ import annotations

import streamlit as st

from app_pages.frame.desk import current_desk, go_to
from app_pages.frame.feedback import show_error
from app_pages.server.cookies import SIGN_OUT_PATH, ticket_url
from cnnviz.errors import CnnvizError
from cnnviz.teacher import TEACHER_COOKIE, sign_in_teacher

GOING = "teacher_going"


def _sign_in() -> None:
    state = st.session_state
    desk = current_desk()  # a desk's wrong codes slow down that desk, not the teacher
    client = f"desk {desk}" if desk else (st.context.ip_address or "this computer")
    try:
        token = sign_in_teacher(state.get("class_teacher_code", ""), client=client)
    except CnnvizError as err:
        state.teacher_error = str(err)
        return
    finally:
        state.class_teacher_code = ""  # the code never stays in the session
    state.teacher_error = None
    state[GOING] = ticket_url(TEACHER_COOKIE, token, "/class")


def teacher_sign_in() -> None:
    """The sign-in form, in an expander (the projected page stays clean)."""
    if st.session_state.get(GOING):
        st.info("Signing in...")
        go_to(st.session_state.pop(GOING))
        return
    with st.expander("Teacher: sign in", icon=":material/key:"):
        with st.form("teacher_form", border=False):
            st.text_input("Teacher code", type="password", key="class_teacher_code")
            st.form_submit_button("Sign in", on_click=_sign_in)
        if st.session_state.get("teacher_error"):
            show_error(st.session_state.teacher_error)


def sign_out_link() -> None:
    """The teacher's **Sign out** (the route ends the token on every replica)."""
    st.link_button("Sign out", SIGN_OUT_PATH, icon=":material/logout:")
