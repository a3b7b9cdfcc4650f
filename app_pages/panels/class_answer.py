"""The class experiment's answer on the projector, for everyone, as it comes in: the
results grouped by each varied setting (each desk a dot, each group's mean and spread),
the curves of each group, every run in parallel coordinates, and which setting mattered
most, in words. Runs whose desk changed other settings too are shown apart. With the
teacher's **Hide desk names** on, no figure, label or hover names a desk.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from app_pages.frame.feedback import plain, show_error
from app_pages.frame.figures import show_figure
from app_pages.panels.classroom import HIDDEN
from app_pages.panels.compare_groups import setting_words
from app_pages.server.comparisons import sweep_answer
from app_pages.server.listing import listed_runs
from cnnviz.class_experiment import opened
from cnnviz.classstate import read_class_state
from cnnviz.errors import CnnvizError
from cnnviz.figures.parallel import parallel_coordinates_figure
from cnnviz.figures.sweep import group_curves_figure, grouped_results_figure
from cnnviz.grouping import experiment_runs
from cnnviz.sweep_settings import value_label


def nameless(results):
    """`results` (a `SweepResults`) with no desk name: dots labelled "(hidden)", runs
    shown apart and parallel-coordinates lines named by their run id."""
    groupings = {
        name: replace(
            grouping,
            groups=tuple(replace(g, labels=(HIDDEN,) * len(g.runs)) for g in grouping.groups),
            apart=tuple(replace(a, label=a.run) for a in grouping.apart),
        )
        for name, grouping in results.groupings.items()
    }
    rows = tuple({**row, "label": None} for row in results.rows)
    return replace(results, groupings=groupings, rows=rows)


def _points(share: float) -> str:
    return f"{share * 100:.1f} points"


def _tested(results, setting: str) -> list:
    return [g for g in results.groupings[setting].groups if g.mean is not None]


def verdict(results) -> str:
    """Which setting mattered most, in words (Markdown)."""
    tested = [e for e in results.effects if e.best_mean is not None]
    if not tested:
        return "No result yet: the answer appears here as the desks' trainings end."
    top, name = tested[0], plain(setting_words(tested[0].setting))
    value, mean = plain(value_label(top.best_value)), f"{top.best_mean:.1%} on average"
    best = f"{value}, {mean}"
    groups = _tested(results, top.setting)
    if len(groups) < 2:
        return f"So far only {name} = {value} has results ({mean}): the others are still training."
    if len(tested) > 1:
        other = tested[1]
        spread = (
            f"{_points(other.spread)}"
            if len(_tested(results, other.setting)) > 1
            else "one value with results so far"
        )
        said = (
            f"**{name[:1].upper() + name[1:]} mattered most**: its groups' mean test "
            f"accuracies are {_points(top.spread)} apart (best: {best}); "
            f"{plain(setting_words(other.setting))}: {spread}."
        )
    else:
        said = f"**The best {name}: {best}**, {_points(top.spread)} above the lowest."
    if any(sum(a is not None for a in g.accuracies) < 2 for g in groups):
        said += " With one run in a group, chance alone moves its mean: repeats make it surer."
    return said


def _figures(results) -> None:
    effects = [replace(e, setting=setting_words(e.setting)) for e in results.effects]
    columns = st.columns(len(results.settings))
    for k, (column, name) in enumerate(zip(columns, results.settings, strict=True)):
        figure = grouped_results_figure(
            results.groupings[name].groups, setting=setting_words(name), effects=effects
        )
        with column:
            show_figure(figure, key=f"class_grouped_{k}")
    curves, every = st.tabs(["Curves of each group", "Every run"])
    columns = curves.columns(len(results.settings))
    for k, (column, name) in enumerate(zip(columns, results.settings, strict=True)):
        figure = group_curves_figure(results.groupings[name].groups, setting=setting_words(name))
        with column:
            show_figure(figure, key=f"class_curves_{k}")
    figure = parallel_coordinates_figure(results.rows, results.settings)
    with every:
        show_figure(figure, key="class_parallel")


def _answer() -> None:
    state = read_class_state()
    if state.experiment is None:
        return
    try:
        sweep, _ = opened(state.experiment)
    except CnnvizError as err:
        show_error(err)
        return
    st.subheader("The class experiment")
    if sweep.question:
        st.markdown(f"#### {plain(sweep.question)}")
    desks = len(state.experiment.desks)
    now = "desks take a combination at their next page change" if state.experiment.open else "ended"
    st.caption(f"{plain(sweep.describe())} · {desks} desks have a combination · {now}")
    runs = experiment_runs(listed_runs(), sweep.id)
    if not runs:
        st.info("No run yet: each desk presses **Start training** on its combination.")
        return
    results = sweep_answer([run.id for run in runs], sweep.settings)
    if state.hide_names:
        results = nameless(results)
    st.markdown(verdict(results))
    _figures(results)
    apart = {a.run: a for grouping in results.groupings.values() for a in grouping.apart}
    if apart:
        shown = ", ".join(plain(a.label) for a in apart.values())
        st.caption(f"Shown apart, as they changed other settings too: {shown}.")


def class_answer(refresh: float | None) -> None:
    """The answer, read again every `refresh` seconds (None: only when the page runs)."""
    if read_class_state().experiment is None:
        return
    with st.container(key="class_answer"):  # one place, e.g. for an accessibility check
        st.fragment(_answer, run_every=refresh)()
