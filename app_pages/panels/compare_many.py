"""Compare's view of three to ten runs: their settings and test accuracy (every setting,
or only those that differ), their curves overlaid, each class's accuracy side by side, and
the runs grouped by a setting (`compare_groups`). Computed once per set of runs
(`app_pages.server.runs.many_comparison`) from what the runs recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from app_pages.frame.feedback import plain, show_error
from app_pages.frame.figures import show_figure
from app_pages.panels.compare_groups import setting_words, show_groups
from app_pages.server.comparisons import many_comparison
from cnnviz.errors import CnnvizError
from cnnviz.figures.compare_many import per_class_runs_figure, runs_curves_figure


def settings_table(result, names: list[str], *, differences_only: bool) -> list[dict[str, Any]]:
    """The runs' test accuracy, then one row per setting (only those that differ with
    `differences_only`): {"setting": its name, each run's name: its value as text}."""
    column = dict(zip(result.runs, names, strict=True))
    accuracy = {
        column[run]: "-" if value is None else f"{value:.1%}"
        for run, value in zip(result.runs, result.test_accuracy, strict=True)
    }
    rows = [
        {"setting": setting_words(row["setting"]), **{column[r]: row[r] for r in result.runs}}
        for row in result.table(differences_only=differences_only)
    ]
    return [{"setting": "test accuracy", **accuracy}, *rows]


def show_many(ids: list[str], label: Callable[[str], str]) -> None:
    """The runs `ids` (3 to 10, in this order) side by side, each named by `label`."""
    try:
        result = many_comparison(ids)
    except CnnvizError as err:
        show_error(err)
        return
    names = [label(run) for run in result.runs]

    st.subheader("Settings and test accuracy")
    only = st.toggle(
        "Differences only",
        value=True,
        key="compare_differences_only",
        help="On: only the settings whose values differ between the runs. Off: every setting.",
    )
    st.dataframe(
        settings_table(result, names, differences_only=only),
        hide_index=True,
        width="stretch",
        column_config={"setting": st.column_config.TextColumn(pinned=True)},
        key="compare_many_settings",
    )
    if only and not result.settings_diff:
        st.caption("The runs have the same settings: switch off **Differences only** to see them.")

    st.subheader("Curves")
    st.caption("Validation solid, training dotted; one colour per run.")
    show_figure(runs_curves_figure(result.histories, names), key="compare_many_curves")

    st.subheader("Per class")
    if result.per_class_accuracy is None:
        st.info(f"No per-class accuracy side by side: {plain(result.reason)}.")
    else:
        show_figure(
            per_class_runs_figure(result.per_class_accuracy, result.class_names, names),
            key="compare_many_per_class",
        )

    show_groups(result, label)
