"""Shared test setup: quiet, CPU-only, deterministic TensorFlow; runs in a temp dir."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# The app trains in worker processes; in-process tests (AppTest) use threads, which start
# at once. The contract tests (tests/test_runners.py) and the browser tests use the rest.
os.environ.setdefault("CNNVIZ_RUNNER", "thread")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def no_kept_models():
    """Each test starts with no compiled model kept from another (`cnnviz.compiled`): a
    test that patches Keras sees its patch traced, and reuse is tested where it is meant."""
    yield
    from cnnviz.compiled import forget_models

    forget_models()


@pytest.fixture
def runs_dir(tmp_path, monkeypatch):
    """A private runs directory, also set as CNNVIZ_RUNS_DIR."""
    path = tmp_path / "runs"
    monkeypatch.setenv("CNNVIZ_RUNS_DIR", str(path))
    return path


@pytest.fixture(scope="module")
def digits():
    """The whole `digits` set, loaded once per test module."""
    from cnnviz.data import load_dataset

    return load_dataset("digits")


@pytest.fixture(scope="session")
def keras():
    import keras

    return keras


@pytest.fixture
def read_only(tmp_path):
    """Makes folders read-only for real, for this test: chmod, and for root (who
    ignores the mode) the immutable attribute. Skips where neither works."""
    import shutil
    import subprocess

    frozen = []

    def freeze(path):
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o555)
        if os.geteuid() == 0:
            chattr = shutil.which("chattr")
            if not chattr or subprocess.run([chattr, "+i", str(path)]).returncode:
                pytest.skip("cannot make a folder read-only for root here (no chattr +i)")
        frozen.append(path)
        return path

    yield freeze
    for path in frozen:
        if os.geteuid() == 0:
            subprocess.run([shutil.which("chattr"), "-i", str(path)])
        path.chmod(0o755)


@pytest.fixture(scope="module")
def pixel_model():
    """2x2 images -> Flatten -> Dense(3, softmax), logits 10 * pixel k for class k: a
    model whose every answer can be worked out by hand (`helpers_inspect.pixel_images`)."""
    import numpy as np

    from cnnviz.build import build_model
    from cnnviz.spec import ModelSpec

    spec = ModelSpec.from_dict(
        {
            "input_shape": [2, 2, 1],
            "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 3, "activation": "softmax"}],
        }
    )
    model = build_model(spec)
    kernel = np.zeros((4, 3), np.float32)
    kernel[[0, 1, 2], [0, 1, 2]] = 10.0
    model.get_layer("dense").set_weights([kernel, np.zeros(3, np.float32)])
    return model
