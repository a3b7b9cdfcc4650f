"""The app keeps Keras's global state while a training thread runs."""

import sys

import keras

from app_pages import _shared


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


def test_the_first_page_imports_no_tensorflow_and_draws_no_plotly_chart():
    """The app opens on Concepts, run here as a browser would get it. It stays free of
    TensorFlow (seconds to import), of the other pages' engine modules, and of plotly
    charts (its diagrams are SVG: a cold browser spends ~2 s on its first plotly chart)."""
    import subprocess

    root = _shared.Path(_shared.__file__).resolve().parents[1]
    code = (
        "import gc, sys\n"
        "freezes, freeze = [], gc.freeze\n"
        "gc.freeze = lambda: freezes.append(freeze())\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(root / 'streamlit_app.py')!r}, default_timeout=60)\n"
        "at.run()\n"
        "assert not at.exception and at.title[0].value == 'Concepts', at\n"
        "assert len(at.image) == 7 and not at.get('plotly_chart')  # 3 diagrams, 4 pictures\n"
        "bad = ('tensorflow', 'keras', 'sklearn', 'cnnviz.inspect', 'cnnviz.figures.base')\n"
        "bad = [m for m in bad if m in sys.modules]\n"
        "assert not bad, bad\n"
        "at.run()\n"
        "at.run()\n"
        "assert len(freezes) == 1, freezes  # gc.freeze before the first imports only\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
