"""A training killed with SIGKILL after N epochs reopens with N epochs of weights.

Starts `python -m cnnviz train` on digits for 500 epochs, kills it with SIGKILL once N
epochs have finished, then reads the run back: its status word and message, the epochs
shown (N/500), the epochs kept, and the test accuracy of the weights it reopens with,
beside the accuracy of a run trained for N epochs and not killed.

Run: python benchmarks/bench_crash.py [--epochs-before-kill 5]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cnnviz.evaluate import evaluate_run  # noqa: E402
from cnnviz.runs import list_runs  # noqa: E402

COMMAND = [
    "-m",
    "cnnviz",
    "train",
    "--data",
    "digits",
    "--model",
    "digits-small",
    "--limit",
    "600",
    "--seed",
    "0",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs-before-kill", type=int, default=5)
    args = parser.parse_args()
    n = args.epochs_before_kill
    with tempfile.TemporaryDirectory() as tmp:
        killed, clean = Path(tmp, "killed"), Path(tmp, "clean")
        proc = subprocess.Popen(
            [sys.executable, *COMMAND, "--epochs", "500", "--runs-dir", str(killed)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        done, start = 0, time.monotonic()
        while done < n and time.monotonic() - start < 600:
            time.sleep(0.05)
            runs = list_runs(killed)
            done = (runs[0].status.get("epochs_completed") or 0) if runs else 0
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        (run,) = list_runs(killed)
        row = run.to_dict()
        _, evaluation = evaluate_run(run)
        subprocess.run(
            [sys.executable, *COMMAND, "--epochs", str(run.epochs()[-1]), "--runs-dir", str(clean)],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        (reference,) = list_runs(clean)
        print(f"killed with SIGKILL after {done} finished epochs (of 500)")
        print(
            f"reopened: {row['status']}, shown as {row['epochs_completed']}/{row['epochs']}, "
            f"epochs kept {run.epochs()}"
        )
        print(f"  message: {run.status['message']}")
        print(
            f"  test accuracy with the kept weights: {evaluation.metrics.accuracy:.3f}; "
            f"a run trained {run.epochs()[-1]} epochs and not killed: "
            f"{reference.test_accuracy:.3f}"
        )


if __name__ == "__main__":
    main()
