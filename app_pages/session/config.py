"""The session's hyper-parameters and augmentation, kept across pages, refreshes and links.

`st.session_state.cnnviz_training` holds them (a `TrainConfig` dict) once the learner or
a link has chosen any; None means "the current preset's suggestions". The Train page's
widgets (`app_pages.panels.train_settings`) are drawn from `session_config()` and copied
back by `remember_training()` (widget keys vanish when the page is left; a lesson may
hide some of them). `chosen_augment()` is the augmentation the Augment page set.
"""

from __future__ import annotations

import streamlit as st

from app_pages.frame.state import current_preset
from cnnviz.errors import CnnvizError

# Train page widget key -> TrainConfig field
TRAIN_WIDGETS = {
    "train_epochs": "epochs",
    "train_batch_size": "batch_size",
    "train_optimizer": "optimizer",
    "train_lr": "learning_rate",
    "train_val_split": "validation_split",
    "train_seed": "seed",
}
# What the Train page's number inputs offer (TrainConfig itself allows more).
TRAIN_LIMITS = {
    "epochs": (1, 500),
    "batch_size": (1, 4096),
    "learning_rate": (1e-6, 10.0),
    "validation_split": (0.0, 0.5),
    "seed": (0, 2**31 - 1),
}


def _suggested():
    from cnnviz.plan import TrainConfig

    return TrainConfig.suggested(current_preset())


def session_config():
    """The session's `TrainConfig`: chosen on Train or opened from a link, else the
    current preset's suggestions."""
    from cnnviz.plan import TrainConfig

    stored = st.session_state.get("cnnviz_training")
    if stored:
        try:
            return TrainConfig.from_dict(stored)
        except CnnvizError:
            pass
    return _suggested()


def keep_config(config) -> None:
    """Make `config` the session's (None in state while it equals the suggestions)."""
    st.session_state.cnnviz_training = None if config == _suggested() else config.to_dict()


def remember_training() -> None:
    """Copy the Train page's widgets that are drawn into the session's config."""
    from cnnviz.plan import TrainConfig

    state = st.session_state
    values = {field: state[key] for key, field in TRAIN_WIDGETS.items() if key in state}
    if values:
        try:
            keep_config(TrainConfig.from_dict({**session_config().to_dict(), **values}))
        except CnnvizError:
            pass  # the widgets' own bounds keep them valid; never lose the old config


def fit_limits(config):
    """`config` with each number moved into what the Train page offers.

    Returns:
        (the config, a sentence per value that had to move).
    """
    from dataclasses import replace

    changes, notes = {}, []
    for field, (low, high) in TRAIN_LIMITS.items():
        value = getattr(config, field)
        if not low <= value <= high:
            changes[field] = type(value)(min(max(value, low), high))
            notes.append(
                f"{field} {value:g} is outside what the Train page offers ({low:g} to "
                f"{high:g}): set to {changes[field]:g}"
            )
    return replace(config, **changes), notes


def chosen_augment():
    """The augmentation the Augment page set (`AugmentSpec`); the identity when none."""
    from cnnviz.augment import AugmentSpec

    try:
        return AugmentSpec.from_dict(st.session_state.cnnviz_augment or {})
    except CnnvizError:
        return AugmentSpec()
