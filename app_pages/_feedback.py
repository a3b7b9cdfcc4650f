"""How the pages speak to the learner: the engine's messages, and what users typed,
shown as text (never as Markdown or HTML)."""

from __future__ import annotations

import re

import streamlit as st

# What can change inline Markdown: code, emphasis, links and images ([...](...)), HTML and
# autolinks (<...>), LaTeX ($), tables (|), Streamlit's :icons: and :colour[text], entities.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>$~|:&#])")


def plain(text: str) -> str:
    """`text` escaped for st.markdown: every Markdown or HTML character is shown as it is.

    Use it wherever a name the user typed (a model, a layer type, a class folder) is put
    into Markdown: `**{plain(name)}**`.
    """
    return _MARKDOWN.sub(r"\\\1", str(text)).replace("\n", " ")


def show_error(err: Exception | str) -> None:
    """A learner's mistake, in the engine's own words (shown as text: an error quotes
    what the user typed)."""
    st.error(plain(str(err)), icon=":material/error:")


def runs_folder_warning() -> None:
    """Say at once when nothing can be saved in the runs folder (a file, read-only)."""
    from cnnviz.rundir import root_problem

    problem = root_problem()
    if problem:
        st.warning(plain(problem), icon=":material/folder_off:")
