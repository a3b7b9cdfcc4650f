"""Inspect's "Filters" tab: a convolution's kernels, as pictures."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.figures import show_figure
from cnnviz.features import conv_layer_names, filters
from cnnviz.figures.maps import filters_figure


def filters_panel(model) -> None:
    """The kernels of a convolution to pick; a note when the model has none."""
    convs = conv_layer_names(model)
    if not convs:
        st.info("This model has no convolution layers.")
        return
    conv = st.selectbox("Convolution", convs, key="inspect_conv")
    show_figure(filters_figure(filters(model, conv), layer_name=conv), key="inspect_filters")
