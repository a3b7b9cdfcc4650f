"""Shared test setup: quiet, CPU-only, deterministic TensorFlow; runs in a temp dir."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# The app trains in worker processes; in-process tests (AppTest) use threads, which start
# at once. The contract tests (tests/test_runners.py) and the browser tests use the rest.
os.environ.setdefault("CNNVIZ_RUNNER", "thread")

import pytest  # noqa: E402


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
