"""Train: press Start, watch loss fall and accuracy climb, stop at any time."""

import streamlit as st

from app_pages.frame.access import announce
from app_pages.frame.feedback import plain, show_error
from app_pages.frame.figures import show_figure
from app_pages.frame.state import init_state
from app_pages.panels.coach import coach_panel
from app_pages.panels.delete_run import delete_run_button
from app_pages.panels.fine_tune import fine_tune_panel
from app_pages.panels.run_picker import run_picker, whose_runs
from app_pages.panels.share import copy_link
from app_pages.panels.train_settings import config_inputs
from app_pages.panels.train_sweep import sweep_panel
from app_pages.panels.train_task import task_card
from app_pages.server.datasets import dataset_label
from app_pages.server.runner import job_runner
from app_pages.server.runs import run_rows
from app_pages.session.config import chosen_augment
from app_pages.session.controls import control
from app_pages.session.dataset import current_dataset
from app_pages.session.training import (
    desk_job,
    on_start_training,
    on_stop_training,
    waiting_text,
)
from cnnviz.figures.training import training_curves
from cnnviz.progress import progress_from_events
from cnnviz.runs import load_run

init_state()
st.title("Train")
st.caption("Training runs in the background: leave the page or refresh, it keeps going.")

dataset = current_dataset()
runner = job_runner()
task_card()  # this desk's combination of the teacher's class experiment, if any

with st.container(border=True):
    config_inputs()  # epochs, batch size, optimizer, learning rate, validation split, seed
    augment = chosen_augment()
    summary = augment.describe() or "none set: choose some on the Augment page"
    control(
        st.checkbox,
        f"Augment training images ({summary})",
        value=not augment.is_identity,
        disabled=augment.is_identity,
        key="train_use_augment",
    )
    start, stop, _ = st.columns([1, 1, 3])
    job = desk_job(runner)
    status = runner.status(job) if job else None
    start.button(
        "Start training",
        type="primary",
        key="train_start",
        disabled=bool(job),
        help="Your desk trains one model at a time: stop it to start another." if job else None,
        on_click=on_start_training,
        args=(runner, dataset),
        width="stretch",
    )
    stop.button(
        "Stop training",
        key="train_stop",
        disabled=not job,
        on_click=on_stop_training,
        args=(runner, job),
        width="stretch",
    )
    if st.session_state.get("train_error"):
        show_error(st.session_state.train_error)
    copy_link("train_copy_link")
sweep_panel(runner, dataset, busy=bool(job))  # Try several settings: one run after another


QUEUED_POLL, RUNNING_POLL = 3.0, 1.0  # seconds between polls of a waiting / training job
poll = (QUEUED_POLL if status["queue_position"] else RUNNING_POLL) if job else None


@st.fragment(run_every=poll)
def live(job_id):
    """Polls the job's event stream; the training never touches Streamlit."""
    if job_id not in runner.job_ids():
        announce("")  # the live region is there before there is news to say
        data = plain(dataset_label(st.session_state.cnnviz_dataset))
        st.info(f"Press **Start training** to train the model from the Build page on {data}.")
        return
    status = runner.status(job_id)
    if status["queue_position"]:
        announce(waiting_text(status))  # said, not only drawn (a screen reader's region)
        st.warning(waiting_text(status), icon=":material/hourglass_top:")
        return
    if poll == QUEUED_POLL:  # it has started: poll faster, and draw the chart
        st.rerun(scope="app")
    progress = progress_from_events(runner.events(job_id))
    announce(progress.news())  # once per epoch and per status, not with every batch
    st.progress(progress.fraction, text=f"**{progress.status}** · {plain(progress.label())}")
    show_figure(
        training_curves(progress.history, batch_curve=progress.batch_curve),
        key="train_live_chart",
    )
    if job and not progress.active:
        st.rerun(scope="app")  # the job ended: refresh the runs table below


live(job or st.session_state.get("train_shown"))
coach_panel(st.session_state.get("train_shown"))

head, switch = st.columns([4, 1], vertical_alignment="bottom")
head.subheader("Runs")
with switch:
    owner = whose_runs("train_everyone")
rows = run_rows(owner)
if rows:
    st.dataframe(rows, hide_index=True, width="stretch", key="train_runs")
    ids = [r["run"] for r in rows]
    chosen = run_picker(st, "Current run (for Inspect and Predict)", ids, "train_current_run")
    last = next(r for r in rows if r["run"] == chosen)
    if last["status"] == "failed":
        show_error(f"Run {chosen} failed: {last['message']}")
    chosen_run = load_run(chosen)
    delete_run_button(chosen_run, key="train_delete")
    fine_tune_panel(chosen_run, runner, busy=bool(job), key=f"train_fine_tune_{chosen}")
else:
    st.caption("No runs yet.")
