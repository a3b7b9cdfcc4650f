"""The session's shared state: what the learner has chosen, kept across pages.

Shared state keys start with `cnnviz_`; widget keys start with their page's name.
Widget keys are cleared by Streamlit when a page is left, so pages copy widget values
into the shared keys in `on_change` callbacks.
"""

from __future__ import annotations

import copy
from typing import Any

import streamlit as st

from app_pages._process import keep_keras_session, settle_imports
from cnnviz import presets
from cnnviz.settings import settings

DEFAULTS: dict[str, Any] = {
    "cnnviz_dataset": "digits",
    "cnnviz_data_dir": settings().tfds_data_dir or "",
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


def init_state() -> None:
    """Put the defaults into session state: digits, the default preset, no run."""
    keep_keras_session()
    settle_imports()
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = copy.deepcopy(value)
            if key == "cnnviz_run":  # a new session (or a refresh): the newest trained run
                from app_pages._runs import trained_run_ids

                st.session_state[key] = next(iter(trained_run_ids()), None)


def current_preset() -> str | None:
    """The preset the current spec still equals, if any."""
    name = st.session_state.cnnviz_preset
    preset = presets.PRESETS.get(name)
    return name if preset and preset.spec.to_dict() == st.session_state.cnnviz_spec else None
