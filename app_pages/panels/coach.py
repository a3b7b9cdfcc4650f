"""The coach's panel: what a finished run's curves say, and what to try next.

One small expander that Train and Inspect each show with one call, over the findings
the server computes once per run (`app_pages.server.runs.findings`).
"""

from __future__ import annotations

import streamlit as st

from app_pages.frame.feedback import plain, show_error
from app_pages.server.runs import findings
from cnnviz.errors import CnnvizError
from cnnviz.events import ACTIVE
from cnnviz.runs import load_run


def coach_panel(run_id: str | None, *, expanded: bool = True) -> None:
    """The coach's findings on a run that has ended; nothing for no run or an active one."""
    try:
        run = load_run(run_id) if run_id else None
    except CnnvizError:
        return
    if run is None or run.state in ACTIVE or not run.read_data:  # nothing to look at
        return
    try:
        found = findings(run)
    except CnnvizError as err:
        show_error(err)
        return
    warnings = [f.title for f in found if f.warning]
    label = "Coach: " + ("; ".join(warnings) if warnings else "nothing to fix")
    with st.expander(label, expanded=expanded, icon=":material/lightbulb:"):
        for finding in found:
            show = st.warning if finding.warning else st.success
            show(
                f"**{finding.title}.** {plain(finding.evidence)}  \n"
                f"**Try next:** {plain(finding.suggestion)}"
            )
