"""Experiment links: the session's experiment as a token, and a token opened.

`?experiment=TOKEN` (see `cnnviz.links`) holds the dataset, the model, the augmentation
and the hyper-parameters. The router reads and writes it through `app_pages.session.url`; the
helpers here say what it means for the session. A link that cannot be opened leaves
the session as it is (the defaults, for a new visitor) and says why; it never raises.
"""

from __future__ import annotations

from dataclasses import fields

import streamlit as st

from app_pages.frame.feedback import notify, plain
from app_pages.frame.state import DEFAULTS, replace_spec
from app_pages.server.datasets import dataset_label
from app_pages.session.config import (
    TRAIN_WIDGETS,
    chosen_augment,
    fit_limits,
    keep_config,
    remember_training,
    session_config,
)
from app_pages.session.dataset import switch_dataset
from cnnviz.errors import CnnvizError

# Widgets that show shared state and would keep showing the old values after a link.
PAGE_WIDGETS = (
    *TRAIN_WIDGETS,
    "train_use_augment",
    "build_preset",
    "data_source",
    "data_builtin",
    "data_tfds",
    "data_size",
)


def session_experiment():
    """The session's `cnnviz.links.Experiment`, or None when its spec cannot be read."""
    from cnnviz.links import Experiment
    from cnnviz.spec import ModelSpec

    remember_training()  # the Train page's widgets as they are in this run
    state = st.session_state
    try:
        spec = ModelSpec.from_dict(state.cnnviz_spec)
    except CnnvizError:
        return None
    size = state.cnnviz_image_size
    return Experiment(
        spec=spec,
        dataset=state.cnnviz_dataset,
        image_size=None if size is None else tuple(size),
        augment=chosen_augment(),
        training=session_config(),
    )


@st.cache_data(max_entries=1, show_spinner=False)
def _default_token() -> str:
    from cnnviz.links import Experiment, encode
    from cnnviz.plan import TrainConfig
    from cnnviz.spec import ModelSpec

    spec = ModelSpec.from_dict(DEFAULTS["cnnviz_spec"])
    preset = DEFAULTS["cnnviz_preset"]
    experiment = Experiment(
        spec, DEFAULTS["cnnviz_dataset"], training=TrainConfig.suggested(preset)
    )
    return encode(experiment)


def experiment_token(*, always: bool = False) -> str | None:
    """The session's experiment as a token; None when it is the app's defaults (a clean
    address for a new visitor) unless `always`, or when it cannot be encoded."""
    from cnnviz.links import encode

    experiment = session_experiment()
    try:
        token = encode(experiment) if experiment is not None else None
    except (TypeError, ValueError):  # a value JSON cannot hold: keep the address as it is
        return None
    return token if always or token != _default_token() else None


def apply_experiment(experiment) -> list[str]:
    """Make `experiment` the session's; returns what could not be taken over, in words."""
    from cnnviz.augment import AugmentSpec

    state, notes = st.session_state, []
    wanted = (experiment.dataset, experiment.image_size)
    if wanted != (state.cnnviz_dataset, state.cnnviz_image_size):
        problem = switch_dataset(  # an upload: among this desk's own (a link's cannot
            experiment.dataset, image_size=experiment.image_size, download=False
        )  # name another's, nor a folder of the server: `cnnviz.links.decode`)
        if problem:
            wanted, kept = dataset_label(experiment.dataset), dataset_label(state.cnnviz_dataset)
            notes.append(
                f"The dataset {plain(wanted)} cannot be opened here ({plain(problem)}); "
                f"{plain(kept)} is kept. Load it on Data."
            )
    replace_spec(experiment.spec.to_dict())
    state.cnnviz_preset = experiment.preset or state.cnnviz_preset
    state.cnnviz_augment = experiment.augment.to_dict()
    training, moved = fit_limits(experiment.training)
    keep_config(training)
    notes += [plain(note) for note in moved]
    for key in (*PAGE_WIDGETS, *(f"augment_{f.name}" for f in fields(AugmentSpec))):
        state.pop(key, None)
    return notes


def open_experiment(token: str, url: dict) -> str | None:
    """`?experiment=TOKEN`: load it into the session and say so (or why not)."""
    from cnnviz.links import decode

    try:
        experiment = decode(token)
    except CnnvizError as err:
        notify(
            "error",
            f"This link's experiment cannot be opened: {plain(err)}. Nothing was "
            "loaded from it: the app keeps its settings (a new visitor's are the defaults).",
        )
        return None
    notes = apply_experiment(experiment)
    shown = experiment.describe(dataset=dataset_label(experiment.dataset))
    notify("success", f"Opened the experiment from the link: {plain(shown)}.")
    for note in notes:
        notify("warning", note)
    return None
