"""Data's **Make your own**: a dataset made in the browser, the desk's own (`cnnviz.collect`).

Pick one of the desk's made datasets or make a new one; name its classes (add, rename,
delete; at least 2) and fill them (`app_pages.panels.collect_fill`); read why it cannot
be trained on yet; **Use this dataset** makes it the session's dataset (an `upload:` id,
so Train, Inspect, links and bundles take it as any upload); **Download as zip**. The
whole section is a fragment: a burst of photos reruns it, not the page.
"""

from __future__ import annotations

import streamlit as st

from app_pages.frame.desk import current_desk
from app_pages.frame.feedback import plain, show_error
from app_pages.panels.collect_fill import act, fill_panel
from app_pages.session.dataset import switch_dataset
from cnnviz import collect
from cnnviz.collect_images import zip_bytes
from cnnviz.errors import CnnvizError

NEW = "(a new dataset)"


def _create() -> None:
    dataset = act(collect.new_dataset, st.session_state.get("collect_new_name", ""))
    if dataset:
        st.session_state.collect_dataset = dataset
        st.session_state.collect_new_name = ""


def _add_class(dataset: str) -> None:
    name = act(collect.add_class, dataset, st.session_state.get("collect_new_class", ""))
    if name:
        st.session_state.collect_new_class = ""
        st.session_state.collect_fill_class = name


def _rename(dataset: str, old: str, key: str) -> None:
    if act(collect.rename_class, dataset, old, st.session_state[key]) is None:
        st.session_state[key] = old  # refused: the field shows the class's name again


def _chosen(made_sets: list) -> str:
    """The dataset picker, a made dataset's id or NEW (the session's dataset at first)."""
    ids = [m.id for m in made_sets]
    state = st.session_state
    if state.get("collect_dataset") not in [*ids, NEW]:
        active = state.cnnviz_dataset
        state.collect_dataset = active if active in ids else (ids[0] if ids else NEW)
    labels = {m.id: m.label for m in made_sets}
    return st.selectbox(
        "Your dataset", [*ids, NEW], key="collect_dataset", format_func=lambda i: labels.get(i, i)
    )


def _classes(made) -> None:
    """One row per class: its name (type to rename), its count, **Delete**; then **Add class**."""
    for number, made_class in enumerate(made.classes):
        name, count, delete = st.columns([4, 2, 2], vertical_alignment="bottom")
        key = f"collect_class_{made.id}_{made_class.name}"
        st.session_state.setdefault(key, made_class.name)
        name.text_input(
            f"Class {number + 1}",
            key=key,
            on_change=_rename,
            args=(made.id, made_class.name, key),
            help="Type a new name to rename the class (its images stay).",
        )
        count.markdown(f"{len(made_class.images)} images")
        with delete.popover("Delete", icon=":material/delete:"):
            st.markdown(
                f"Delete class **{plain(made_class.name)}** and its "
                f"{len(made_class.images)} images?"
            )
            st.button(
                "Delete class",
                key=f"collect_delete_{made.id}_{made_class.name}",
                type="primary",
                on_click=act,
                args=(collect.delete_class, made.id, made_class.name),
            )
    new, add = st.columns([4, 4], vertical_alignment="bottom")
    new.text_input("New class", key="collect_new_class", placeholder="e.g. thumbs up")
    add.button("Add class", key="collect_add_class", on_click=_add_class, args=(made.id,))


def _use(made, size) -> None:
    """Make `made` the session's dataset when it can be trained on; the page then shows it."""
    try:
        collect.check_ready(collect.open_made(made.id, desk=current_desk()))
    except CnnvizError as err:
        st.session_state.collect_error = str(err)
        return
    error = switch_dataset(made.id, image_size=size)
    if error:
        st.session_state.collect_error = error
    else:
        st.rerun(scope="app")


def _zipped(dataset: str, desk: str | None) -> bytes:
    """The zip, made when the button is pressed (on a thread of its own: no page here)."""
    try:
        return zip_bytes(dataset, desk=desk)
    except CnnvizError as err:
        return f"error: {err}".encode()


@st.fragment
def made_dataset_panel(size) -> None:
    """The whole section; `size` is the image size chosen on Data, (height, width) or None."""
    desk = current_desk()
    made_sets = collect.made_datasets(desk)
    chosen = _chosen(made_sets)
    if chosen == NEW:
        name, create = st.columns([4, 1], vertical_alignment="bottom")
        name.text_input(
            "Name of the new dataset", key="collect_new_name", placeholder="e.g. my desk things"
        )
        create.button("Create", key="collect_create", type="primary", on_click=_create)
    else:
        made = next(m for m in made_sets if m.id == chosen)
        st.markdown(
            f"**Classes of {plain(made.label)}**: at least 2, each with "
            f"{collect.MIN_IMAGES} images or more (a few dozen make a better model)."
        )
        _classes(made)
        fill_panel(made)
        made = collect.open_made(made.id, desk=desk)  # as filled now
        for problem in collect.problems(made):
            st.warning(f"Not ready to train: {plain(problem)}.", icon=":material/warning:")
        use, download = st.columns([1, 1])
        if use.button("Use this dataset", key="collect_use", type="primary"):
            _use(made, size)
        download.download_button(
            "Download as zip",
            data=lambda: _zipped(made.id, desk),
            file_name=f"{made.label}.zip",
            mime="application/zip",
            key="collect_zip",
            on_click="ignore",
        )
    if st.session_state.get("collect_error"):
        show_error(st.session_state.pop("collect_error"))
