"""The learners' sweeps running in this server: one `cnnviz.sweep_queue.SweepQueue` per
desk (solo: the learner's) and runs folder, kept for the whole process
(`st.cache_resource`), so a sweep goes on from one run to the next when its page is left,
refreshed or closed. A server restart ends it; its runs stay.
"""

from __future__ import annotations

import threading
from typing import Any

import streamlit as st

from cnnviz.errors import CnnvizError
from cnnviz.runs import runs_root


@st.cache_resource(show_spinner=False)
def _held() -> tuple[threading.Lock, dict[tuple[str, str | None], Any]]:
    return threading.Lock(), {}


def _key(owner: str | None) -> tuple[str, str | None]:
    return str(runs_root().resolve()), owner


def desk_sweep(owner: str | None):
    """The desk's latest sweep here (running or ended), or None."""
    return _held()[1].get(_key(owner))


def start_sweep(runner, sweep, base):
    """Start `sweep` from request `base` in the desk's own queue (`base.owner`).

    Raises:
        CnnvizError: the desk's last sweep is still running, or the runner refused the
            first run (the desk already has a job).
    """
    from cnnviz.sweep_queue import SweepQueue

    lock, held = _held()
    with lock:
        running = held.get(_key(base.owner))
        if running is not None and running.active:
            raise CnnvizError(
                "your sweep is still running: stop it (Stop sweep) or wait until it ends"
            )
        queue = SweepQueue(runner, sweep, base)
        queue.start()
        held[_key(base.owner)] = queue
    return queue
