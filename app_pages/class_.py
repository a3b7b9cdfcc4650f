"""Class: every desk's runs, the best first, and who trains now (for the projector)."""

import streamlit as st

from app_pages.frame.desk import current_desk
from app_pages.frame.state import init_state
from app_pages.panels.classroom import leaderboard, queue_rows
from app_pages.server.listing import listed_runs
from app_pages.server.runner import job_runner

REFRESH_S = 3.0  # seconds between refreshes while anyone trains or waits
LARGE = """<style>
html { font-size: 125% !important; }
[data-testid="stTable"] :is(th, td) { font-size: 1.1rem; padding: .45rem .7rem; }
</style>"""

init_state()
st.html(LARGE)  # large type on this page only: the style goes when the page is left
st.title("Class")
st.caption(
    "Every desk's runs, the best test accuracy first, and who trains now. "
    "While anyone trains or waits, this page refreshes itself."
)
runner = job_runner()
busy = bool(runner.queue())


@st.fragment(run_every=REFRESH_S if busy else None)
def board() -> None:
    """The queue and the leaderboard; polls the runner, never the other way round."""
    queue, runs = runner.queue(), listed_runs()
    desks = {run.owner for run in runs if run.owner}
    waiting = sum(1 for status in queue if status["queue_position"])
    counts = st.columns(4)
    counts[0].metric("Desks", len(desks))
    counts[1].metric("Runs", len(runs))
    counts[2].metric("Training now", len(queue) - waiting)
    counts[3].metric("Waiting", waiting)

    st.subheader("Training now, and the queue")
    if queue:
        st.table(queue_rows(queue, {run.id: run for run in runs}), hide_index=True)
    else:
        st.info("Nobody is training. A desk's **Start training** shows up here.")
    st.subheader("Every desk's runs, the best first")
    if runs:
        st.table(leaderboard(runs, desk=current_desk()), hide_index=True)
    else:
        st.info("No runs yet: each desk trains on its **Train** page.")
    if bool(queue) != busy:  # training started or ended: refresh on (or off) from now on
        st.rerun(scope="app")


board()
if not busy:
    st.button("Refresh", key="class_refresh", icon=":material/refresh:")
