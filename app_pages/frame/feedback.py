"""How the pages speak to the learner: the engine's messages, and what users typed,
shown as text (never as Markdown or HTML)."""

from __future__ import annotations

import re

import streamlit as st

# What can change inline Markdown: code, emphasis, links and images ([...](...)), HTML and
# autolinks (<...>), LaTeX ($), tables (|), Streamlit's :icons: and :colour[text], entities.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>$~|:&#])")
# GFM's literal autolinks (http://..., www...., name@host.tld) are found in the text after
# escapes are undone, so no escape stops them: an invisible word joiner (U+2060) does.
_AUTOLINK = re.compile(r"(?i)(?<![\w])(https?|www|ftp|mailto)(?=\\?[:.])|(@)")


def plain(text: str) -> str:
    """`text` escaped for st.markdown: every Markdown or HTML character is shown as it is.

    Use it wherever a name the user typed (a model, a layer type, a class folder) is put
    into Markdown: `**{plain(name)}**`.
    """
    escaped = _MARKDOWN.sub(r"\\\1", str(text)).replace("\n", " ")
    return _AUTOLINK.sub(lambda m: f"{m.group(0)}\u2060", escaped)


def show_error(err: Exception | str) -> None:
    """A learner's mistake, in the engine's own words (shown as text: an error quotes
    what the user typed)."""
    st.error(plain(str(err)), icon=":material/error:")


def runs_folder_warning() -> None:
    """Say at once when nothing can be saved in the runs folder (a file, read-only)."""
    from cnnviz.runs import root_problem

    problem = root_problem()
    if problem:
        st.warning(plain(problem), icon=":material/folder_off:")


NOTICE_ICONS = {
    "success": ":material/check_circle:",
    "info": ":material/info:",
    "warning": ":material/warning:",
    "error": ":material/error:",
}
MAX_NOTICE = 600  # characters: a hostile link's message must not fill the screen


def notify(kind: str, text: str) -> None:
    """Keep a message ("success", "info", "warning", "error") to show at the top of the
    page until the learner opens another page (see `show_notices`).

    `text` is Markdown the app wrote: wrap anything a user typed or sent with `plain`.
    """
    text = text if len(text) <= MAX_NOTICE else text[: MAX_NOTICE - 3] + "..."
    st.session_state.setdefault("cnnviz_notices", []).append([kind, text, None])


def show_notices(page: str) -> None:
    """Show the kept messages on `page` (a page's url path), the first one it opens."""
    kept = []
    for kind, text, shown_on in st.session_state.get("cnnviz_notices", []):
        if shown_on in (None, page):
            getattr(st, kind)(text, icon=NOTICE_ICONS[kind])
            kept.append([kind, text, page])
    st.session_state.cnnviz_notices = kept
