"""The session's dataset: the one Data chose, loaded through the server's cache.

`current_dataset()` is what Build, Augment, Train and Inspect start from; a dataset is
switched only when it loads (else the old one is kept and the reason returned), and an
uploaded zip becomes the dataset when it loads (a refused one is deleted). The TFDS
data dir is `app_pages.frame.state.data_dir()`: in classroom mode always the server's.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages.frame.feedback import show_error
from app_pages.frame.state import data_dir, init_state
from app_pages.server.datasets import load_cached
from app_pages.server.uploads import keep_upload
from cnnviz.errors import CnnvizError
from cnnviz.settings import settings


def switch_dataset(
    dataset_id: str,
    *,
    typed_dir: str | None = None,
    image_size: Any = None,
    download: bool | None = None,
) -> str | None:
    """Make `dataset_id` (resized to `image_size`, if given) the app's dataset if it
    loads, else keep the old one.

    Args:
        typed_dir: a TFDS data dir typed on Data (solo only; a classroom loads from the
            server's); None keeps the session's.

    Returns None on success, or the engine's message saying why it cannot be loaded.
    """
    state = st.session_state
    typed = typed_dir is not None and not settings().classroom
    folder = typed_dir if typed else data_dir()
    size = None if image_size is None else tuple(image_size)
    try:
        load_cached(dataset_id, folder or "", size, download=download)
    except CnnvizError as err:
        return str(err)
    state.cnnviz_dataset, state.cnnviz_image_size = dataset_id, size
    if typed:
        state.cnnviz_data_dir = typed_dir
    return None


def current_dataset():
    """The chosen dataset (cached), or None after showing why it cannot be loaded."""
    init_state()
    state = st.session_state
    try:
        return load_cached(state.cnnviz_dataset, data_dir() or "", state.cnnviz_image_size)
    except CnnvizError as err:
        show_error(err)
        return None


def use_upload(upload, image_size: Any = None) -> str | None:
    """Make an uploaded zip of class folders the dataset; a refused one is deleted.

    Returns None on success, or why not, naming the learner's file (not the server's).
    """
    from cnnviz.uploads import discard, upload_id

    try:
        path = keep_upload(upload, suffix=".zip")
    except CnnvizError as err:
        return str(err)
    error = switch_dataset(upload_id(path), image_size=image_size)
    if error:
        discard(path)
    return error and error.replace(str(path), upload.name)
