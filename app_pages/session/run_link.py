"""`?run=RUN_ID`: a link that opens one trained run in Inspect, read-only."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.desk import current_desk
from app_pages.frame.feedback import notify, plain
from app_pages.frame.state import EVERYONE
from app_pages.server.listing import trained_runs_of
from app_pages.server.runs import run_rows


def open_run(run_id: str, url: dict) -> str | None:
    """Make the linked run the current run and show it in Inspect (read-only)."""
    owners = trained_runs_of()
    if run_id in owners:
        st.session_state.cnnviz_run = run_id
        if owners[run_id] not in (None, current_desk()):  # another desk's: show everyone's
            st.session_state[EVERYONE] = True
        notify("info", f"Showing run **{plain(run_id)}** from the link (read-only).")
        return "inspect"
    row = next((r for r in run_rows() if r["run"] == run_id), None)
    why = f"has no trained model yet (it is {row['status']})" if row else "does not exist here"
    notify("error", f"The linked run {plain(run_id[:80])} {why}. Train lists the runs there are.")
    return None
