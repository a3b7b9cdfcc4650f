"""The router: the first page a visitor opens is light and draws at once."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_first_page_imports_no_tensorflow_and_draws_no_plotly_chart():
    """The app opens on Concepts, run here as a browser would get it (a desk named in
    the URL). It stays free of TensorFlow (seconds to import), of the other pages' engine
    modules, and of plotly charts (its diagrams are SVG: a cold browser spends ~2 s on
    its first plotly chart). The warm-up thread, which imports them later, is off here."""
    import subprocess

    root = ROOT
    code = (
        "import gc, sys\n"
        "freezes, freeze = [], gc.freeze\n"
        "gc.freeze = lambda: freezes.append(freeze())\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(root / 'streamlit_app.py')!r}, default_timeout=60)\n"
        "at.query_params['desk'] = 'ada'\n"
        "at.run()\n"
        "assert not at.exception and at.title[0].value == 'Concepts', at\n"
        "assert len(at.image) == 7 and not at.get('plotly_chart')  # 3 diagrams, 4 pictures\n"
        "bad = ('tensorflow', 'keras', 'sklearn', 'cnnviz.features', 'cnnviz.evaluate',\n"
        "       'cnnviz.figures.base')\n"
        "bad = [m for m in bad if m in sys.modules]\n"
        "assert not bad, bad\n"
        "at.run()\n"
        "at.run()\n"
        "assert len(freezes) == 1, freezes  # gc.freeze before the first imports only\n"
    )
    env = {**os.environ, "CNNVIZ_WARMUP": "0"}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, env=env)


def test_tensorflow_is_imported_in_the_background_after_the_first_page():
    """The warm-up starts once, after the first page is drawn without TensorFlow; it
    imports Keras and the augmentation layers, guards Keras's global state and settles
    the collector, so the first click that needs TensorFlow does not wait for it."""
    import subprocess

    code = (
        "import sys, threading\n"
        "from streamlit.testing.v1 import AppTest\n"
        "import app_pages.server.warmup as warmup\n"
        "seen, real = [], warmup.start_warmup\n"
        "warmup.start_warmup = lambda: seen.append(('tensorflow' in sys.modules, real()))\n"
        f"at = AppTest.from_file({str(ROOT / 'streamlit_app.py')!r}, default_timeout=60)\n"
        "at.query_params['desk'] = 'ada'\n"
        "at.run()\n"
        "assert not at.exception and at.title[0].value == 'Concepts', at\n"
        "assert seen == [(False, True)], seen  # started, and TensorFlow not in before\n"
        "assert warmup.done.wait(600)\n"
        "import keras\n"
        "from app_pages.server.process import _keep_session\n"
        "assert keras.backend.clear_session is _keep_session\n"
        "assert 'cnnviz.augment_layers' in sys.modules and 'cnnviz.features' in sys.modules\n"
        "at.run()\n"
        "assert seen[1] == (True, False), seen  # once per process\n"
        "names = [t.name for t in threading.enumerate()]\n"
        "assert names.count('cnnviz-warmup') <= 1, names  # never a second one\n"
    )
    env = {**os.environ, "CNNVIZ_WARMUP": "1"}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)


def test_the_warm_up_can_be_turned_off(monkeypatch):
    from app_pages.server import warmup as _warmup

    monkeypatch.setenv("CNNVIZ_WARMUP", "0")
    assert _warmup.start_warmup() is False and not _warmup.done.is_set()


def test_a_server_with_a_short_teacher_code_refuses_to_start_with_one_line():
    """A teacher code of fewer than 12 characters is easy to guess: `streamlit run` stops
    at once, saying so in one `error:` line (never the code), with no traceback."""
    import subprocess

    env = {**os.environ, "CNNVIZ_CLASS_CODE": "maple", "CNNVIZ_TEACHER_CODE": "secret7"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "streamlit_app.py",
            "--server.headless",
            "true",
            "--server.port",
            "0",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    errors = [line for line in said.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: $CNNVIZ_TEACHER_CODE must be at least 12 characters without spaces. "
        "Received: CNNVIZ_TEACHER_CODE='*******'"
    ], said
    assert "Traceback" not in said and "secret7" not in said
