"""**Delete run**: a desk deletes its own runs (a learner alone or the teacher, any), after
saying so once more; a run still training is stopped first (the engine refuses)."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.desk import current_desk, teacher
from app_pages.frame.feedback import notify, plain, show_error
from cnnviz import runs
from cnnviz.errors import CnnvizError


def _delete(run_id: str, key: str) -> None:
    owner = None if teacher() else current_desk()
    try:
        runs.delete_run(run_id, owner=owner)
        notify("success", f"Deleted run {plain(run_id)}.")  # shown above the page
        if st.session_state.get("cnnviz_run") == run_id:
            st.session_state.cnnviz_run = None
    except CnnvizError as err:
        st.session_state[f"{key}_error"] = str(err)


def delete_run_button(run, *, key: str) -> None:
    """A Delete run control for `run` (`cnnviz.runs.Run`) when this session may delete
    it: the desk's own, or any for a learner alone or the teacher."""
    if not (teacher() or (run.owner is not None and run.owner == current_desk())):
        return
    with st.popover("Delete run", icon=":material/delete:"):
        st.markdown(
            f"Delete run **{plain(run.id)}** and everything it learned? It cannot be undone."
        )
        st.button("Delete", key=key, type="primary", on_click=_delete, args=(run.id, key))
    if st.session_state.get(f"{key}_error"):
        show_error(st.session_state.pop(f"{key}_error"))
