"""The process's job runner, shared by every session (`st.cache_resource`).

Worker processes unless $CNNVIZ_RUNNER says otherwise: training survives page changes
and refreshes, a crash ends a run (interrupted, its epochs kept), never the server, and
the server's interpreter never imports TensorFlow for it. With the thread runner (tests)
jobs train in this process, so Keras's global state is guarded at once.
"""

from __future__ import annotations

import streamlit as st

from app_pages.server.process import keep_keras_session


@st.cache_resource
def job_runner():
    """The process-wide job runner (`cnnviz.runners.default_runner`)."""
    from cnnviz.runners import default_runner, runner_name

    if runner_name(default="process") == "thread":
        import keras  # noqa: F401  (imported here so the next line can guard it at once)

        keep_keras_session()
    return default_runner(default="process")  # $CNNVIZ_RUNNER chooses another
