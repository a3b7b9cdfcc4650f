"""The coach's panel: what a finished run's curves say, and what to try next.

Streamlit-side only: `cnnviz.coach.diagnose_run` cached per run (and per status
update), drawn as one small expander that Train and Inspect each show with one call.
"""

from __future__ import annotations

import streamlit as st

from app_pages._feedback import plain, show_error
from cnnviz.errors import CnnvizError
from cnnviz.events import ACTIVE
from cnnviz.rundir import runs_root


@st.cache_data(show_spinner="The coach is reading the curves...", max_entries=16)
def _findings(run_id: str, root: str, updated: str):
    from app_pages._datasets import load_for_run
    from app_pages._runs import run_and_model
    from cnnviz.coach import diagnose_run
    from cnnviz.runs import load_run

    run = load_run(run_id, root)
    model = run_and_model(run_id)[1] if run.has_model else None
    return diagnose_run(run, model=model, load=load_for_run)


def coach_panel(run_id: str | None, *, expanded: bool = True) -> None:
    """The coach's findings on a run that has ended; nothing for no run or an active one."""
    from cnnviz.runs import load_run

    try:
        run = load_run(run_id) if run_id else None
    except CnnvizError:
        return
    if run is None or run.state in ACTIVE or not run.read_data:  # nothing to look at
        return
    try:
        findings = _findings(run.id, str(runs_root()), str(run.status.get("updated")))
    except CnnvizError as err:
        show_error(err)
        return
    warnings = [f.title for f in findings if f.warning]
    label = "Coach: " + ("; ".join(warnings) if warnings else "nothing to fix")
    with st.expander(label, expanded=expanded, icon=":material/lightbulb:"):
        for finding in findings:
            show = st.warning if finding.warning else st.success
            show(
                f"**{finding.title}.** {plain(finding.evidence)}  \n"
                f"**Try next:** {plain(finding.suggestion)}"
            )
