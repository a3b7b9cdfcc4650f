"""Concepts' image transformer: one kernel on a photo's brightness, then ReLU, then 2x2
max pooling, as four pictures with their text (`cnnviz.figures.concepts.transformer_text`).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_pages.frame.feedback import plain
from app_pages.frame.figures import figure_text
from app_pages.server.datasets import IMAGE_TYPES
from cnnviz import concepts
from cnnviz.errors import CnnvizError
from cnnviz.figures import concepts as figures
from cnnviz.figures.alt import FigureText, number
from cnnviz.images import jpeg_bytes, open_image, sample_photo, to_array

PHOTOS = {"Temple (sample photo)": "china.jpg", "Flower (sample photo)": "flower.jpg"}


@st.cache_data(max_entries=16, show_spinner=False)
def transformed(
    name: str, data: bytes | None, kernel: np.ndarray, stride: int, padding: str
) -> tuple[list[tuple[str, bytes]], FigureText]:
    """The transformer's pictures as (caption, JPEG bytes), so a rerun does not re-encode,
    and their text alternative.

    JPEG, not PNG: encoding the four pictures takes ~7 ms instead of ~300 ms.
    """
    if data is None:
        photo = sample_photo(PHOTOS[name])
    else:  # a JPEG decodes straight at a reduced scale
        photo = to_array(open_image(data, name=name, draft_size=(1280, 1280)))
    stages = concepts.transform_image(photo, kernel, stride=stride, padding=padding)
    pictures = [
        (caption, jpeg_bytes(picture)) for caption, picture in figures.transformer_images(stages)
    ]
    return pictures, figures.transformer_text(stages)


def transformer(kernel_name: str, kernel: np.ndarray, stride: int, padding: str) -> None:
    """The section: a photo to pick or upload, and what the kernel makes of it."""
    st.header("Image transformer")
    st.markdown(
        f"The **{kernel_name}** kernel (stride {stride}, '{padding}' padding) on a photo's "
        "brightness, then ReLU, then 2x2 max pooling: what one `Conv2D` filter followed by "
        "`MaxPooling2D` does to a picture."
    )
    photo_col, upload_col = st.columns(2)
    photo_name = photo_col.selectbox("Photo", list(PHOTOS), key="concepts_photo")
    upload = upload_col.file_uploader(
        "...or upload your own", key="concepts_upload", type=IMAGE_TYPES
    )
    try:
        source = (upload.name, upload.getvalue()) if upload else (photo_name, None)
        pictures, text = transformed(*source, kernel, stride, padding)
    except CnnvizError as error:
        st.info(plain(str(error)))
        return
    ranges = [f"values from {number(r['lowest'])} to {number(r['highest'])}" for r in text.table]
    shown = list(zip(pictures, ranges))
    for row in (shown[:2], shown[2:]):
        for column, ((caption, picture), values) in zip(st.columns(2), row):
            column.image(picture, caption=caption, alt=f"{caption}: {values}", width="stretch")
    figure_text(text, key="concepts_transformer")
    st.caption(
        "Feature maps: blue is positive, white is 0, red is negative, on one scale. Pictures "
        "are stretched to one width: the captions give their real sizes."
    )
