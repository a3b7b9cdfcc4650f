"""Inspect's confusion matrix: click a cell, choose its classes in the two boxes above
it (the keyboard's way), or press one of the most-confused pairs, to see that cell's test
images beside their Grad-CAM.

The pick is copied into the session's own key in the chart's `on_select` callback:
the chart is redrawn with the picked cell outlined, and Streamlit forgets a chart's
selection when its figure changes. The panel is a fragment, so a click reruns only it.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_pages.frame.feedback import plain
from app_pages.frame.figures import show_figure
from app_pages.panels.keyboard_pick import pick_boxes
from cnnviz.data import rescale
from cnnviz.figures.evaluation import cell_images_figure, confusion_matrix_figure
from cnnviz.gradcam import grad_cam_layers, grad_cams
from cnnviz.mistakes import cell_images, most_confused

PICK = "inspect_cell"  # (run id, true class, predicted class) of the picked cell
CHART = "inspect_confusion"
MAX_IMAGES = 12
MAX_PAIRS = 8


def _on_click(run_id: str) -> None:
    event = st.session_state.get(CHART)
    points = event["selection"]["points"] if event else []
    if points:  # an empty selection follows a redraw: keep the pick
        st.session_state[PICK] = (run_id, int(points[0]["y"]), int(points[0]["x"]))


def _pick(run_id: str, true: int, predicted: int) -> None:
    st.session_state[PICK] = (run_id, true, predicted)


def picked_cell(run_id: str, num_classes: int) -> tuple[int, int] | None:
    """The cell picked on this run, if any (a pick on another run does not count)."""
    pick = st.session_state.get(PICK)
    if not pick or pick[0] != run_id or max(pick[1:]) >= num_classes:
        return None
    return pick[1], pick[2]


@st.fragment
def confusion_panel(run_id: str, model, test, result, names: list[str]) -> None:
    """The clickable matrix, the most-confused pairs, and the picked cell's images."""
    normalized = st.toggle("Row-normalised (share of each true class)", key="inspect_norm")
    cell = picked_cell(run_id, len(names))
    classes = range(len(names))
    pick_boxes(
        st.columns(2),
        [
            ("True class of the cell", classes, "inspect_cell_true", names.__getitem__),
            ("Predicted class of the cell", classes, "inspect_cell_predicted", names.__getitem__),
        ],
        cell,
        lambda true, predicted: _pick(run_id, true, predicted),
    )
    figure = confusion_matrix_figure(result.metrics, normalized=normalized, picked=cell)
    matrix, pairs = st.columns([4, 1], gap="medium")
    with matrix:
        show_figure(
            figure,
            on_select=lambda: _on_click(run_id),
            selection_mode="points",
            key=CHART,
            width="content",
            config={"displayModeBar": False},
        )
    with pairs:
        st.markdown("**Most confused**")
        confused = most_confused(result.metrics, limit=MAX_PAIRS)
        if not confused:
            st.caption("No mistakes: every test image is on the diagonal.")
        for pair in confused:
            st.button(
                f"{pair.true_name} → {pair.predicted_name}: {pair.count}",
                key=f"inspect_pair_{pair.true}_{pair.predicted}",
                on_click=_pick,
                args=(run_id, pair.true, pair.predicted),
                width="stretch",
            )
    if cell is None:
        st.info("Click a cell of the matrix, or choose its two classes, to see its test images.")
        return
    true, predicted = cell
    count = int(result.metrics.confusion_matrix[true, predicted])  # the cell, not its records
    shown = cell_images(
        test.images, test.labels, result, names, true=true, predicted=predicted, limit=MAX_IMAGES
    )
    if true == predicted:
        order = f"{names[true]} recognised: {count} images, least confident first"
    else:
        order = (
            f"true {names[true]}, predicted {names[predicted]}: {count} images, "
            "most confidently wrong first"
        )
    if len(shown) < count:
        order += f" (the first {len(shown)})"
    st.subheader(plain(order), anchor=False)
    if grad_cam_layers(model) and shown:
        st.caption("Left: the test image. Right: where the model looked for its answer (Grad-CAM).")
        images = rescale(np.stack([item.image for item in shown]))
        heatmaps = list(grad_cams(model, images, [item.predicted for item in shown]))
    else:  # no feature maps to explain the answers with
        heatmaps = [None] * len(shown)
    show_figure(cell_images_figure(shown, heatmaps, title=""), key="inspect_cell_images")
