"""What the session would train: the request **Start training** submits, and a sweep's.

`session_request` is the session's model, data, hyper-parameters and augmentation as one
`cnnviz.request.TrainRequest` of this desk, checked against the dataset's info alone
(`cnnviz.plan.check_training`: no image is copied in the server). `sweep_requests` is a
sweep's every run from it, each checked before the first one starts (a solo sweep's runs
and a class experiment's combinations alike), within what the Train page offers.
"""

from __future__ import annotations

import streamlit as st

from app_pages.frame.desk import current_desk
from app_pages.frame.state import current_preset, data_dir
from app_pages.session.config import (
    TRAIN_LIMITS,
    chosen_augment,
    remember_training,
    session_config,
)
from cnnviz.errors import CnnvizError


def session_request(dataset):
    """The `TrainRequest` of the session's experiment at this desk, checked.

    Raises:
        CnnvizError: no dataset, or the spec, the hyper-parameters or the data do not fit.
    """
    from cnnviz.plan import check_training
    from cnnviz.request import TrainRequest
    from cnnviz.spec import ModelSpec

    if dataset is None:
        raise CnnvizError("choose a dataset that loads on the Data page first")
    state = st.session_state
    spec = ModelSpec.from_dict(state.cnnviz_spec)
    remember_training()  # the widgets as they are now (a lesson may hide some)
    config = session_config()
    check_training(spec, dataset.info, config)
    augment = chosen_augment()
    use = state.get("train_use_augment", True) and not augment.is_identity
    return TrainRequest(
        spec,
        dataset.info.id,
        config,
        data_dir=data_dir(),
        image_size=state.cnnviz_image_size,
        augment=augment if use else None,
        model=current_preset() or spec.name,
        owner=current_desk(),
    )


def sweep_requests(sweep, dataset) -> tuple:
    """The session's request and one per run of `sweep` (`Sweep.slots` order), each
    checked against the data and within the Train page's limits (a desk opens its
    combination there).

    Returns:
        (the base request, [each run's request]).

    Raises:
        CnnvizError: what `session_request` raises, for the base or for any run.
    """
    from cnnviz import checks
    from cnnviz.plan import check_training

    base = session_request(dataset)
    requests = [sweep.request_for(base, slot) for slot in sweep.slots()]
    for request in requests:
        check_training(request.spec, dataset.info, request.config)
        for name, (low, high) in TRAIN_LIMITS.items():
            value = getattr(request.config, name)
            if not low <= value <= high:
                what = f"from {low:g} to {high:g}, what the Train page offers"
                raise checks.fail(name, what, value, CnnvizError)
    return base, requests
