"""Compare: two tries side by side, what was changed between them and what it changed;
or up to ten, their settings, curves and classes, grouped by a setting."""

import streamlit as st

from app_pages.frame.state import init_state
from app_pages.panels.compare_many import show_many
from app_pages.panels.compare_pair import show_pair
from app_pages.panels.compare_pick import pick_pair, pick_runs

init_state()
st.title("Compare")
st.caption(
    "Two tries side by side: the curves, the settings and layers you changed, and what "
    "that changed on the same test images. Three to ten (a sweep's runs): their settings, "
    "curves and classes, grouped by a setting."
)

choice = pick_runs()
if choice is None:
    st.stop()
if len(choice.picked) == 2:
    pair = pick_pair(choice)
    if pair is None:
        st.stop()
    show_pair(*pair)
else:
    show_many(choice.picked, choice.label)
