"""The Train page's settings: six number inputs in a row, drawn from the session's
config (`app_pages.session.config`); a lesson may lock or hide any of them."""

from __future__ import annotations

import streamlit as st

from app_pages.session.config import TRAIN_LIMITS, session_config
from app_pages.session.controls import control


def config_inputs() -> None:
    """The Train page's six number inputs in a row, drawn from `session_config()` (a
    lesson may lock or hide any of them, `app_pages.session.controls`)."""
    from cnnviz.plan import OPTIMIZERS

    defaults = session_config()
    optimizers = list(OPTIMIZERS)
    c = st.columns(6)
    limits = TRAIN_LIMITS  # what each number input offers
    control(c[0].number_input, "Epochs", *limits["epochs"], defaults.epochs, key="train_epochs")
    control(
        c[1].number_input,
        "Batch size",
        *limits["batch_size"],
        defaults.batch_size,
        key="train_batch_size",
    )
    control(
        c[2].selectbox,
        "Optimizer",
        optimizers,
        optimizers.index(defaults.optimizer),
        key="train_optimizer",
    )
    control(
        c[3].number_input,
        "Learning rate",
        *limits["learning_rate"],
        defaults.learning_rate,
        format="%.4f",
        step=0.0005,
        key="train_lr",
    )
    control(
        c[4].number_input,
        "Validation split",
        *limits["validation_split"],
        defaults.validation_split,
        step=0.05,
        key="train_val_split",
    )
    control(c[5].number_input, "Seed", *limits["seed"], defaults.seed, key="train_seed")
