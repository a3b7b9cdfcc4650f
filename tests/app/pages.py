"""Opening a page of the app in AppTest, the same way for every page test."""

import re
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parents[2] / "app_pages"


def page_path(name: str) -> str:
    """The page script `app_pages/<name>.py`, as AppTest wants it."""
    return str(PAGES / f"{name}.py")


def open_page(name: str, *, timeout: float = 60, **state: Any) -> AppTest:
    """The page after its first run, with `state` put into session state before it.

    The timeout is generous: the first run of a page may import TensorFlow.
    """
    at = AppTest.from_file(page_path(name), default_timeout=timeout)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(markdown: str) -> str:
    """What a reader sees of Markdown in which the app escaped a user's text (the
    invisible word joiners that stop autolinks, U+2060, are not seen)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def tables(at: AppTest) -> list:
    """The page's own tables (`st.dataframe`), in order, without the figures' "The numbers"
    tables (`app_pages.frame.figures`): a figure above a table does not move it."""
    numbers = {id(d) for e in at.expander if e.label == "The numbers" for d in e.dataframe}
    return [d for d in at.dataframe if id(d) not in numbers]


def figure_numbers(at: AppTest) -> list:
    """The figures' tables ("The numbers", under each figure), in order: every one is
    opened as a reader opens it (a table is drawn only while open), then the page reruns."""
    state = at.session_state._state.filtered_state  # the widgets' keys of the last run
    for key in [k for k in state if k.endswith("_numbers_open")]:
        at.session_state[key] = True
    at.run()
    return [d for e in at.expander if e.label == "The numbers" for d in e.dataframe]


def errors(at: AppTest) -> list[str]:
    """The error messages on the page, as the reader sees them."""
    return [shown(e.value) for e in at.error]


def run_box(at: AppTest, key: str):
    """The run picker `key` on the page (keyed `{key}:{run id}` by the run it opened on)."""
    boxes = [box for box in at.selectbox if (box.key or "").startswith(f"{key}:")]
    assert len(boxes) == 1, [box.key for box in at.selectbox]
    return boxes[0]


def browser_states(at: AppTest):
    """The widget states of the page as drawn now, as the browser would send them."""
    return at._tree.get_widget_states()


def run_as_stale_browser(at: AppTest, widget_states) -> AppTest:
    """Run `at` with widget states taken (`browser_states`) before its last run: what a
    browser sends when the learner clicks before the page has redrawn (AppTest itself
    always sends the newest page's states)."""
    return at._run(widget_states)


def capture_downloads(monkeypatch) -> dict[str, bytes]:
    """From now on, the data of every download button the pages draw, by its URL (AppTest
    keeps the files of a run only while it runs)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    kept: dict[str, bytes] = {}
    real = MediaFileManager.add

    def add(self, path_or_data, mimetype, coordinates, file_name=None, **options):
        url = real(self, path_or_data, mimetype, coordinates, file_name=file_name, **options)
        kept[url] = path_or_data
        return url

    monkeypatch.setattr(MediaFileManager, "add", add)
    return kept


def download_buttons(at: AppTest, key: str) -> list:
    """The download buttons of widget key `key` on the page (their protos: label, url)."""
    return [e.proto for e in at.get("download_button") if e.proto.id.endswith(f"-{key}")]
