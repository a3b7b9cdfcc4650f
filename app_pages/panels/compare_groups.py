"""Compare's runs grouped by a setting that differs between them (a sweep's runs by the
setting it varied, at first): each group's runs, mean and spread as a table and as dots,
and each group's curves (`app_pages.server.runs.grouping`, computed once per setting).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from app_pages.frame.feedback import plain, show_error
from app_pages.frame.figures import show_figure
from app_pages.server.comparisons import grouping
from app_pages.server.listing import listed_runs
from cnnviz.errors import CnnvizError
from cnnviz.figures.sweep import group_curves_figure, grouped_results_figure
from cnnviz.sweep_record import varied_of

PERCENT = st.column_config.NumberColumn(format="percent")


def setting_words(name: str) -> str:
    """A setting's name as the tables show it ("learning rate"; a layer's as it is,
    "conv2d_1.filters")."""
    return name if "." in name else name.replace("_", " ")


def swept(ids: Sequence[str], options: list[str]) -> int | None:
    """The index in `options` of the setting the newest run's sweep varied (None when
    no picked run is a sweep's, or its setting does not differ here)."""
    runs = {run.id: run for run in listed_runs()}
    for run_id in reversed(ids):
        run = runs.get(run_id)
        for name in varied_of(run.config) if run else ():
            if name in options:
                return options.index(name)
    return None


def group_rows(found, setting: str) -> list[dict[str, Any]]:
    """One row per group: the value, how many runs, their mean test accuracy and spread."""
    return [
        {
            setting_words(setting): group.label,
            "runs": len(group.runs),
            "mean test accuracy": group.mean,
            "spread (standard deviation)": group.std,
        }
        for group in found.groups
    ]


def show_groups(result, label: Callable[[str], str]) -> None:
    """The **Group by** select over the settings that differ (`result.groupable`) and
    the runs of `result` (a `ManyComparison`) grouped by the one chosen."""
    st.subheader("Grouped by a setting")
    options = result.groupable
    if not options:
        st.caption("No setting the runs can be grouped by differs between them.")
        return
    setting = st.selectbox(
        "Group by",
        options,
        index=swept(result.runs, options),
        format_func=setting_words,
        key="compare_group_by",
        placeholder="Choose a setting that differs",
        help="Each value's runs as dots, their mean and spread, and their curves.",
    )
    if setting is None:
        st.caption("Choose a setting to see the runs of each of its values together.")
        return
    try:
        found = grouping(result.runs, setting)
    except CnnvizError as err:
        show_error(err)
        return
    words = setting_words(setting)  # "learning rate", as the tables name it
    st.dataframe(
        group_rows(found, setting),
        hide_index=True,
        column_config={"mean test accuracy": PERCENT, "spread (standard deviation)": PERCENT},
        key="compare_groups",
    )
    show_figure(grouped_results_figure(found.groups, setting=words), key="compare_grouped")
    show_figure(group_curves_figure(found.groups, setting=words), key="compare_group_curves")
    if found.apart:
        runs = ", ".join(plain(label(apart.run)) for apart in found.apart)
        st.caption(f"Shown apart, as they changed other settings of their sweep too: {runs}.")
    if found.also_differ:
        others = ", ".join(plain(setting_words(name)) for name in found.also_differ)
        st.caption(
            f"These settings differ too, so the groups do not show {plain(words)} alone: {others}."
        )
