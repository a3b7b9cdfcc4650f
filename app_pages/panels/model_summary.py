"""Build's summary of the model, as Keras's ``model.summary()`` prints it: one row per
layer (the input first) with its output shape and weights, the totals, and the memory
training it would take on this machine."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.feedback import plain
from app_pages.session.config import session_config
from cnnviz.errors import CnnvizError
from cnnviz.memory import check_fits, free_memory
from cnnviz.plan import training_memory


def summary_rows(report) -> list[dict]:
    """The table's rows from a `cnnviz.spec.check` report: the input (if known), then
    each layer's number, name and type, output shape (batch first) and weight count."""
    rows = [
        {
            "#": r.number,
            "layer (type)": f"{r.name} ({r.type})",
            "output shape": str((None, *r.output_shape)),
            "params": r.total,
        }
        for r in report.rows
    ]
    if report.input_shape:
        shape = str((None, *report.input_shape))
        rows.insert(
            0, {"#": 0, "layer (type)": "input (Input)", "output shape": shape, "params": 0}
        )
    return rows


def model_summary(report, info) -> None:
    """The table, the totals and (for a model that checks) the training memory.

    Args:
        report: the spec's `cnnviz.spec.check` report.
        info: the current dataset's `DatasetInfo`, or None (no data: memory for 0 images).
    """
    st.dataframe(
        summary_rows(report),
        hide_index=True,
        width="stretch",
        key="build_table",
        column_config={"#": st.column_config.NumberColumn(width=40)},
    )
    c1, c2, c3 = st.columns(3)
    c1.metric("Total params", f"{report.total_params:,}")
    c2.metric("Trainable", f"{report.trainable_params:,}")
    c3.metric("Non-trainable", f"{report.non_trainable_params:,}")
    if not report.ok:
        return
    images = info.counts["train"] if info else 0
    needed = training_memory(report, session_config(), images=images)
    try:
        check_fits(needed, free_memory())
        st.caption(f"Training memory: {needed.describe()}.")
    except CnnvizError as err:
        st.warning(plain(str(err)), icon=":material/memory:")
