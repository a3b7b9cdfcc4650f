"""Class: where to join, the class experiment's answer, every desk's runs, the best
first, and who trains now (for the projector); the teacher's controls for the signed-in
teacher."""

import streamlit as st

from app_pages.frame.access import announce
from app_pages.frame.desk import teacher
from app_pages.frame.state import init_state
from app_pages.panels.class_answer import class_answer
from app_pages.panels.class_header import join_card
from app_pages.panels.classroom import elsewhere_rows, leaderboard, queue_rows
from app_pages.panels.teacher_desks import class_settings, desks_and_runs
from app_pages.panels.teacher_experiment import experiment_panel
from app_pages.panels.teacher_queue import pause_switch, queue_with_stops
from app_pages.panels.teacher_send import send_panel
from app_pages.panels.teacher_signin import sign_out_link, teacher_sign_in
from app_pages.server.listing import listed_runs
from app_pages.server.runner import job_runner
from cnnviz.claims import active_jobs
from cnnviz.classstate import read_class_state
from cnnviz.settings import settings

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
join_card()
runner = job_runner()
busy = bool(runner.queue())
in_charge = teacher() and settings().classroom  # solo: one learner, no class to run
if in_charge:
    with st.expander("Teacher's controls", expanded=True, icon=":material/school:"):
        pause_switch()
        class_settings()
        st.markdown("**Send to every desk**")
        send_panel()
        st.markdown("**Class experiment**")
        with st.container(key="class_exp"):
            experiment_panel()
        st.markdown("**Desks and runs**")
        desks_and_runs()
        sign_out_link()
elif settings().classroom:
    teacher_sign_in()
class_answer(REFRESH_S if busy else None)


@st.fragment(run_every=REFRESH_S if busy else None)
def board() -> None:
    """The queue and the leaderboard; polls the runner, never the other way round."""
    queue, runs, hidden = runner.queue(), listed_runs(), read_class_state().hide_names
    by_id, here = {run.id: run for run in runs}, {status["job_id"] for status in queue}
    others = elsewhere_rows(active_jobs(), by_id, here, hide_names=hidden)  # other replicas
    desks = {run.owner for run in runs if run.owner}
    waiting = sum(1 for status in queue if status["queue_position"])
    counts = st.columns(4)
    counts[0].metric("Desks", len(desks))
    counts[1].metric("Runs", len(runs))
    counts[2].metric("Training now", len(queue) - waiting + len(others))
    counts[3].metric("Waiting", waiting)
    training = len(queue) - waiting  # said to screen readers when it changes, not only drawn
    announce(f"Training now: {training}; waiting: {waiting}." if queue else "Nobody is training.")

    st.subheader("Training now, and the queue")
    if queue and in_charge:
        queue_with_stops(runner, queue, by_id, hide_names=hidden)
    elif queue:
        st.table(queue_rows(queue, by_id, hide_names=hidden), hide_index=True)
    if others:
        st.table(others, hide_index=True)
    if not queue and not others:
        st.info("Nobody is training. A desk's **Start training** shows up here.")
    st.subheader("Every desk's runs, the best first")
    if runs:
        st.table(leaderboard(runs, hide_names=hidden), hide_index=True)
    else:
        st.info("No runs yet: each desk trains on its **Train** page.")
    if bool(queue) != busy:  # training started or ended: refresh on (or off) from now on
        st.rerun(scope="app")


board()
if not busy:
    st.button("Refresh", key="class_refresh", icon=":material/refresh:")
