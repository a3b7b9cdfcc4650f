"""`python -m cnnviz train` stopped by a signal: a real subprocess, a real SIGTERM."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("number, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_after_the_current_batch_and_keeps_what_was_learned(tmp_path, number, code):
    runs = tmp_path / "runs"
    child = subprocess.Popen(
        [sys.executable, "-m", "cnnviz", "train", "--data", "digits", "--model",
         "digits-small", "--epochs", "500", "--runs-dir", str(runs)],
        cwd=tmp_path,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("TF_CPP")},
             "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        seen = []
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:  # wait for two finished epochs
            line = child.stdout.readline()
            seen.append(line)
            if line.startswith("epoch   2/500") or not line:
                break
        assert any(line.startswith("epoch   2/500") for line in seen), seen
        child.send_signal(number)
        out, err = child.communicate(timeout=240)
    finally:
        child.kill()
    assert child.returncode == code, err
    how = "SIGTERM" if number == signal.SIGTERM else "Ctrl-C"
    assert err == f"stopping after the current batch ({how} again to abort)\n", err
    assert "stopped: test accuracy" in out
    [run_dir] = list(runs.iterdir())
    status = json.loads((run_dir / "status.json").read_text())
    assert status["status"] == "stopped" and status["epochs_completed"] >= 2
    assert "stopped on request" in status["message"]
    assert (run_dir / "model.keras").is_file() and status["test_accuracy"] > 0
