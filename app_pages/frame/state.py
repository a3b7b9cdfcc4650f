"""The session's shared state: what the learner has chosen, kept across pages.

Shared state keys start with `cnnviz_`; widget keys start with their page's name.
Widget keys are cleared by Streamlit when a page is left, so pages copy widget values
into the shared keys in `on_change` callbacks. `init_state` only sets defaults: the run
to open first is the router's choice (`app_pages.server.runs.first_run`).
"""

from __future__ import annotations

import copy
from typing import Any

import streamlit as st

from cnnviz import presets
from cnnviz.settings import settings

DEFAULTS: dict[str, Any] = {
    "cnnviz_dataset": "digits",
    "cnnviz_data_dir": "",  # a TFDS data dir typed on Data (solo only); "": the server's
    "cnnviz_image_size": None,  # (height, width) to resize TFDS and folder sets to, or None
    "cnnviz_preset": presets.DEFAULT_PRESET,
    "cnnviz_spec": presets.PRESETS[presets.DEFAULT_PRESET].spec.to_dict(),
    "cnnviz_augment": {},
    "cnnviz_training": None,  # a TrainConfig dict once chosen, else the preset's suggestions
    "cnnviz_run": None,
    "cnnviz_projector": False,  # large type and a colour-blind-safe palette
    "cnnviz_lesson": None,  # the id of the lesson being followed
    "cnnviz_lesson_step": 0,
}
EVERYONE = "cnnviz_everyone"  # the "Everyone's runs" switch, one value for every page


def init_state() -> None:
    """Put the defaults into session state: digits, the default preset, no run."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = copy.deepcopy(value)


def arrived_at(page: str) -> bool:
    """Whether this run shows another page than the last one (the router, each run)."""
    arrived = st.session_state.get("cnnviz_page") != page
    st.session_state.cnnviz_page = page
    return arrived


def data_dir() -> str | None:
    """The TFDS data dir datasets load from: the session's (solo), else the server's."""
    if settings().classroom:
        return settings().tfds_data_dir
    return st.session_state.get("cnnviz_data_dir") or settings().tfds_data_dir


def current_preset() -> str | None:
    """The preset the current spec still equals, if any."""
    name = st.session_state.cnnviz_preset
    preset = presets.PRESETS.get(name)
    return name if preset and preset.spec.to_dict() == st.session_state.cnnviz_spec else None


def new_uid() -> int:
    """A new id for a layer of the Build page (widget keys survive reordering)."""
    st.session_state.build_next_uid = st.session_state.get("build_next_uid", 0) + 1
    return st.session_state.build_next_uid


def replace_spec(spec: dict[str, Any]) -> None:
    """Make `spec` (a model spec dict) the session's, each layer with a new uid."""
    st.session_state.cnnviz_spec = spec
    st.session_state.build_uids = [new_uid() for _ in spec.get("layers", [])]
