"""The router: the first page a visitor opens is light and draws at once."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_first_page_imports_no_tensorflow_and_draws_no_plotly_chart():
    """The app opens on Concepts, run here as a browser would get it. It stays free of
    TensorFlow (seconds to import), of the other pages' engine modules, and of plotly
    charts (its diagrams are SVG: a cold browser spends ~2 s on its first plotly chart)."""
    import subprocess

    root = ROOT
    code = (
        "import gc, sys\n"
        "freezes, freeze = [], gc.freeze\n"
        "gc.freeze = lambda: freezes.append(freeze())\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(root / 'streamlit_app.py')!r}, default_timeout=60)\n"
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
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
