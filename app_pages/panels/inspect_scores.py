"""Inspect's per-class scores: precision, recall and F1 as bars, and the same in a table."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.figures import show_figure
from cnnviz.figures.evaluation import per_class_metrics_figure


def scores_panel(metrics, names: list[str]) -> None:
    """The bars and the table of a `cnnviz.metrics.ClassificationMetrics`."""
    show_figure(per_class_metrics_figure(metrics), key="inspect_per_class")
    rows = zip(names, metrics.precision, metrics.recall, metrics.f1, metrics.support)
    st.dataframe(
        [
            {
                "class": n,
                "precision": round(float(p), 3),
                "recall": round(float(r), 3),
                "f1": round(float(f), 3),
                "support": int(s),
            }
            for n, p, r, f, s in rows
        ],
        hide_index=True,
        width="stretch",
        key="inspect_metrics_table",
    )
