"""Projector mode: 130% type, thicker lines, high contrast, a colour-blind-safe palette.

A sidebar switch and `?projector=1` (kept in the URL by `app_pages.session.url`). Streamlit's
text is sized in rem, so one CSS rule on `html` scales it all by exactly 1.3; plotly
ignores CSS, so pages pass figures through `styled` (`cnnviz.figures.theme`); pictures
(the Concepts diagrams, dataset samples) are zoomed. Tables drawn on a canvas take the
type size once, when they first appear: flipping the switch reloads the page, so they
follow too.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import streamlit as st

from app_pages.frame.feedback import notify, plain

CSS = """<style>
html { font-size: 130% !important; }
[data-testid="stApp"], [data-testid="stMarkdownContainer"] { color: #000 !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {
  opacity: 1 !important; color: #222 !important; }
[data-testid="stWidgetLabel"] p { color: #000 !important; font-weight: 600; }
[data-testid="stImage"] img { zoom: 1.3; }
[data-testid="stNumberInputContainer"], [data-testid="stTextInputRootElement"],
[data-testid="stSelectbox"] [role="group"], [data-testid="stTextArea"] textarea {
  border: 2px solid #444 !important; }
[data-testid="stVerticalBlockBorderWrapper"], [data-testid="stExpander"] details {
  border: 2px solid #000 !important; }
[data-testid="stBaseButton-primary"] { background: #0072b2 !important;
  border-color: #0072b2 !important; color: #fff !important; }
[data-testid="stBaseButton-primary"] * { color: #fff !important; }
[data-testid="stBaseButton-secondary"] { border: 2px solid #000 !important; }
[data-testid="stMetricValue"] { color: #000 !important; }
</style>"""
ON = ("1", "true", "on", "yes")
OFF = ("0", "false", "off", "no")


def projector_on() -> bool:
    return bool(st.session_state.get("cnnviz_projector"))


def styled(figure):
    """The figure as the session shows it: restyled for a projector when that is on."""
    if not projector_on():
        return figure
    from cnnviz.figures.theme import for_projector

    return for_projector(figure)


def _switched() -> None:
    st.session_state.cnnviz_projector = st.session_state.sidebar_projector
    st.session_state.cnnviz_projector_reload = True


def projector_switch() -> None:
    """The sidebar switch (its own widget key, so no run can lose the session's choice)."""
    st.session_state.sidebar_projector = projector_on()
    st.toggle(
        "Projector mode",
        key="sidebar_projector",
        on_change=_switched,
        help="Larger type, thicker lines, high contrast, colour-blind-safe colours. "
        "The page reloads so that tables grow too; the address keeps the setting.",
    )


def projector_style(query: dict[str, str]) -> None:
    """The projector's CSS when it is on; after the switch flips, one reload of the page
    at `query` (the address the session has just written)."""
    if projector_on():
        st.html(CSS)
    if st.session_state.pop("cnnviz_projector_reload", False):
        target = json.dumps("?" + urlencode(query) if query else "")
        st.html(
            f"<script>window.location.replace(window.location.pathname + {target});</script>",
            unsafe_allow_javascript=True,
        )


def read_projector(value: str, url: dict) -> None:
    """`?projector=1` (or 0): the URL's choice for this session."""
    if value.lower() in ON + OFF:
        st.session_state.cnnviz_projector = value.lower() in ON
    else:
        notify("warning", f"projector={plain(value[:40])} is not understood: use 1 or 0.")


def write_projector() -> str | None:
    return "1" if projector_on() else None
