"""**Unfreeze and fine-tune** from the app: a second run that starts from a finished run's
weights (`TrainRequest(init_from=...)`), the same layers with more of its pretrained
backbone's top blocks trainable, usually with a smaller learning rate.

Only a desk's own runs are fine-tuned, on the run's own dataset, size and augmentation;
the dataset is read through the server's cache and checked to still have the run's
classes and image shape (the weights must fit), and the new spec against it and the
memory free (`cnnviz.plan.check_training`), before the job is submitted.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages.frame.desk import current_desk, viewer
from app_pages.server.datasets import load_for_run
from app_pages.session.training import submit
from cnnviz.errors import CnnvizError
from cnnviz.layers import BACKBONE


def backbone_of(run) -> dict[str, Any] | None:
    """The run's Backbone layer (always its first), or None for a model without one."""
    layers = run.spec.to_dict().get("layers") or []
    return layers[0] if layers and layers[0].get("type") == BACKBONE else None


def fine_tune_request(run, *, trainable_blocks: int, learning_rate: float, epochs: int):
    """The request for a second run of `run` (`cnnviz.runs.Run`, this desk's own).

    Raises:
        CnnvizError: not this desk's run, no backbone or no weights, a dataset that no
            longer fits the run, or settings that do not fit.
    """
    from cnnviz.augment import AugmentSpec
    from cnnviz.evaluate import run_dataset
    from cnnviz.plan import TrainConfig, check_training
    from cnnviz.request import TrainRequest
    from cnnviz.spec import ModelSpec

    if run.owner != current_desk():
        raise CnnvizError(f"run {run.id} is another desk's: fine-tune one of your own runs")
    if backbone_of(run) is None or not run.has_model:
        raise CnnvizError(f"run {run.id} has no pretrained backbone with trained weights")
    spec = run.spec.to_dict()
    spec["layers"][0] = {**spec["layers"][0], "trainable_blocks": trainable_blocks}
    spec = ModelSpec.from_dict(spec)
    training = {**run.config.get("training", {}), "learning_rate": learning_rate}
    config = TrainConfig.from_dict({**training, "epochs": epochs})
    dataset = run_dataset(run, load=load_for_run, viewer=viewer())
    check_training(spec, dataset.info, config)
    size, augment = run.config.get("image_size"), run.config.get("augment")
    return TrainRequest(
        spec,
        dataset.info.id,
        config,
        data_dir=run.config.get("data_dir"),
        limit=run.config.get("limit"),
        image_size=tuple(size) if size else None,
        augment=AugmentSpec.from_dict(augment) if augment else None,
        model=run.config.get("model") or spec.name,
        owner=current_desk(),
        init_from=run.id,
    )


def on_fine_tune(runner, run, key: str) -> None:
    """The **Fine-tune** button: the settings are the widgets `{key}_blocks`, `{key}_lr`
    and `{key}_epochs`; a refusal is kept in `{key}_error` for the panel to show."""
    state = st.session_state
    try:
        request = fine_tune_request(
            run,
            trainable_blocks=int(state[f"{key}_blocks"]),
            learning_rate=float(state[f"{key}_lr"]),
            epochs=int(state[f"{key}_epochs"]),
        )
        submit(runner, request)
        state.train_error = None
    except CnnvizError as err:
        state[f"{key}_error"] = str(err)
