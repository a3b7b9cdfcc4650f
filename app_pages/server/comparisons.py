"""Runs compared, computed once for the whole server: two runs image by image, two to
ten runs from what they recorded, runs grouped by a setting, and a sweep's answer.

Streamlit-side only: `st.cache_resource` wrappers around `cnnviz.compare`,
`cnnviz.compare_many` and `cnnviz.grouping`, keyed by the runs and their
`cnnviz.runs.run_stamp`s (the times of their files), so a retrained or reimported run is
read again. Callers must not change what they get.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from app_pages.frame.desk import viewer
from app_pages.server.runs import evaluation, images_hidden
from cnnviz import runs


def _stamps(ids: Sequence[str]) -> tuple[tuple[int, ...], ...]:
    root = runs.runs_root()
    return tuple(runs.run_stamp(root / run_id) for run_id in ids)


@st.cache_resource(show_spinner="Comparing the runs...", max_entries=4)
def _comparison(a: str, b: str, root: str, stamps: tuple, who):
    from cnnviz.compare import compare_runs

    pair = runs.load_run(a, root), runs.load_run(b, root)
    seen = [None if images_hidden(run) else evaluation(run.id) for run in pair]
    return compare_runs(*pair, evaluations=tuple(seen), viewer=who)


def comparison(a: str, b: str):
    """`cnnviz.compare.Comparison` of runs A and B, computed once per pair of models (and
    who looks: another desk's upload is compared by its metrics, not its images)."""
    return _comparison(a, b, str(runs.runs_root()), _stamps((a, b)), viewer())


@st.cache_resource(show_spinner="Comparing the runs...", max_entries=4)
def _many(ids: tuple[str, ...], root: str, stamps: tuple):
    from cnnviz.compare_many import compare_many

    return compare_many([runs.load_run(run_id, root) for run_id in ids])


def many_comparison(ids: Sequence[str]):
    """`cnnviz.compare_many.ManyComparison` of 2 to 10 runs (in this order), computed
    once per state of their files."""
    ids = tuple(ids)
    return _many(ids, str(runs.runs_root()), _stamps(ids))


@st.cache_resource(show_spinner="Grouping the runs...", max_entries=8)
def _grouping(ids: tuple[str, ...], root: str, stamps: tuple, setting: str):
    from cnnviz.grouping import group_runs

    return group_runs([runs.load_run(run_id, root) for run_id in ids], setting)


def grouping(ids: Sequence[str], setting: str):
    """`cnnviz.grouping.Grouping` of the runs by `setting`: each group's runs, mean,
    spread and mean curves, computed once per setting and state of the runs' files."""
    ids = tuple(ids)
    return _grouping(ids, str(runs.runs_root()), _stamps(ids), setting)


@st.cache_resource(show_spinner=False, max_entries=4)
def _sweep_answer(ids: tuple[str, ...], root: str, stamps: tuple, settings: tuple[str, ...]):
    from cnnviz.grouping import sweep_results

    return sweep_results([runs.load_run(run_id, root) for run_id in ids], settings)


def sweep_answer(ids: Sequence[str], settings: Sequence[str]):
    """`cnnviz.grouping.SweepResults` of a sweep's runs grouped by each varied setting,
    computed once per state of the runs' files (a training run's change every epoch)."""
    ids = tuple(ids)
    return _sweep_answer(ids, str(runs.runs_root()), _stamps(ids), tuple(settings))
