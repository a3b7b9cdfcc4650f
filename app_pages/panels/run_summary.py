"""A run seen without its images: what another desk may see of a run trained on a desk's
upload that is not shared (its test accuracy, curves, confusion matrix and each class's
scores: numbers, never pictures)."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.feedback import plain
from app_pages.frame.figures import show_figure
from app_pages.panels.epochs import class_accuracy_chart
from app_pages.panels.inspect_scores import scores_panel
from cnnviz.figures.evaluation import confusion_matrix_figure
from cnnviz.figures.training import training_curves


def run_summary(run, why: str) -> None:
    """Why the images are not shown, then the run's numbers from its own files."""
    st.info(plain(why), icon=":material/visibility_off:")
    accuracy = run.test_accuracy
    st.metric("Test accuracy", "-" if accuracy is None else f"{accuracy:.1%}")
    show_figure(training_curves(run.history()), key="inspect_summary_curves")
    metrics = run.metrics()
    if metrics is not None:
        show_figure(
            confusion_matrix_figure(metrics), key="inspect_summary_confusion", width="content"
        )
        scores_panel(metrics, list(metrics.class_names))
    class_accuracy_chart(run, epoch=None, key="inspect_summary_class_curves")
