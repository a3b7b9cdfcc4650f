"""Training from the app: the process's job runner, and submitting this session's job.

Streamlit-side only. The job runner outlives pages and sessions (`st.cache_resource`);
a training thread never touches Streamlit: pages poll its events.
"""

from __future__ import annotations

import streamlit as st

from app_pages._config import remember_training, session_config
from app_pages._state import current_preset
from cnnviz.errors import CnnvizError
from cnnviz.events import ACTIVE


@st.cache_resource
def job_runner():
    """The process-wide job runner (worker processes unless $CNNVIZ_RUNNER says
    otherwise): training survives page changes and refreshes, and a crash ends a run,
    never the server."""
    import keras  # noqa: F401  (imported here so the next line can guard it at once)

    from app_pages._process import keep_keras_session
    from cnnviz.runners import default_runner

    keep_keras_session()
    return default_runner(default="process")  # $CNNVIZ_RUNNER chooses another


def chosen_augment():
    """The augmentation the Augment page set (`AugmentSpec`); the identity when none."""
    from cnnviz.augment import AugmentSpec

    try:
        return AugmentSpec.from_dict(st.session_state.cnnviz_augment or {})
    except CnnvizError:
        return AugmentSpec()


def active_job(runner) -> str | None:
    """This session's running or queued job, else any the server is running (so a
    refreshed browser finds its training again). A finished job becomes the current run."""
    state = st.session_state
    job = state.get("train_job")
    if job and (job not in runner.job_ids() or runner.status(job)["status"] not in ACTIVE):
        state.cnnviz_run, state.train_job = job, None
    for job_id in reversed(runner.job_ids()):
        if runner.status(job_id)["status"] in ACTIVE:
            state.train_job = state.train_shown = job_id
            return job_id
    return None


def start_training(runner, dataset) -> str:
    """Check the model against the data, then submit it; returns the job (run) id.

    Raises:
        CnnvizError: the spec, the hyper-parameters or the data do not fit.
    """
    from cnnviz.plan import plan_training
    from cnnviz.request import TrainRequest
    from cnnviz.rundir import runs_root
    from cnnviz.spec import ModelSpec

    if dataset is None:
        raise CnnvizError("choose a dataset that loads on the Data page first")
    state = st.session_state
    spec = ModelSpec.from_dict(state.cnnviz_spec)
    remember_training()  # the widgets as they are now (a lesson may hide some)
    config = session_config()
    plan_training(spec, dataset, config)
    augment = chosen_augment()
    use = state.get("train_use_augment", True) and not augment.is_identity
    request = TrainRequest(
        spec,
        dataset.info.id,
        config,
        data_dir=state.cnnviz_data_dir or None,
        image_size=state.cnnviz_image_size,
        augment=augment if use else None,
        runs_dir=str(runs_root()),
        model=current_preset() or spec.name,
        preloaded=dataset,
    )
    job = runner.submit(request)
    state.train_job = state.train_shown = job
    return job


def on_start_training(runner, dataset) -> None:
    """Start button callback: runs before the page redraws, so the page shows the job."""
    try:
        start_training(runner, dataset)
        st.session_state.train_error = None
    except CnnvizError as err:
        st.session_state.train_error = str(err)
