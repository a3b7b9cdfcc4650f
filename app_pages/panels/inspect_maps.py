"""Inspect's "Layer maps" tab: what one layer makes of the test image, and for a
convolution, one value's arithmetic (`app_pages.panels.inspect_trace`)."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.figures import show_figure
from app_pages.panels.inspect_trace import trace_panel
from cnnviz.features import CONV_TYPES
from cnnviz.figures.maps import layer_maps


def maps_panel(model, image, activations) -> None:
    """A layer to pick among `activations` (`cnnviz.features.feature_maps` of `image`)."""
    layer = st.selectbox("Layer", [a.name for a in activations], key="inspect_layer")
    chosen = next(a for a in activations if a.name == layer)
    show_figure(layer_maps(chosen), key="inspect_maps")
    if chosen.type in CONV_TYPES:
        trace_panel(model, image, chosen)
