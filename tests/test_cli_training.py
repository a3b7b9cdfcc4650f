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


def test_a_squeezenet_head_trains_offline_on_a_folder_then_fine_tunes_from_it(
    tmp_path, capsys, monkeypatch
):
    """No network (every proxy a closed port, an empty Keras cache): SqueezeNet's weights
    come from ndf. A second run with more of the backbone trainable starts from it."""
    from cnnviz import presets
    from tests.helpers_runs import colour_folder

    data = colour_folder(tmp_path / "photos", 3, 10)
    runs = tmp_path / "runs"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    proc = cli(
        *("train", "--data", data, "--model", "squeezenet-head", "--epochs", "2"),
        *("--batch-size", "8", "--runs-dir", runs, "--json"),
    )
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    document = json.loads(out)
    assert document["status"] == "completed" and len(document["history"]["loss"]) == 2
    assert document["test_accuracy"] >= 0.6  # red, green and blue tints
    (first,) = list_runs(runs)
    assert first.config["model"] == "squeezenet-head" and first.config["init_from"] is None

    tuned = presets.get("squeezenet-head").to_dict()
    tuned["layers"][0]["trainable_blocks"] = 1
    spec = tmp_path / "tuned.json"
    spec.write_text(json.dumps(tuned))
    argv = ["train", "--data", data, "--model", str(spec), "--epochs", "1", "--batch-size", "8"]
    argv += ["--runs-dir", str(runs), "--lr", "0.0001"]
    assert main([*argv, "--init-from", first.id[:-2]]) == 0  # a unique start of the id
    (second,) = [run for run in list_runs(runs) if run.id != first.id]
    assert second.state == "completed" and second.config["init_from"] == first.id
    capsys.readouterr()
    assert main([*argv, "--init-from", "no-such-run"]) == 2
    assert "error: no run 'no-such-run'" in capsys.readouterr().err
    assert len(list_runs(runs)) == 2
