"""The house rules that imports can break, checked in fresh interpreters: the engine never
imports Streamlit, and validating a spec or doing the Concepts arithmetic needs no
TensorFlow."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import cnnviz

ROOT = Path(__file__).resolve().parents[1]


def fresh(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return done.stdout.strip()


def test_no_engine_module_imports_streamlit():
    modules = [
        m.name
        for m in pkgutil.walk_packages(cnnviz.__path__, "cnnviz.")
        if not m.name.endswith("__main__")
    ]
    assert len(modules) > 40
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit'))"
    )
    assert fresh(code) == "[]"


def test_spec_layers_checks_and_concepts_need_no_tensorflow():
    code = (
        "import sys\n"
        "import cnnviz, cnnviz.spec, cnnviz.layers, cnnviz.checks, cnnviz.shapes, cnnviz.head\n"
        "import cnnviz.concepts, cnnviz.presets, cnnviz.data, cnnviz.augment, cnnviz.events\n"
        "import cnnviz.figures.concepts, cnnviz.figures.svg\n"
        "from cnnviz.spec import ModelSpec, validate\n"
        "from cnnviz import concepts, presets\n"
        "validate(presets.get('lenet-5'), input_shape=(28, 28, 1), num_classes=10)\n"
        "concepts.convolve(concepts.random_grid(6, 6), concepts.KERNELS['blur'])\n"
        "print(sorted(m for m in ('tensorflow', 'keras', 'plotly') if m in sys.modules))"
    )
    assert fresh(code) == "[]"
