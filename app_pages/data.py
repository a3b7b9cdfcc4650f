"""Data: choose the images a model learns from, and look at them before training."""

import streamlit as st

from app_pages._datasets import current_dataset, dataset_words, switch_dataset, use_upload
from app_pages._feedback import plain, show_error
from app_pages._state import init_state
from cnnviz.augment import grid_image
from cnnviz.data import list_datasets
from cnnviz.data.tfds import TFDS_SETS
from cnnviz.errors import CnnvizError
from cnnviz.figures.datasets import class_distribution_figure
from cnnviz.images import enlarge

SOURCES = ["Built-in", "TFDS", "Upload a zip"]
BUILTINS = {i: d for i, d in list_datasets() if not i.startswith("tfds:")}
MAX_UPLOAD_MB = 200  # also Streamlit's own server.maxUploadSize default
MOSAICS = 40  # classes shown as pictures: a zip of 2,000 class folders drew 2,000
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
    name, data_dir = state.data_tfds.strip(), state.data_data_dir.strip()
    state.data_error = switch_dataset(
        f"tfds:{name}", data_dir=data_dir, image_size=SIZES[state.data_size], download=download
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
    if state.cnnviz_dataset.partition(":")[0] in ("tfds", "folder"):
        state.data_error = switch_dataset(
            state.cnnviz_dataset, image_size=SIZES[state.data_size], download=False
        )


def size_picker() -> None:
    st.selectbox("Image size", list(SIZES), key="data_size", on_change=on_size, help=SIZE_HELP)


init_state()
active = st.session_state.cnnviz_dataset
kind = active.partition(":")[0]
source = {"tfds": SOURCES[1], "folder": SOURCES[2]}.get(kind, SOURCES[0])
st.session_state.setdefault("data_source", source)
st.session_state.setdefault("data_builtin", active if active in BUILTINS else "digits")
st.session_state.setdefault("data_tfds", active[5:] if kind == "tfds" else "fashion_mnist")
st.session_state.setdefault("data_data_dir", st.session_state.cnnviz_data_dir)
st.session_state.setdefault("data_error", None)
size_now = st.session_state.cnnviz_image_size
st.session_state.setdefault(
    "data_size", next((k for k, v in SIZES.items() if v == size_now), "as stored")
)

st.title("Data")
st.caption(
    "Pick a dataset: Build, Train and Inspect all use it. Look at a few images of "
    "each class, and at how many there are, before you train."
)
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
        "TFDS dataset (or type a name)", list(TFDS_SETS), key="data_tfds", accept_new_options=True
    )
    with size:
        size_picker()
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
else:
    size_picker()
    st.file_uploader(
        "A .zip with one folder of images per class (cats/1.jpg, dogs/1.jpg, ...)",
        type=["zip"],
        key="data_upload",
        on_change=on_upload,
        max_upload_size=MAX_UPLOAD_MB,
    )
if st.session_state.data_error:
    show_error(CnnvizError(st.session_state.data_error))

dataset = current_dataset()
if dataset is not None:
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
        grid[slot % 4].image(mosaic, caption=plain(info.class_names[index]), output_format="PNG")
    chart.markdown("**Images per class**")
    figure = class_distribution_figure(info.class_names, info.per_class)
    chart.plotly_chart(figure, width="stretch", key="data_chart")
