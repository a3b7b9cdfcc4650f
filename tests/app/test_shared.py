"""The app keeps Keras's global state while a training thread runs."""

import sys

import keras

from pages import _shared


def test_streamlit_cannot_reset_keras_in_the_app_process(monkeypatch):
    from keras.src.backend.common.global_state import clear_session

    monkeypatch.setattr(keras.backend, "clear_session", clear_session)  # the real one
    # Oracle: the real clear_session resets Keras's name counters...
    keras.layers.Dense(1, name=None)
    keras.backend.clear_session()
    assert keras.layers.Dense(1).name == "dense"
    # ...but after keep_keras_session, what Streamlit does after each rerun is harmless.
    _shared.keep_keras_session()
    first = keras.layers.Dense(1).name
    sys.modules["keras"].backend.clear_session()
    assert keras.layers.Dense(1).name != first


def test_the_first_page_does_not_import_tensorflow():
    """The app opens on Concepts: its imports (router, shared, concepts, figures) stay
    free of TensorFlow, so the first page draws quickly."""
    import subprocess

    code = (
        "import sys, pages._shared, cnnviz.concepts, cnnviz.figures, cnnviz.data\n"
        "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    root = _shared.Path(_shared.__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
