"""Inspect's "trace one value": click a pixel of a convolution's map (or choose its row
and column in the boxes beside it, the keyboard's way), see its arithmetic.

The map of one channel is drawn large with a point on every pixel; the pick is copied
into the session's own key in `on_select` (the map is redrawn with the pixel outlined).
The panel is a fragment, so a click reruns only it. The arithmetic comes from
`cnnviz.trace` on the model the page passes in: the real weights, the real input.
"""

from __future__ import annotations

import streamlit as st

from app_pages.frame.feedback import show_error
from app_pages.frame.figures import show_figure
from app_pages.panels.keyboard_pick import pick_boxes
from cnnviz.errors import CnnvizError
from cnnviz.figures.trace import clickable_map, receptive_field_figure, trace_figure
from cnnviz.trace import trace_activation

PICK = "inspect_trace_pick"  # (layer, channel, row, col) of the clicked pixel
CHART = "inspect_trace_map"


def _on_click(layer: str, channel: int) -> None:
    event = st.session_state.get(CHART)
    points = event["selection"]["points"] if event else []
    if points:  # an empty selection follows a redraw: keep the pick
        row, col = (int(v) for v in points[0]["customdata"])
        st.session_state[PICK] = (layer, channel, row, col)


def picked_pixel(layer: str, channel: int, shape: tuple[int, ...]) -> tuple[int, int] | None:
    """The pixel picked on this layer's channel, if any and still on the map."""
    pick = st.session_state.get(PICK)
    if not pick or tuple(pick[:2]) != (layer, channel):
        return None
    row, col = pick[2:]
    return (row, col) if row < shape[0] and col < shape[1] else None


@st.fragment
def trace_panel(model, image, activation) -> None:
    """One channel of a convolution's output to click, and the clicked value's arithmetic.

    Args:
        model: the run's trained model (from `app_pages.server.runs.run_and_model`).
        image: the model's input, float (H, W, C).
        activation: the convolution's `LayerActivation` for that image.
    """
    st.subheader("Trace one value")
    st.caption(
        "Every value of a convolution's map is a window of its input times the kernel, "
        "summed, plus the bias, through the activation. Pick a channel, then click a pixel "
        "or choose its row and column."
    )
    h, w, channels = activation.output.shape
    channel_col, row_col, col_col, _ = st.columns([1, 1, 1, 1])
    channel = channel_col.selectbox("Channel", range(channels), key="inspect_trace_channel")
    pixel = picked_pixel(activation.name, channel, activation.output.shape)
    pick_boxes(
        [row_col, col_col],
        [
            ("Row", range(h), "inspect_trace_row", str),
            ("Column", range(w), "inspect_trace_col", str),
        ],
        pixel,
        lambda row, col: st.session_state.update({PICK: (activation.name, channel, row, col)}),
    )
    left, right = st.columns([3, 2], gap="medium")
    with left:
        show_figure(
            clickable_map(
                activation.output[..., channel],
                title=f"{activation.name}, channel {channel} ({h}×{w})",
                picked=pixel,
            ),
            on_select=lambda: _on_click(activation.name, channel),
            selection_mode="points",
            key=CHART,
            width="content",
            config={"displayModeBar": False},
        )
    if pixel is None:
        right.info(
            "Click a pixel of the map, or choose its row and column, to see how it was computed."
        )
        return
    try:
        trace = trace_activation(
            model, image, layer=activation.name, channel=channel, row=pixel[0], col=pixel[1]
        )
    except CnnvizError as err:
        show_error(err)
        return
    with right:
        show_figure(
            receptive_field_figure(image, trace),
            width="content",
            key="inspect_trace_field",
            config={"displayModeBar": False},
        )
        st.caption("The input pixels this value depends on, through every layer before it.")
    st.metric(
        f"{trace.layer}[row {trace.row}, column {trace.col}, channel {trace.channel}]",
        f"{trace.value:.4f}",
        help=f"Keras's own output: {trace.keras_value:.6f}",
    )
    show_figure(
        trace_figure(trace),
        width="content",
        key="inspect_trace_sum",
        config={"displayModeBar": False},
    )
