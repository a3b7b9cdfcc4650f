"""`python -m cnnviz train` through a job runner: --owner, --runner process, SIGTERM, and
`runs --owner`. Real subprocesses and real trainings (digits, few epochs)."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from cnnviz.cli import main
from cnnviz.runs import list_runs

ROOT = Path(__file__).resolve().parents[1]


def cli(*argv, **kwargs):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "cnnviz", *map(str, argv)],
        env=env,
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def test_the_process_runner_trains_in_another_process_for_a_desk(tmp_path, capsys):
    proc = cli(
        "train",
        "--data",
        "digits",
        "--model",
        "digits-small",
        "--epochs",
        "2",
        "--limit",
        "300",
        "--runs-dir",
        tmp_path,
        "--runner",
        "process",
        "--owner",
        "Ada Lovelace",
        "--json",
    )
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    document = json.loads(out)
    assert document["status"] == "completed" and len(document["history"]["loss"]) == 2
    (run,) = list_runs(tmp_path)
    assert run.owner == "ada-lovelace" and run.config["runner"] == "process"
    assert run.status["pid"] not in (proc.pid, os.getpid())  # a worker process trained it
    assert main(["runs", "--runs-dir", str(tmp_path), "--owner", "ada-lovelace", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["runs"]
    assert [r["owner"] for r in listed] == ["ada-lovelace"] and listed[0]["runner"] == "process"
    assert main(["runs", "--runs-dir", str(tmp_path), "--owner", "bob", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["runs"] == []


def test_sigterm_stops_after_the_batch_and_saves_like_ctrl_c(tmp_path):
    proc = cli(
        "train",
        "--data",
        "digits",
        "--model",
        "digits-small",
        "--epochs",
        "1000",
        "--limit",
        "200",
        "--runs-dir",
        tmp_path,
    )
    try:
        for line in proc.stdout:
            if line.startswith("epoch "):
                proc.send_signal(signal.SIGTERM)
                break
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "stopped: test accuracy" in out
    (run,) = list_runs(tmp_path)
    assert run.state == "stopped" and (run.dir / "model.keras").is_file()
    assert 1 <= run.status["epochs_completed"] < 1000


def test_max_minutes_stops_after_the_batch_past_it_and_keeps_the_weights(tmp_path):
    proc = cli(
        "train",
        "--data",
        "digits",
        "--model",
        "digits-small",
        "--epochs",
        "400",
        "--max-minutes",
        "0.1",
        "--runs-dir",
        tmp_path,
    )
    out, err = proc.communicate(timeout=300)  # a bound against hanging, not a speed test
    assert proc.returncode == 0, err  # stopped as asked: not an error, not a Ctrl-C
    assert "Traceback" not in err and "stopped: test accuracy" in out
    assert "time limit of 0.1 minutes" in out
    (run,) = list_runs(tmp_path)
    assert run.state == "stopped" and "time limit of 0.1 minutes" in run.status["message"]
    assert (run.dir / "model.keras").is_file() and run.metrics() is not None
    assert run.status.get("epochs_completed", 0) < 400 and run.history()["loss"]


def test_a_bad_owner_runner_or_time_limit_is_a_user_error(tmp_path, capsys):
    for argv in (["--owner", "!!"], ["--runner", "cloud"], ["--max-minutes", "-1"]):
        code = None
        try:
            code = main(
                [
                    "train",
                    "--data",
                    "digits",
                    "--model",
                    "digits-small",
                    "--runs-dir",
                    str(tmp_path),
                    *argv,
                ]
            )
        except SystemExit as exit:  # argparse refuses an unknown --runner choice itself
            code = exit.code
        assert code == 2
        assert capsys.readouterr().err.count("error:") == 1
    assert list_runs(tmp_path) == []
