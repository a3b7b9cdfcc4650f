"""Predict's answer and why: the top classes, Grad-CAM on the image, the whole network
for it, and for a drawing the first convolution's maps, following the pen.

`reasons` computes everything one answer shows (no Streamlit call: the drawing
benchmark times it); `show_reasons` draws it; `live_drawing` is the canvas and its
answer in one fragment, so the end of a stroke reruns only them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from app_pages.frame.feedback import plain, show_error
from app_pages.frame.figures import show_figure
from app_pages.panels.canvas import drawing_canvas
from cnnviz.errors import CnnvizError
from cnnviz.features import CONV_TYPES, feature_maps
from cnnviz.figures.base import as_text
from cnnviz.figures.maps import layer_maps
from cnnviz.figures.overview import network_overview
from cnnviz.figures.predictions import gradcam_overlay, prediction_bars
from cnnviz.gradcam import grad_cam, grad_cam_layers
from cnnviz.metrics import THRESHOLD
from cnnviz.predict import Prediction, predict, prepare_image


@dataclass(frozen=True)
class Reasons:
    """One answer and the figures that explain it (None where the model has nothing
    to show: no feature maps for Grad-CAM, no convolution)."""

    answer: Prediction
    bars: Any
    gradcam: Any
    first_conv: Any
    overview: Any


def reasons(
    model,
    data: bytes,
    *,
    shape,
    names: list[str],
    caption: str,
    first_conv: bool = False,
    network: bool = True,
) -> Reasons:
    """The answer for an image's bytes and its figures (the first convolution's maps
    and the network overview only when asked for).

    Raises:
        CnnvizError: not an image cnnviz can read.
    """
    image = prepare_image(data, shape, name=caption)
    answer = predict(model, image, names, top_k=min(5, len(names)), caption=caption)
    activations = feature_maps(model, image) if first_conv or network else []
    heat = None
    if grad_cam_layers(model):
        where = f"What the model sees ({'x'.join(map(str, shape))}) and where it looked"
        title = f"{where} for '{as_text(answer.name)}'"  # drawn by plotly: as text
        heat = gradcam_overlay(image, grad_cam(model, image, class_index=answer.label), title=title)
    convs = [a for a in activations if a.type in CONV_TYPES]
    maps = layer_maps(convs[0], columns=8) if first_conv and convs else None
    overview = None
    if network:
        overview = network_overview(
            image, activations, answer.probabilities, names, predicted=answer.label
        )
    return Reasons(answer, prediction_bars(answer), heat, maps, overview)


def heading(answer: Prediction) -> str:
    """ "Prediction: NAME · 87.5%" (with the threshold for a binary model), as Markdown."""
    rule = f" (threshold {THRESHOLD})" if answer.binary else ""
    return f"Prediction: {plain(answer.name)} · {answer.probability:.1%}{rule}"


def show_reasons(
    column,
    model,
    data: bytes | None,
    label: str,
    shape,
    names: list[str],
    *,
    first_conv: bool = False,
    network: bool = True,
) -> None:
    """The answer in `column` (bars, Grad-CAM), then the maps and the network below."""
    with column:
        if data is None:
            st.info("Give the model an image to see what it answers, and why.")
            return
        try:
            why = reasons(
                model,
                data,
                shape=shape,
                names=names,
                caption=label,
                first_conv=first_conv,
                network=network,
            )
        except CnnvizError as err:
            show_error(err)
            return
        st.subheader(heading(why.answer))
        show_figure(why.bars, key="predict_bars")
        if why.gradcam is not None:
            show_figure(why.gradcam, key="predict_gradcam")
    if why.first_conv is not None:
        show_figure(why.first_conv, key="predict_first_conv")
    if why.overview is not None:
        st.markdown("**The whole network for this image**")
        show_figure(why.overview, key="predict_overview")


@st.fragment
def live_drawing(model, shape, names: list[str]) -> None:
    """The canvas and its answer: each stroke reruns only this fragment."""
    left, right = st.columns([1, 2], gap="large")
    with left:
        st.caption("Draw a digit. The answer follows the pen: it changes at every stroke.")
        data = drawing_canvas(key="predict_canvas")
        network = st.toggle(
            "Also the whole network",
            key="predict_draw_network",
            help="Redraws every layer at each stroke too: the answer then follows the pen "
            "about half as fast.",
        )
    show_reasons(right, model, data, "drawing", shape, names, first_conv=True, network=network)
