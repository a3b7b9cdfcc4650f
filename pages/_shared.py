"""What every page shares: session defaults, cached engine objects, error display.

Streamlit-side only (caching wrappers live here, never in `cnnviz`). Shared state keys
start with `cnnviz_`; widget keys start with their page's name. Widget keys are cleared
by Streamlit when a page is left, so pages copy widget values into the shared keys in
`on_change` callbacks.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import streamlit as st

from cnnviz import presets
from cnnviz.errors import CnnvizError

DEFAULTS: dict[str, Any] = {
    "cnnviz_dataset": "digits",
    "cnnviz_data_dir": os.environ.get("TFDS_DATA_DIR", ""),
    "cnnviz_preset": presets.DEFAULT_PRESET,
    "cnnviz_spec": presets.PRESETS[presets.DEFAULT_PRESET].spec.to_dict(),
    "cnnviz_augment": {},
    "cnnviz_run": None,
}


def init_state() -> None:
    """Put the defaults into session state: digits, the default preset, no run."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = copy.deepcopy(value)


def runs_dir() -> str:
    return os.environ.get("CNNVIZ_RUNS_DIR", "runs")


@st.cache_resource(show_spinner="Loading the dataset...", max_entries=3)
def _load(dataset_id: str, data_dir: str):
    from cnnviz.data import load_dataset

    return load_dataset(dataset_id, data_dir=data_dir or None)


def current_dataset():
    """The chosen dataset (cached), or None after showing why it cannot be loaded."""
    init_state()
    try:
        return _load(st.session_state.cnnviz_dataset, st.session_state.cnnviz_data_dir)
    except CnnvizError as err:
        st.error(str(err))
        return None


def show_error(err: Exception) -> None:
    """A learner's mistake, in the engine's own words."""
    st.error(str(err), icon=":material/error:")
