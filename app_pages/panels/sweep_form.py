"""The inputs of a sweep, for the teacher's class experiment (Class) and a learner's
**Try several settings** (Train): a question, one or two settings to vary with their
values, and repeats. The settings offered are those of the session's model
(`cnnviz.sweep_settings.settings_for`); another one may be typed, and the engine says
what is wrong with it (an unknown setting, with the closest name; a Dropout setting on a
model without Dropout). `form_sweep` reads them back as a checked `cnnviz.sweep.Sweep`.
"""

from __future__ import annotations

import math

import streamlit as st

from cnnviz.errors import CnnvizError


def _values(text: str) -> list[str]:
    return [value.strip() for value in str(text).split(",")]


def sweep_inputs(prefix: str, spec) -> None:
    """The question, the settings to vary (one or two), each one's values, and repeats;
    widget keys start with `prefix`."""
    from cnnviz.sweep import MAX_QUESTION, MAX_RUNS, MAX_SETTINGS
    from cnnviz.sweep_settings import settings_for

    known = settings_for(spec)
    st.text_input(
        "Question (optional)",
        key=f"{prefix}_question",
        max_chars=MAX_QUESTION,
        placeholder="Does the learning rate matter here?",
    )
    chosen = st.multiselect(
        "Settings to vary (one or two)",
        list(known),
        key=f"{prefix}_settings",
        max_selections=MAX_SETTINGS,
        accept_new_options=True,
        format_func=lambda name: f"{known[name].label} ({name})" if name in known else name,
        placeholder="Choose a setting (or type its name)",
        help="This model's settings: the hyper-parameters, augmentation on or off, each "
        "Dropout layer's rate and each Conv2D layer's filters.",
    )
    sizes = []
    for name in chosen:
        setting = known.get(name)
        label = setting.label if setting else name
        values = st.text_input(
            f"Values of {label}, separated by commas",
            value=setting.example.replace(",", ", ") if setting else "",
            key=f"{prefix}_values_{name}",
        )
        sizes.append(len([v for v in _values(values) if v]))
    repeats = st.number_input(
        "Repeats",
        1,
        MAX_RUNS,
        1,
        key=f"{prefix}_repeats",
        help="Runs of each combination, each with the next seed: the spread of a group "
        "shows how much chance alone moves the test accuracy.",
    )
    if chosen:
        counts = " × ".join(str(n) for n in sizes)
        runs = math.prod(sizes) * repeats
        st.caption(f"{counts} values, {repeats} × each: {runs} runs (at most {MAX_RUNS}).")


def form_sweep(prefix: str, spec):
    """The sweep the inputs of `prefix` describe, checked against `spec`.

    Raises:
        CnnvizError: no setting, a value missing, an unknown setting, a layer the model
            lacks, a value that does not fit, or more than 64 runs.
    """
    from cnnviz.sweep import Sweep

    state = st.session_state
    chosen = state.get(f"{prefix}_settings") or []
    if not chosen:
        raise CnnvizError("choose one or two settings to vary. Received: settings=[]")
    values = {}
    for name in chosen:
        typed = state.get(f"{prefix}_values_{name}", "")
        if not all(_values(typed)):
            raise CnnvizError(
                f"type the values of {name} to try, separated by commas, e.g. "
                f"0.001, 0.01. Received: values={typed!r}"
            )
        values[name] = _values(typed)
    return Sweep.of(
        values,
        spec,
        repeats=int(state.get(f"{prefix}_repeats", 1)),
        question=state.get(f"{prefix}_question", ""),
    )
