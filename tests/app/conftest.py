"""A real trained run, made once, for the pages that need one (Inspect, Predict)."""

import json
import shutil

import pytest

from cnnviz.cli import main


@pytest.fixture(scope="session")
def trained_runs(tmp_path_factory):
    """A runs folder holding one digits run (real training, 3 epochs, 600 images)."""
    root = tmp_path_factory.mktemp("trained") / "runs"
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            [
                "train",
                "--data",
                "digits",
                "--model",
                "digits-small",
                "--epochs",
                "3",
                "--limit",
                "600",
                "--runs-dir",
                str(root),
                "--json",
            ]
        )
    assert code == 0
    return root, json.loads(out.getvalue())


@pytest.fixture
def runs_with_model(trained_runs, tmp_path, monkeypatch):
    """A private copy of the trained runs folder, set as CNNVIZ_RUNS_DIR."""
    root, result = trained_runs
    copy = tmp_path / "runs"
    shutil.copytree(root, copy)
    monkeypatch.setenv("CNNVIZ_RUNS_DIR", str(copy))
    return copy, result["run_id"]


@pytest.fixture(autouse=True)
def _no_warmup(monkeypatch):
    """No TensorFlow warm-up thread behind AppTest runs of the router (its own test
    turns it on): tests import what they need, one thread at a time."""
    monkeypatch.setenv("CNNVIZ_WARMUP", "0")


@pytest.fixture
def classroom(monkeypatch):
    """Classroom mode, and a laptop to be: `classroom.laptop("ada")` (see tests/app/desks.py).
    Ask for it after the runs folder's fixture: desks are claimed in that folder."""
    import app_pages.frame.desk as frame_desk
    from tests.app.desks import CLASS_CODE, Classroom

    monkeypatch.setenv("CNNVIZ_CLASS_CODE", CLASS_CODE)
    jar: dict[str, str] = {}
    monkeypatch.setattr(frame_desk, "browser_cookies", lambda: dict(jar))
    return Classroom(jar)
