"""The keyboard's way to pick what a click on a chart picks: one select box per coordinate
(a confusion cell's true and predicted class, a map pixel's row and column), beside the
clickable chart, writing the same pick the click writes.

Plotly charts cannot be reached by keyboard (plotly.js #4264), so every clickable chart
has these boxes. They show the current pick (a click moves them too); a box chosen alone
waits for the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

Box = tuple[str, Sequence[Any], str, Callable[[Any], str]]  # label, options, key, format


def pick_boxes(
    columns: Sequence[Any],
    boxes: Sequence[Box],
    current: Sequence[Any] | None,
    on_pick: Callable[..., None],
) -> None:
    """One select box per coordinate of a pick.

    Args:
        columns: where each box goes (e.g. `st.columns(2)`), one per box.
        boxes: (label, options, widget key, format function) of each coordinate.
        current: the pick the chart shows (one value per box), or None.
        on_pick: called with one value per box once every box has one.
    """
    state = st.session_state
    keys = [key for _, _, key, _ in boxes]
    for (_, options, key, _), value in zip(boxes, current or [None] * len(boxes)):
        if current is not None or state.get(key) not in options:
            state[key] = value  # the chart's pick, or no stale value outside the options
    if current is None and all(state.get(key) is not None for key in keys):
        for key in keys:  # both chosen, but the pick went (another channel, another run)
            state[key] = None

    def chosen() -> None:
        values = [state.get(key) for key in keys]
        if None not in values:
            on_pick(*values)

    for column, (label, options, key, shown) in zip(columns, boxes):
        column.selectbox(
            label,
            options,
            index=None,
            key=key,
            format_func=shown,
            placeholder="Choose",
            on_change=chosen,
        )
