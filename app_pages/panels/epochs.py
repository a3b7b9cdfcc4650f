"""The epoch scrubber of Inspect: look at a run as it was after any kept epoch.

Every epoch's weights are kept in the run folder (every k-th for a large model), so the
overview, layer maps, filters, Grad-CAM and the confusion matrix can all be replayed with
the weights after epoch k: the page asks `run_and_model(run_id, epoch)`.
"""

from __future__ import annotations

import streamlit as st

from app_pages.frame.figures import show_figure
from cnnviz.figures.training import class_accuracy_curves

FINAL = "final model"


def epoch_picker(run, *, key: str) -> int | None:
    """A slider over the run's kept epochs (and its final model); returns the epoch
    picked, or None for the final model. Nothing is drawn for a run of one epoch."""
    kept = run.epochs()
    options = [*kept, FINAL] if run.has_final_model else kept
    if len(options) < 2:
        return None
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[-1]
    chosen = st.select_slider(
        "After epoch",
        options,
        key=key,
        format_func=lambda o: o if o == FINAL else f"epoch {o}",
        help="Replays the maps, filters, Grad-CAM and confusion matrix with the weights "
        "the model had after that epoch.",
    )
    every = run.status.get("snapshot_every") or 1
    if every > 1:
        st.caption(
            f"This model is large: its weights were kept after every {every}th epoch "
            "(and the last one), so the run's snapshots stay under 200 MB."
        )
    return None if chosen == FINAL else int(chosen)


def class_accuracy_chart(run, *, epoch: int | None, key: str) -> None:
    """Each class's validation accuracy over the epochs, the shown epoch marked."""
    curves, names = run.class_accuracy(), list(run.config.get("class_names", []))
    if curves is None:
        return
    show_figure(class_accuracy_curves(curves, names, marked=epoch), key=key)
