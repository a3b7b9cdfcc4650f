"""**Unfreeze and fine-tune** on Train: for a finished run of the desk's own that starts
with a pretrained backbone, a second run from its weights with more of the backbone's top
blocks trainable (`app_pages.session.fine_tune`)."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.desk import current_desk
from app_pages.frame.feedback import show_error
from app_pages.session.fine_tune import backbone_of, on_fine_tune
from cnnviz import backbones

ENDED = ("completed", "stopped", "interrupted")


def fine_tune_panel(run, runner, *, busy: bool, key: str) -> None:
    """The control for `run` (`cnnviz.runs.Run`), when it can be fine-tuned here: the
    desk's own, ended with weights, its backbone not yet all trainable. `busy`: the desk
    trains something already (one job at a time)."""
    layer = backbone_of(run)
    if layer is None or run.owner != current_desk() or run.state not in ENDED:
        return
    if not run.has_model:
        return
    blocks = len(backbones.get(layer["name"]).blocks)
    now = int(layer.get("trainable_blocks", 0))
    if now >= blocks:
        return
    training = run.config.get("training", {})
    with st.expander("Unfreeze and fine-tune", icon=":material/tune:"):
        st.caption(
            f"A second run that starts from this run's weights, with the top blocks of "
            f"{layer['name']} trainable too ({now} of {blocks} are now): once the head has "
            "learned, the backbone's last layers adapt to your images. A smaller learning "
            "rate keeps what they learned on ImageNet from being wiped out."
        )
        count, rate, epochs = st.columns(3)
        count.number_input(
            "Trainable blocks", now + 1, blocks, min(now + 2, blocks), key=f"{key}_blocks"
        )
        rate.number_input(
            "Learning rate",
            min_value=1e-7,
            max_value=1.0,
            value=float(training.get("learning_rate", 1e-3)) / 10,
            format="%.2g",
            key=f"{key}_lr",
        )
        epochs.number_input("Epochs", 1, 500, int(training.get("epochs", 5)), key=f"{key}_epochs")
        st.button(
            "Fine-tune",
            key=key,
            type="primary",
            disabled=busy,
            help="Your desk trains one model at a time." if busy else None,
            on_click=on_fine_tune,
            args=(runner, run, key),
        )
        if st.session_state.get(f"{key}_error"):
            show_error(st.session_state.pop(f"{key}_error"))
