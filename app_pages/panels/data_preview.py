"""Data's view of the active dataset: its shape and counts, four training images of each
class, and how many images each class has."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.feedback import plain
from app_pages.server.datasets import dataset_words
from cnnviz.augment import grid_image
from cnnviz.figures.datasets import class_distribution_figure
from cnnviz.images import enlarge

MOSAICS = 40  # classes shown as pictures: a zip of 2,000 class folders drew 2,000


def dataset_preview(dataset) -> None:
    """What a learner should look at before training on `dataset` (`cnnviz.data.Dataset`)."""
    info = dataset.info
    label, described = dataset_words(info)
    st.subheader(f"Active: {plain(label)}", divider="gray")
    st.caption(plain(f"{described}. Pixels are 0-255; models see them rescaled to 0-1."))
    for warning in info.warnings:
        st.warning(plain(warning), icon=":material/warning:")
    cols = st.columns(4)
    cols[0].metric("Image shape", " × ".join(map(str, info.image_shape)))
    cols[1].metric("Classes", info.num_classes)
    cols[2].metric("Training images", f"{info.counts['train']:,}")
    cols[3].metric("Test images", f"{info.counts['test']:,}")
    samples, chart = st.columns([3, 2], gap="large")
    more = f" (the first {MOSAICS} of {info.num_classes:,})" * (info.num_classes > MOSAICS)
    samples.markdown(f"**Four training images of each class**{more}")
    grid = samples.columns(4)
    shown = [(i, images) for i, images in dataset.samples(4).items() if len(images)][:MOSAICS]
    for slot, (index, images) in enumerate(shown):  # a 2x2 mosaic per class
        mosaic = grid_image(enlarge(images[0], side=64), enlarge(images[1:], side=64))
        name = info.class_names[index]
        alt = f"Four training images of class {name}"
        grid[slot % 4].image(mosaic, caption=plain(name), output_format="PNG", alt=alt)
    chart.markdown("**Images per class**")
    figure = class_distribution_figure(info.class_names, info.per_class)
    chart.plotly_chart(figure, width="stretch", key="data_chart")
