"""One way to show a figure: drawn, named by its text alternative, its numbers at hand.

Every figure of `cnnviz.figures` carries a text alternative (`cnnviz.figures.alt`): a
sentence naming its key numbers, and the numbers as rows. A page shows a figure only
through `show_figure` (plotly) or `show_picture` (an SVG diagram or a picture of pixels):

- the summary is the figure's accessible name: Streamlit's own `alt` (1.67), which puts
  ``role="figure"`` and ``aria-label`` on a chart's container and ``alt`` on an ``<img>``;
- the summary is also written under it, as text anyone can read (a name the user typed
  in it stays text: `plain`);
- its numbers are a table one click away, in an expander "The numbers"
  (WCAG 2.1's 1.1.1 "Non-text content": the accepted pattern for charts), drawn when
  opened.

Plotly figures are drawn through `projector.styled`, so the projector's large type and
palette apply to every chart the same way.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages.frame.feedback import plain
from app_pages.frame.projector import styled
from cnnviz.figures.alt import FigureText, text_of

NUMBERS = "The numbers"  # the expander's label under every figure


def figure_text(text: FigureText, *, key: str) -> None:
    """The summary as text, and the table in an expander (none when it has no rows).

    The table is drawn only while its expander is open (opening it reruns the page):
    every page run used to build and send every figure's table, about a tenth of the
    server's time with 60 desks (bench_classroom).

    Args:
        text: the figure's `FigureText`.
        key: the figure's key; the table is keyed ``{key}_numbers``, its expander
            ``{key}_numbers_open``.
    """
    st.caption(plain(text.summary))
    if text.table:
        opened = st.expander(
            NUMBERS, icon=":material/table:", key=f"{key}_numbers_open", on_change="rerun"
        )
        with opened:
            if opened.open:  # drawn when opened: a closed table costs no page run anything
                st.dataframe(text.table, hide_index=True, width="stretch", key=f"{key}_numbers")


def show_figure(figure, *, key: str, **options: Any):
    """Draw a plotly figure of `cnnviz.figures` with its text alternative.

    Args:
        figure: a builder's figure (it carries its text, `alt.with_text`).
        key: the chart's widget key (page-prefixed), kept as it was: a clickable chart's
            selection is read from it.
        **options: `st.plotly_chart`'s own (``on_select``, ``selection_mode``, ``config``,
            ``width``: "stretch" unless given).

    Returns:
        What `st.plotly_chart` returns (the selection state for a clickable chart).
    """
    text = text_of(figure)
    options.setdefault("width", "stretch")
    shown = st.plotly_chart(styled(figure), key=key, alt=text.summary, **options)
    figure_text(text, key=key)
    return shown


def show_picture(
    picture, *, key: str, text: FigureText | None = None, caption: str | None = None, **options
) -> None:
    """Draw a picture with its text alternative: its ``alt``, the summary and the table.

    Args:
        picture: SVG markup from `cnnviz.figures.concepts` (it carries its own text), or
            pixels (an array, PNG or JPEG bytes) with `text` from its ``*_text`` companion.
        key: names the picture's table (``{key}_numbers``).
        text: the text alternative of a picture made of pixels.
        caption: the visible caption, if any (Markdown the app wrote).
        **options: `st.image`'s own (``width``, ``output_format``).
    """
    text = text_of(picture) if text is None else text
    st.image(picture, caption=caption, alt=text.summary, **options)
    figure_text(text, key=key)
