"""The command line prints nothing but its `error:` line on a user's mistake: TensorFlow's
start-up lines are kept off stderr, and real errors stay visible. Real subprocesses."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def cnnviz(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m cnnviz ARGS` as a learner runs it (no test settings in its environment)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TF_CPP", "CUDA_VIS"))}
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "cnnviz", *args],
        cwd=cwd,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A runs folder with one tiny trained run."""
    root = tmp_path_factory.mktemp("quiet")
    done = cnnviz(
        "train", "--data", "digits", "--model", "digits-small", "--epochs", "1", "--limit",
        "200", "--runs-dir", str(root / "runs"), "--json", cwd=root,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return root, json.loads(done.stdout)["run_id"]


def test_a_users_mistake_prints_exactly_one_line(trained):
    root, run_id = trained
    (root / "bad.json").write_text('{"layers": [')
    (root / "junk.png").write_bytes(b"not an image")
    runs = ["--runs-dir", str(root / "runs")]
    for args, words in [
        (["summary", "bad.json"], "bad.json: the model spec file is not valid JSON"),
        (["predict", run_id, "junk.png", *runs], "junk.png is not an image cnnviz can read"),
        (["train", "--data", "nope", "--model", "digits-small", *runs], "unknown dataset 'nope'"),
        (["data-info", "tfds:xyz", "--data-dir", str(root / "tfds")], "TFDS has no dataset"),
    ]:
        done = cnnviz(*args, cwd=root)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.startswith("error: ") and words in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1, done.stderr  # nothing above it


def test_training_prints_no_tensorflow_lines(trained):
    root, run_id = trained
    done = cnnviz("evaluate", run_id, "--runs-dir", str(root / "runs"), cwd=root)
    assert done.returncode == 0 and done.stderr == "", done.stderr


def test_start_up_lines_are_dropped_and_real_errors_kept(tmp_path):
    """A stand-in `tensorflow` writes absl's start-up lines and a real error to fd 2
    while it is imported, then fails: only the error and the traceback remain."""
    fake = tmp_path / "tensorflow"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "import os\n"
        "os.write(2, b'WARNING: All log messages before absl::InitializeLog() is called"
        " are written to STDERR\\n')\n"
        "os.write(2, b'I0000 00:00:1796161623.160026    1433 cudart_stub.cc:31] Could not"
        " find cuda drivers on your machine, GPU will not be used.\\n')\n"
        "os.write(2, b'E0000 00:00:1.5 77 real.cc:9] something real broke\\n')\n"
        "raise ImportError('the library is missing')\n"
    )
    code = (
        "from cnnviz.cli.quiet import quiet_tensorflow_import\n"
        "quiet_tensorflow_import()\n"
        "import sys; print('before', file=sys.stderr, flush=True)\n"
        "import tensorflow\n"
    )
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[0] == "before"
    assert lines[1] == "E0000 00:00:1.5 77 real.cc:9] something real broke"
    assert "Traceback" in lines[2] and lines[-1] == "ImportError: the library is missing"
    assert "absl" not in done.stderr and "cudart_stub" not in done.stderr
