"""Filling one class of a dataset made in the browser: a webcam burst or snapshots, a
drawing, or many image files dropped at once; then the class as a grid, to remove the
bad ones (`cnnviz.collect_images`).

Files larger than an image may be are refused by the browser before they are sent
(`max_upload_size`); the uploader starts empty again once its files are kept, so they
are not held twice. What cannot be kept is said, naming the image.
"""

from __future__ import annotations

import math

import streamlit as st

from app_pages.frame.desk import current_desk
from app_pages.frame.feedback import plain, show_error
from app_pages.panels.canvas import drawing_canvas
from app_pages.panels.webcam import jpeg_bytes
from app_pages.panels.webcam_burst import webcam_burst
from app_pages.server.datasets import IMAGE_TYPES
from cnnviz.collect_images import MAX_IMAGE_BYTES, add_images, image_bytes, remove_image
from cnnviz.errors import CnnvizError

METHODS = ["Camera", "Draw", "Files"]
MAX_FILES = 500  # images dropped at once
SHOWN, COLUMNS = 48, 8  # images of a class on one page of the grid


def act(action, *args):
    """`action(*args, desk=<this desk>)`; a refusal is kept to show, and None returned."""
    try:
        return action(*args, desk=current_desk())
    except CnnvizError as err:
        st.session_state.collect_error = str(err)
        return None


def _added(dataset: str, name: str, images: list[tuple[bytes, str]]) -> None:
    added = act(add_images, dataset, name, images)
    if added is not None:
        st.session_state.collect_said = (added.count, name, added.refused)


def _on_batch(dataset: str) -> None:
    """Keep the recorder's last batch of frames once (it may come again)."""
    batch = (st.session_state.get("collect_camera") or {}).get("batch") or {}
    number = int(batch.get("id") or 0)
    if number <= st.session_state.get("collect_stored", 0):
        return
    st.session_state.collect_stored = number  # kept or refused, the recorder goes on
    photos = list(batch.get("images") or [])[:MAX_FILES]
    images = [(jpeg_bytes(u) or b"", f"photo {i + 1}") for i, u in enumerate(photos)]
    _added(dataset, str(batch.get("target")), images)


def _on_files(dataset: str, name: str, key: str) -> None:
    files = list(st.session_state.get(key) or [])
    refused = [f"{f.name}: only {MAX_FILES} images at once" for f in files[MAX_FILES:]]
    _added(dataset, name, [(f.getvalue(), f.name) for f in files[:MAX_FILES]])
    st.session_state.collect_files_round = st.session_state.get("collect_files_round", 0) + 1
    if refused and "collect_said" in st.session_state:
        count, target, others = st.session_state.collect_said
        st.session_state.collect_said = (count, target, (*others, *refused))


def _said() -> None:
    count, name, refused = st.session_state.pop("collect_said")
    st.success(f"Added {count} image{'s' * (count != 1)} to {plain(name)}.")
    if refused:
        listed = "; ".join(refused[:5]) + (f" (and {len(refused) - 5} more)" * (len(refused) > 5))
        st.warning(plain(f"Not added: {listed}"), icon=":material/warning:")


def fill_panel(made) -> None:
    """Fill a class of `made` (`cnnviz.collect.Made`) and look at its images."""
    if not made.classes:
        st.info("Add a class, then fill it with the camera, drawings or image files.")
        return
    state = st.session_state
    if state.get("collect_fill_class") not in made.class_names:
        state.collect_fill_class = made.class_names[0]
    pick, how = st.columns([1, 1])
    name = pick.selectbox("Fill class", made.class_names, key="collect_fill_class")
    method = how.radio("With", METHODS, horizontal=True, key="collect_method")
    if method == "Camera":
        st.caption(
            "Keep **Hold to record** pressed (mouse, finger or space bar): about ten photos "
            "a second. **Snapshot** takes one."
        )
        _on_batch(made.id)  # the batch that made this run, if new: kept before it is answered
        webcam_burst(key="collect_camera", target=name, stored=state.get("collect_stored", 0))
    elif method == "Draw":
        drawing = drawing_canvas(key="collect_canvas")
        st.button(
            f"Add the drawing to {plain(name)}",
            key="collect_add_drawing",
            disabled=drawing is None,
            on_click=_added,
            args=(made.id, name, [(drawing, "the drawing")]),
        )
    else:
        key = f"collect_files_{state.get('collect_files_round', 0)}"
        st.file_uploader(
            f"Images for {plain(name)}: drop many at once (each at most "
            f"{MAX_IMAGE_BYTES // 10**6} MB)",
            type=IMAGE_TYPES,
            accept_multiple_files=True,
            key=key,
            on_change=_on_files,
            args=(made.id, name, key),
            max_upload_size=MAX_IMAGE_BYTES // 10**6,
        )
    if "collect_said" in state:
        _said()
    image_grid(made.id, made.get(name).images, name)


def image_grid(dataset: str, images: tuple[str, ...], name: str) -> None:
    """A class's images, newest first, each with **Remove**; SHOWN a page."""
    if not images:
        st.caption(f"{plain(name)} has no images yet.")
        return
    newest = images[::-1]
    pages = math.ceil(len(newest) / SHOWN)
    head, page_at = st.columns([3, 1], vertical_alignment="bottom")
    head.markdown(f"**{plain(name)}**: {len(images)} images, the newest first")
    page = 1
    if pages > 1:
        page = page_at.number_input("Page", 1, pages, 1, key=f"collect_page_{name}")
    columns = st.columns(COLUMNS)
    for place, image in enumerate(newest[(page - 1) * SHOWN : page * SHOWN]):
        number = len(images) - (page - 1) * SHOWN - place
        with columns[place % COLUMNS]:
            try:
                data = image_bytes(dataset, name, image, desk=current_desk())
                st.image(data, width="stretch", alt=f"{name}, image {number}")
            except CnnvizError as err:
                show_error(err)
            st.button(
                f"Remove {number}",
                key=f"collect_remove_{image}",
                on_click=act,
                args=(remove_image, dataset, name, image),
                help=f"Remove image {number} of {plain(name)}",
            )
