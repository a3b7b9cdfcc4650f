"""The lessons on the shelf, read once for the whole server and again whenever a file in
the lessons folder changes (`cnnviz.lessons`)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st


def _signature(folder: Path) -> tuple:
    return tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.json")))


@st.cache_resource(max_entries=4, show_spinner=False)
def _shelf(folder: str, signature: tuple):
    from cnnviz.lessons import read_lessons

    return read_lessons(folder)


def shelf():
    """(the lessons that check, a message per lesson file that does not)."""
    from cnnviz.lessons import lessons_dir

    folder = lessons_dir()
    return _shelf(str(folder), _signature(folder) if folder.is_dir() else ())
