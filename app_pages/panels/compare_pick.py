"""Compare's choice of runs: 2 to 10 trained runs (this desk's, or everyone's one switch
away), the two newest at first, or every run of a sweep in one click; with two, which is
A (the first try) and which is B (the new try), either box able to pick any other run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import streamlit as st

from app_pages.panels.run_picker import run_label, whose_runs
from app_pages.server.listing import listed_runs
from cnnviz.compare_many import MAX_RUNS, MIN_RUNS
from cnnviz.grouping import experiment_runs
from cnnviz.sweep_record import record_of

RUNS_KEY = "compare_runs"
A_KEY, B_KEY = "compare_run_a", "compare_run_b"
PAIR_KEY = "compare_pair"  # the two runs picked when A and B were last set to them
PENDING = "cnnviz_compare_pick"  # runs another page asks Compare to open with (newest first)


def _sweep_of(picked: list[str], runs: dict) -> list[str]:
    """The trained runs (newest first, at most MAX_RUNS) of the sweep of the newest
    picked run that belongs to one; [] when none does."""
    for run_id in reversed(picked):
        record = record_of(runs[run_id].config)
        if record is not None:
            return [run.id for run in experiment_runs(runs.values(), record.get("id"))][:MAX_RUNS]
    return []


def _pick(members: list[str]) -> None:
    st.session_state[RUNS_KEY] = members[::-1]  # the oldest first, as the page shows them


class Choice(NamedTuple):
    """The runs picked (the oldest first), every run one may pick (newest first) and how
    the page names a run."""

    picked: list[str]
    listed: list[str]
    label: Callable[[str], str]


def pick_runs() -> Choice | None:
    """The runs to compare (2 to MAX_RUNS); None, after saying why, when there are too
    few or too many."""
    desk = whose_runs("compare_everyone")  # this desk's, or everyone's
    runs = {run.id: run for run in listed_runs(desk) if run.has_model}  # newest first
    ids = list(runs)
    if len(ids) < MIN_RUNS:
        st.info(
            "Compare needs two trained runs: train one on the **Train** page, change one "
            "thing (a layer, the learning rate, augmentation) and train again."
        )
        return None
    label = run_label({run_id: run.owner for run_id, run in runs.items()})
    if asked := [run_id for run_id in st.session_state.pop(PENDING, ()) if run_id in runs]:
        _pick(asked[:MAX_RUNS])  # e.g. a sweep's runs, from Train
    if RUNS_KEY not in st.session_state:
        st.session_state[RUNS_KEY] = ids[1::-1]  # the two newest, the older first
    chosen = st.multiselect(
        "Runs to compare",
        ids,
        format_func=label,
        key=RUNS_KEY,
        help=(
            f"Two runs: side by side, layer by layer and image by image. Three to {MAX_RUNS}: "
            "their settings, curves and classes, grouped by a setting."
        ),
    )
    picked = [run_id for run_id in reversed(ids) if run_id in chosen]
    sweep = _sweep_of(picked, runs)
    if len(sweep) >= MIN_RUNS and set(sweep) != set(picked):
        st.button(
            f"Compare the {len(sweep)} runs of its sweep",
            on_click=_pick,
            args=(sweep,),
            key="compare_sweep",
            help="Every trained run of the sweep (or class experiment) of the newest picked run.",
        )
    if len(picked) < MIN_RUNS:
        st.info(f"Pick two runs or more to compare (at most {MAX_RUNS}).")
        return None
    if len(picked) > MAX_RUNS:
        st.warning(
            f"Compare shows at most {MAX_RUNS} runs at once, and {len(picked)} are picked: "
            f"remove {len(picked) - MAX_RUNS} of them."
        )
        return None
    return Choice(picked, ids, label)


def _picked_pair() -> None:
    """`on_change` of A and B: two different runs become the runs picked."""
    state = st.session_state
    a, b = state[A_KEY], state[B_KEY]
    if a != b:
        state[RUNS_KEY], state[PAIR_KEY] = [a, b], sorted((a, b))


def pick_pair(choice: Choice) -> tuple[str, str] | None:
    """Of the two runs picked, A (the first try; at first the older) and B (the new
    try), each one box away from any other run; None, after saying why, when A and B
    are the same run."""
    state = st.session_state
    if state.get(PAIR_KEY) != sorted(choice.picked) or A_KEY not in state or B_KEY not in state:
        state[A_KEY], state[B_KEY] = choice.picked  # other runs picked: the boxes follow
        state[PAIR_KEY] = sorted(choice.picked)
    left, right = st.columns(2)
    boxes = {"format_func": choice.label, "on_change": _picked_pair}
    a = left.selectbox("Run A (the first try)", choice.listed, key=A_KEY, **boxes)
    b = right.selectbox("Run B (the new try)", choice.listed, key=B_KEY, **boxes)
    if a == b:
        st.info("A and B are the same run: choose two different runs.")
        return None
    return a, b
