"""Datasets loaded once for the whole server, and images users upload.

Streamlit-side only: the `st.cache_*` wrappers around `cnnviz.data` (every session on a
dataset shares one copy in memory), names of datasets as people know them, and images
uploaded for a preview or a prediction. An upload (`upload:NAME`) is looked for among one
desk's uploads only: the session's own (`load_cached`), or the desk's that trained a run
(`load_for_run`). Which dataset a session uses is `app_pages.session.dataset`'s.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from app_pages.frame.desk import current_desk
from app_pages.frame.feedback import show_error
from cnnviz.errors import CnnvizError

IMAGE_TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "webp"]  # for st.file_uploader


@st.cache_resource(show_spinner="Loading the dataset...", max_entries=3)
def _load(
    dataset_id: str,
    data_dir: str,
    size,
    limit=None,
    seed: int = 0,
    desk: str | None = None,
    runs_dir: str | None = None,
    stamp: int | None = None,  # when an upload last changed: a made dataset grows in place
    _download=None,
):
    from cnnviz.data import load_dataset

    options = {"image_size": size, "limit": limit, "seed": seed, "download": _download}
    return load_dataset(
        dataset_id, data_dir=data_dir or None, desk=desk, runs_dir=runs_dir, **options
    )


def _whose(dataset_id: str, desk: str | None) -> str | None:
    """The desk in the cache key: an upload's only (every desk shares one digits)."""
    return desk if str(dataset_id).startswith("upload:") else None


def _stamp(dataset_id: str, desk: str | None, runs_dir: str | None) -> int | None:
    from cnnviz.data.uploaded import upload_stamp

    return upload_stamp(dataset_id, desk=desk, runs_dir=runs_dir)


def load_cached(
    dataset_id: str, data_dir: str = "", image_size: Any = None, *, download: bool | None = None
):
    """A dataset through the shared cache; raises CnnvizError when it cannot be loaded.

    `image_size` is (height, width) or None for the set's own size (folders: 64x64).
    `download` (True, False, or None: only when the TFDS server answers) applies to a
    TFDS set missing from `data_dir`; it is not part of the cache key. An upload is
    looked for among this session's desk's uploads.
    """
    from cnnviz.origins import canonical

    dataset_id = canonical(dataset_id)
    size = None if image_size is None else tuple(image_size)
    desk = _whose(dataset_id, current_desk())
    stamp = _stamp(dataset_id, desk, None)
    return _load(dataset_id, data_dir, size, None, 0, desk, None, stamp, download)


def load_for_run(
    dataset_id: str,
    *,
    data_dir=None,
    limit=None,
    image_size=None,
    seed=0,
    download=False,
    desk=None,
    runs_dir=None,
):
    """`cnnviz.data.load_dataset` for a run (`cnnviz.evaluate.run_dataset`'s `load`: it
    names the desk whose uploads hold the run's dataset), through the same cache: every
    epoch's evaluation, the coach and Compare read a run's images once, and share them
    with the session that trained on them. Viewing never downloads."""
    size = None if image_size is None else tuple(image_size)
    folder = None if runs_dir is None else str(runs_dir)
    desk = _whose(dataset_id, desk)
    stamp = _stamp(dataset_id, desk, folder)
    return _load(dataset_id, data_dir or "", size, limit, seed, desk, folder, stamp, download)


def dataset_label(dataset_id: str) -> str:
    """The dataset as people know it: an upload by its name ("pets.zip"), else its id."""
    from cnnviz.uploads import dataset_label as label

    return label(dataset_id)


def dataset_words(info) -> tuple[str, str]:
    """(name, description) of a loaded dataset (`DatasetInfo`), an upload named as it
    was uploaded in both, not by the server's path."""
    name = dataset_label(info.id)
    path = info.id.partition(":")[2]
    return name, info.description.replace(path, name) if name != info.id else info.description


@st.cache_data(max_entries=4, show_spinner=False)
def _read_upload(data: bytes, name: str, max_side: int) -> np.ndarray:
    from cnnviz.images import open_image, to_array

    picture = open_image(data, name=name, draft_size=(max_side, max_side))
    picture.thumbnail((max_side, max_side))
    return to_array(picture)


def uploaded_image(upload, *, max_side: int = 640) -> np.ndarray | None:
    """An uploaded image's pixels, shrunk to fit max_side x max_side (uint8, shape
    (H, W, 1 or 3)); None when nothing is uploaded or, after showing why, unreadable."""
    if upload is None:
        return None
    try:
        return _read_upload(upload.getvalue(), upload.name, max_side)
    except CnnvizError as err:
        show_error(err)
        return None
