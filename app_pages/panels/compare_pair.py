"""Compare's view of two runs: their test accuracy, curves, the settings and layers
changed between them, and what that changed on the same test images
(`app_pages.server.runs.comparison`, computed once per pair)."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.feedback import plain, show_error
from app_pages.frame.figures import show_figure
from app_pages.panels.compare_view import LAYER_COLUMNS, layer_table, settings_rows
from app_pages.server.comparisons import comparison
from cnnviz.errors import CnnvizError
from cnnviz.figures.compare import (
    compare_curves,
    confusion_diff_figure,
    disagreements_figure,
    per_class_change_figure,
)


def show_pair(a: str, b: str) -> None:
    """Run A (the first try) and run B (the new try) side by side."""
    try:
        result = comparison(a, b)
    except CnnvizError as err:
        show_error(err)
        return
    accuracy_a, accuracy_b = result.test_accuracy
    gain = None if None in result.test_accuracy else (accuracy_b - accuracy_a) * 100
    c = st.columns(3)
    c[0].metric("A: test accuracy", "-" if accuracy_a is None else f"{accuracy_a:.1%}")
    c[1].metric(
        "B: test accuracy",
        "-" if accuracy_b is None else f"{accuracy_b:.1%}",
        delta=None if gain is None else f"{gain:+.1f} points",
    )
    count = result.disagreements_count
    c[2].metric("Test images answered differently", "-" if count is None else f"{count:,}")

    show_figure(compare_curves(result.histories), key="compare_curves")

    st.subheader("Settings that differ")
    rows = settings_rows(result)
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch", key="compare_settings")
    else:
        st.caption("The same settings: only the layers differ.")

    st.subheader("Layer by layer")
    st.dataframe(
        layer_table(result),
        hide_index=True,
        width="stretch",
        column_config={name: st.column_config.Column(width=w) for name, w in LAYER_COLUMNS.items()},
        key="compare_layers",
    )
    params_a, params_b = result.total_params
    st.caption(f"Weights in all: {params_a:,} in A, {params_b:,} in B.")

    st.subheader("On the same test images")
    if not result.same_test_split:
        st.info(f"Not compared image by image: {plain(result.reason)}.")
        return
    per_class, confusion, different = st.tabs(
        ["Per class", "Confusion matrix", "Answered differently"]
    )
    with per_class:
        show_figure(
            per_class_change_figure(result.per_class_accuracy, result.class_names),
            key="compare_per_class",
        )
    with confusion:
        show_figure(
            confusion_diff_figure(result.confusion_diff, result.class_names),
            key="compare_confusion",
        )
    with different:
        shown = result.disagreements(limit=24)
        st.caption("First the images only B gets right, then those only A gets right.")
        show_figure(disagreements_figure(shown, total=count), key="compare_disagreements")
