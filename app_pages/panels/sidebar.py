"""The sidebar under the page list: who this is, what the learner chose (as text, never
as Markdown), the projector switch, and a warning when nothing can be saved."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.desk import current_desk, teacher
from app_pages.frame.feedback import plain, runs_folder_warning
from app_pages.frame.projector import projector_switch
from app_pages.server.datasets import dataset_label
from cnnviz.settings import settings


def sidebar() -> None:
    """The session's choices in the sidebar."""
    with st.sidebar:
        st.markdown("### cnnviz")
        if settings().classroom:
            desk = current_desk()
            who = f"desk {plain(desk)}" if desk else "no desk"
            st.markdown(f"**You are:** {who}" + (" · teacher" if teacher() else ""))
        size = st.session_state.cnnviz_image_size
        resized = f" at {size[0]} × {size[1]}" if size else ""
        dataset = plain(dataset_label(st.session_state.cnnviz_dataset))
        st.markdown(f"**Dataset:** {dataset}{resized}")
        spec = st.session_state.cnnviz_spec
        name, count = plain(spec.get("name", "model")), len(spec.get("layers", []))
        st.markdown(f"**Model:** {name} ({count} layers)")
        run = st.session_state.cnnviz_run
        st.markdown(f"**Run:** {plain(run)}" if run else "**Run:** none yet")
        projector_switch()
        runs_folder_warning()
