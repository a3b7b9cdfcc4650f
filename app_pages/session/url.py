"""The session's state in the address bar: links read in, the state mirrored out.

Session state is the truth; the URL mirrors it, so a refresh (a new session) or a link
sent to someone sets the same state up again. Each query parameter is one `UrlKey`:
`read` applies a value from the URL to the session (and may name a page to open),
`write` says what the URL should hold now (None: leave it out). The router calls
`sync_url` once per run, before the page:

- URL -> state only for keys whose value differs from what this session last wrote: a
  new session (a link, a refresh), the browser's back and forward buttons. After a
  sidebar page change Streamlit's URL reads empty, and nothing is read.
- state -> URL with one `st.query_params.from_dict` when anything differs (one history
  entry, never one per key).

A new key is one more entry of `URL_KEYS`. A page or callback asks for
another page by setting `st.session_state.cnnviz_goto` to its url path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from app_pages.frame.desk import read_desk, write_desk
from app_pages.frame.feedback import notify
from app_pages.frame.projector import read_projector, write_projector
from app_pages.session.lesson import read_step, write_lesson, write_step
from app_pages.session.lesson_open import read_lesson
from app_pages.session.links import experiment_token, open_experiment
from app_pages.session.run_link import open_run


@dataclass(frozen=True)
class UrlKey:
    """One query parameter.

    Attributes:
        name: the parameter, e.g. "experiment".
        read: (value, the whole URL) -> the url path of a page to open, or None.
        write: () -> the value the URL should hold now, or None to leave it out.
    """

    name: str
    read: Callable[[str, dict], str | None]
    write: Callable[[], str | None]


DEFAULT_PAGE = "concepts"  # the router's default page, whose url path is "" (served at /)


def page_name(page) -> str:
    """The url path of a `StreamlitPage`, e.g. "build" ("concepts" for the default)."""
    return page.url_path or DEFAULT_PAGE


def _never() -> None:
    return None


def _no_code(value: str, url: dict) -> None:
    """A code in an address (`?teacher=`, `?code=`): refused, never echoed, and gone
    from the address (the URL is written with the known keys only)."""
    notify(
        "error",
        "A code never goes in an address (it would stay in the browser's history and on "
        "the projector): the teacher signs in on the Class page, students type the class "
        "code when they join. The address has been cleaned.",
    )
    return None


URL_KEYS: list[UrlKey] = [  # read in this order: the desk, a lesson, the experiment over it
    UrlKey("desk", read_desk, write_desk),
    UrlKey("projector", read_projector, write_projector),
    UrlKey("lesson", read_lesson, write_lesson),
    UrlKey("step", read_step, write_step),
    UrlKey("experiment", open_experiment, experiment_token),
    UrlKey("run", open_run, _never),  # once: the run opens in Inspect, the URL moves on
    UrlKey("teacher", _no_code, _never),
    UrlKey("teacher_code", _no_code, _never),
    UrlKey("code", _no_code, _never),
]


def sync_url(page) -> dict[str, str]:
    """Read what the URL says that is new, write the state back, open a page if asked.

    Args:
        page: the page `st.navigation` chose (a `StreamlitPage`).

    Returns:
        The query the URL now holds.
    """
    state = st.session_state
    url = st.query_params.to_dict()
    written = state.get("cnnviz_url", {})
    target = state.pop("cnnviz_goto", None)
    if url and url != written:
        for key in URL_KEYS:
            if key.name in url and url[key.name] != written.get(key.name):
                target = key.read(url[key.name], url) or target
    want = {key.name: value for key in URL_KEYS if (value := key.write()) is not None}
    if url != want:
        st.query_params.from_dict(want)
    state.cnnviz_url = want
    if target and target != page_name(page):
        st.switch_page(f"app_pages/{target}.py", query_params=want)
    return want
