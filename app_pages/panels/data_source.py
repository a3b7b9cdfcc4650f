"""Data's source picker: a built-in set, a TFDS set, a zip of class folders uploaded, or
a dataset made in the browser (`app_pages.panels.collect_classes`).

Built-in sets switch as soon as they are picked; TFDS sets and uploads when their input
is complete (`app_pages.session.dataset.switch_dataset`: only a dataset that loads
becomes the session's). In classroom mode TFDS sets come from the server's data folder:
no student names a server path.
"""

from __future__ import annotations

import streamlit as st

from app_pages.frame.desk import current_desk
from app_pages.panels.collect_classes import made_dataset_panel
from app_pages.session.dataset import switch_dataset, use_upload
from cnnviz.collect import is_made
from cnnviz.data import list_datasets
from cnnviz.data.tfds import TFDS_SETS
from cnnviz.settings import settings

SOURCES = ["Built-in", "TFDS", "Upload a zip", "Make your own"]
BUILTINS = {i: d for i, d in list_datasets() if not i.startswith("tfds:")}
MAX_UPLOAD_MB = 200  # also Streamlit's own server.maxUploadSize default
SIZES = {"as stored": None, **{f"{n} × {n}": (n, n) for n in (300, 224, 150, 128, 100, 64, 32)}}
SIZE_HELP = (
    "Smaller images train faster and use less memory: horses_or_humans at 300 × 300 "
    "holds about 1 GB in memory, at 150 × 150 a quarter of that. 'As stored' keeps "
    "TFDS images at their own size and makes folders 64 × 64."
)


def on_builtin() -> None:
    """Built-in sets switch as soon as they are picked; the others wait for their input."""
    state = st.session_state
    builtin = state.data_source == SOURCES[0]
    state.data_error = switch_dataset(state.data_builtin) if builtin else None


def on_tfds() -> None:
    state = st.session_state
    download = None if state.data_download else False  # None: when the server answers
    name = state.data_tfds.strip()
    data_dir = None if settings().classroom else state.get("data_data_dir", "").strip()
    state.data_error = switch_dataset(
        f"tfds:{name}", typed_dir=data_dir, image_size=SIZES[state.data_size], download=download
    )


def on_upload() -> None:
    """Keep the uploaded zip under the runs dir and use it as `folder:PATH`."""
    state, upload = st.session_state, st.session_state.data_upload
    if upload is not None and upload.size > MAX_UPLOAD_MB * 2**20:
        state.data_error = f"{upload.name} is larger than {MAX_UPLOAD_MB} MB; use fewer images"
    elif upload is not None:
        state.data_error = use_upload(upload, SIZES[state.data_size])


def on_size() -> None:
    """A new size reloads the active TFDS or folder set at once (from the cache on disk)."""
    state = st.session_state
    if state.cnnviz_dataset.partition(":")[0] in ("tfds", "folder", "upload"):
        state.data_error = switch_dataset(
            state.cnnviz_dataset, image_size=SIZES[state.data_size], download=False
        )


def size_picker() -> None:
    st.selectbox("Image size", list(SIZES), key="data_size", on_change=on_size, help=SIZE_HELP)


def _defaults() -> None:
    """The widgets' first values: the session's dataset."""
    active = st.session_state.cnnviz_dataset
    kind = active.partition(":")[0]
    source = {"tfds": SOURCES[1], "folder": SOURCES[2], "upload": SOURCES[2]}.get(kind, SOURCES[0])
    source = SOURCES[3] if is_made(active, desk=current_desk()) else source
    st.session_state.setdefault("data_source", source)
    st.session_state.setdefault("data_builtin", active if active in BUILTINS else "digits")
    st.session_state.setdefault("data_tfds", active[5:] if kind == "tfds" else "fashion_mnist")
    st.session_state.setdefault("data_data_dir", st.session_state.cnnviz_data_dir)
    st.session_state.setdefault("data_error", None)
    size_now = st.session_state.cnnviz_image_size
    st.session_state.setdefault(
        "data_size", next((k for k, v in SIZES.items() if v == size_now), "as stored")
    )


def source_picker() -> None:
    """The source radio and the chosen source's inputs; a failure is kept in
    `data_error` for the page to show."""
    _defaults()
    st.radio("Source", SOURCES, key="data_source", horizontal=True, on_change=on_builtin)
    if st.session_state.data_source == SOURCES[0]:
        st.selectbox(
            "Dataset",
            list(BUILTINS),
            key="data_builtin",
            format_func=BUILTINS.get,
            on_change=on_builtin,
        )
    elif st.session_state.data_source == SOURCES[1]:
        name, size, folder = st.columns([3, 2, 3])
        name.selectbox(
            "TFDS dataset (or type a name)",
            list(TFDS_SETS),
            key="data_tfds",
            accept_new_options=True,
        )
        with size:
            size_picker()
        if settings().classroom:  # the server's TFDS folder, never a path a student types
            folder.caption("Sets come from the server's TFDS folder.")
        else:
            folder.text_input(
                "TFDS data dir",
                key="data_data_dir",
                placeholder="empty: $TFDS_DATA_DIR or ~/tensorflow_datasets",
            )
        st.caption(TFDS_SETS.get(st.session_state.data_tfds, "Any TFDS image-classification set."))
        switch, button = st.columns([3, 1], vertical_alignment="center")
        switch.toggle(
            "Download when not in the data dir",
            value=True,
            key="data_download",
            help="Off: use only what is already in the data dir (offline).",
        )
        button.button("Load", key="data_tfds_load", type="primary", on_click=on_tfds)
    elif st.session_state.data_source == SOURCES[3]:
        size_picker()
        made_dataset_panel(SIZES[st.session_state.data_size])
    else:
        size_picker()
        st.file_uploader(
            "A .zip with one folder of images per class (cats/1.jpg, dogs/1.jpg, ...)",
            type=["zip"],
            key="data_upload",
            on_change=on_upload,
            max_upload_size=MAX_UPLOAD_MB,
        )
