"""The app keeps Keras's global state while a training thread runs."""

import sys

import keras

from app_pages.server import process as _process


def test_streamlit_cannot_reset_keras_in_the_app_process(monkeypatch):
    from keras.src.backend.common.global_state import clear_session

    monkeypatch.setattr(keras.backend, "clear_session", clear_session)  # the real one
    # Oracle: the real clear_session resets Keras's name counters...
    keras.layers.Dense(1, name=None)
    keras.backend.clear_session()
    assert keras.layers.Dense(1).name == "dense"
    # ...but after keep_keras_session, what Streamlit does after each rerun is harmless.
    _process.keep_keras_session()
    first = keras.layers.Dense(1).name
    sys.modules["keras"].backend.clear_session()
    assert keras.layers.Dense(1).name != first
