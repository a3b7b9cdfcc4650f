"""Train: press Start, watch loss fall and accuracy climb, stop at any time."""

import streamlit as st

from app_pages._coach import coach_panel
from app_pages._datasets import current_dataset
from app_pages._feedback import show_error
from app_pages._runs import run_rows
from app_pages._state import init_state
from app_pages._training import (
    active_job,
    chosen_augment,
    job_runner,
    on_start_training,
    suggested_config,
)
from cnnviz.figures.training import training_curves
from cnnviz.plan import OPTIMIZERS
from cnnviz.progress import progress_from_events

init_state()
st.title("Train")
st.caption("Training runs in the background: leave the page or refresh, it keeps going.")

dataset = current_dataset()
runner = job_runner()
defaults = suggested_config()
optimizers = list(OPTIMIZERS)

with st.container(border=True):
    c = st.columns(6)
    c[0].number_input("Epochs", 1, 500, defaults.epochs, key="train_epochs")
    c[1].number_input("Batch size", 1, 4096, defaults.batch_size, key="train_batch_size")
    c[2].selectbox(
        "Optimizer", optimizers, optimizers.index(defaults.optimizer), key="train_optimizer"
    )
    c[3].number_input(
        "Learning rate",
        1e-6,
        10.0,
        defaults.learning_rate,
        format="%.4f",
        step=0.0005,
        key="train_lr",
    )
    c[4].number_input(
        "Validation split", 0.0, 0.5, defaults.validation_split, step=0.05, key="train_val_split"
    )
    c[5].number_input("Seed", 0, 2**31 - 1, defaults.seed, key="train_seed")
    augment = chosen_augment()
    summary = augment.describe() or "none set: choose some on the Augment page"
    st.checkbox(
        f"Augment training images ({summary})",
        value=not augment.is_identity,
        disabled=augment.is_identity,
        key="train_use_augment",
    )
    start, stop, _ = st.columns([1, 1, 3])
    job = active_job(runner)
    start.button(
        "Start training",
        type="primary",
        key="train_start",
        disabled=bool(job),
        on_click=on_start_training,
        args=(runner, dataset),
        width="stretch",
    )
    stop.button(
        "Stop training",
        key="train_stop",
        disabled=not job,
        on_click=runner.stop,
        args=(job,),
        width="stretch",
    )
    if st.session_state.get("train_error"):
        show_error(st.session_state.train_error)


@st.fragment(run_every=1.0 if job else None)
def live(job_id):
    """Polls the job's event stream; the training thread never touches Streamlit."""
    if job_id not in runner.job_ids():
        st.info(
            "Press **Start training** to train the model from the Build page on "
            f"`{st.session_state.cnnviz_dataset}`."
        )
        return
    progress = progress_from_events(runner.events(job_id))
    status = runner.status(job_id)
    if status["queue_position"]:
        st.warning(f"Waiting for a free slot: position {status['queue_position']} in the queue.")
    st.progress(progress.fraction, text=f"**{progress.status}** · {progress.label()}")
    st.plotly_chart(
        training_curves(progress.history, batch_curve=progress.batch_curve),
        width="stretch",
        key="train_live_chart",
    )
    if job and not progress.active:
        st.rerun(scope="app")  # the job ended: refresh the runs table below


live(job or st.session_state.get("train_shown"))
coach_panel(st.session_state.get("train_shown"))

st.subheader("Runs")
rows = run_rows()
if rows:
    st.dataframe(rows, hide_index=True, width="stretch", key="train_runs")
    ids = [r["run"] for r in rows]
    current = st.session_state.cnnviz_run
    chosen = st.selectbox(
        "Current run (for Inspect and Predict)",
        ids,
        index=ids.index(current) if current in ids else 0,
        key="train_current_run",
    )
    st.session_state.cnnviz_run = chosen
    last = next(r for r in rows if r["run"] == chosen)
    if last["status"] == "failed":
        st.error(f"Run {chosen} failed: {last['message']}")
else:
    st.caption("No runs yet.")
