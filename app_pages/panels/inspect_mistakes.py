"""Inspect's "Mistakes" tab: the test images the model got wrong, by true and predicted
class, the most confidently wrong first."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.figures import show_figure
from cnnviz.figures.evaluation import mistakes_figure
from cnnviz.mistakes import mistakes

SHOWN = 24  # mistakes drawn; the count comes from the evaluation


def mistakes_panel(test, result, names: list[str]) -> None:
    """The mistakes of `result` (`cnnviz.evaluate.Evaluation`) on `test`, filtered."""
    any_class = ["any", *names]
    c1, c2 = st.columns(2)
    true_pick = c1.selectbox("True class", any_class, key="inspect_true")
    pred_pick = c2.selectbox("Predicted class", any_class, key="inspect_pred")
    true = None if true_pick == "any" else names.index(true_pick)
    predicted = None if pred_pick == "any" else names.index(pred_pick)
    wrong = result.predicted != test.labels
    if true is not None:
        wrong &= test.labels == true
    if predicted is not None:
        wrong &= result.predicted == predicted
    found = mistakes(
        test.images,
        test.labels,
        result,
        names,
        true=true,
        predicted=predicted,
        order="confidence",
        limit=SHOWN,
    )
    count = int(wrong.sum())
    st.caption(f"{count} misclassified test images")
    if count > len(found):
        st.caption(f"The {len(found)} most confidently wrong are shown.")
    if found:
        show_figure(mistakes_figure(found), key="inspect_mistakes")
