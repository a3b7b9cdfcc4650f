"""Inspect's "Grad-CAM" tab: where a layer looks for a class in the test image."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.figures import show_figure
from cnnviz.figures.base import as_text
from cnnviz.figures.predictions import gradcam_overlay
from cnnviz.gradcam import default_layer, grad_cam, grad_cam_layers


def gradcam_panel(model, image, names: list[str], predicted: int) -> None:
    """Grad-CAM of `image` (float, (H, W, C)) for the predicted class or one picked."""
    layers = grad_cam_layers(model)
    if not layers:
        st.info("Grad-CAM needs a layer with feature maps; this model has none.")
        return
    default = default_layer(model)
    where = st.selectbox("Layer", layers, index=layers.index(default), key="inspect_cam_layer")
    target = st.selectbox("Class to explain", ["predicted", *names], key="inspect_cam_class")
    index = predicted if target == "predicted" else names.index(target)
    heat = grad_cam(model, image, layer_name=where, class_index=index)
    title = f"Where {where} looks for '{as_text(names[index])}'"  # plotly draws it
    show_figure(gradcam_overlay(image, heat, title=title), key="inspect_gradcam")
