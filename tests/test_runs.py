"""Runs on disk, read: create, load by id or prefix, list, delete, their files."""

import json
import os
import re

import numpy as np
import pytest

from cnnviz import files, runs, runstatus
from cnnviz.errors import CnnvizError
from cnnviz.metrics import classification_metrics
from tests.helpers_runs import CONFIG, SPEC


def test_create_then_load_and_list(runs_dir):
    first = runs.create_run(SPEC, CONFIG)
    second = runs.create_run(SPEC, CONFIG)
    assert first.id != second.id
    assert first.dir.parent == runs_dir
    assert first.id[:15].replace("-", "").isdigit() and "-tiny_cnn-" in first.id
    for name in ("spec.json", "config.json", "status.json"):
        assert (first.dir / name).is_file()
    loaded = runs.load_run(first.id)
    assert loaded.spec == SPEC
    assert loaded.config["class_names"] == ["a", "b", "c"] and loaded.config["created"]
    assert loaded.state == "queued" and loaded.status["pid"] == os.getpid()
    listed = [r.id for r in runs.list_runs()]
    assert listed == sorted([first.id, second.id], reverse=True)  # newest first
    assert runs.load_run(str(first.dir)).id == first.id  # a path works too


def test_list_skips_folders_that_are_not_runs(runs_dir):
    run = runs.create_run(SPEC, CONFIG)
    (runs_dir / "notes").mkdir()
    (runs_dir / "stray.txt").write_text("x")
    assert [r.id for r in runs.list_runs()] == [run.id]
    assert runs.list_runs(runs_dir / "missing") == []


def test_load_by_prefix_and_clear_errors(runs_dir):
    run = runs.create_run(SPEC, CONFIG)
    assert runs.load_run(run.id[:-2]).id == run.id
    runs.create_run(SPEC, CONFIG)
    with pytest.raises(CnnvizError, match="matches 2 runs"):
        runs.load_run(run.id[:8])
    with pytest.raises(CnnvizError, match=r"no run 'nope' in .*cnnviz runs"):
        runs.load_run("nope")
    with pytest.raises(CnnvizError, match="no run given"):
        runs.load_run("  ")


def test_delete_refuses_active_runs_then_deletes(runs_dir):
    run = runs.create_run(SPEC, CONFIG, status="running")
    with pytest.raises(CnnvizError, match="still running; stop it"):
        runs.delete_run(run.id)
    runstatus.write_status(run.dir, "stopped", "stopped on request")
    runs.delete_run(run.id)
    assert not run.dir.exists()
    with pytest.raises(CnnvizError, match="no run"):
        runs.delete_run(run.id)


def test_history_metrics_and_model_from_files(runs_dir):
    from cnnviz.build import build_model

    run = runs.create_run(SPEC, CONFIG)
    assert run.history() == {} and run.metrics() is None
    with pytest.raises(CnnvizError, match="has no trained model"):
        run.model()
    (run.dir / "history.csv").write_text(
        "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.5,1.25,0.4,1.5\n1,0.75,0.5,0.6,1.0\n"
    )
    assert run.history() == {
        "accuracy": [0.5, 0.75],
        "loss": [1.25, 0.5],
        "val_accuracy": [0.4, 0.6],
        "val_loss": [1.5, 1.0],
    }
    metrics = classification_metrics([0, 1, 2], [0, 1, 1], ["a", "b", "c"])
    files.write_json(run.dir / "metrics.json", metrics.to_dict())
    assert run.metrics().to_dict() == metrics.to_dict()

    trained = build_model(SPEC, input_shape=(8, 8, 1), num_classes=3)
    rng = np.random.default_rng(0)
    trained.set_weights([rng.normal(size=w.shape).astype("float32") for w in trained.get_weights()])
    trained.save(run.dir / "model.keras")
    images = rng.uniform(size=(4, 8, 8, 1)).astype("float32")
    loaded = runs.load_run(run.id).model()
    np.testing.assert_allclose(
        loaded.predict(images, verbose=0), trained.predict(images, verbose=0), rtol=1e-5
    )


def test_cli_runs_table_and_json(runs_dir, capsys):
    from cnnviz.cli import main

    assert main(["runs", "--runs-dir", str(runs_dir)]) == 0
    assert capsys.readouterr().out.startswith("no runs in")
    run = runs.create_run(SPEC, CONFIG)
    runstatus.write_status(
        run.dir, "completed", "trained 2 epochs", test_accuracy=0.875, epochs_completed=2
    )
    assert main(["runs", "--runs-dir", str(runs_dir)]) == 0
    table = capsys.readouterr().out
    assert run.id in table and "completed" in table and "87.50%" in table
    assert main(["runs", "--runs-dir", str(runs_dir), "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)["runs"]
    assert row["run_id"] == run.id and row["test_accuracy"] == 0.875
    assert row["status"] == "completed" and row["model"] == "tiny cnn"


@pytest.mark.parametrize(
    "damage",
    [
        lambda good: good[: len(good) // 2],  # truncated
        lambda good: b"garbage" * 100,  # not a zip at all
        lambda good: b"",  # empty
        lambda good: good.replace(b"model.weights.h5", b"model.weights.xx"),  # no weights inside
    ],
)
def test_a_damaged_model_file_is_a_clear_error(runs_dir, damage, capsys):
    from cnnviz.build import build_model
    from cnnviz.cli import main

    run = runs.create_run(SPEC, CONFIG)
    build_model(SPEC, input_shape=(8, 8, 1), num_classes=3).save(run.dir / "model.keras")
    runstatus.write_status(run.dir, "completed", "trained")
    path = run.dir / "model.keras"
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(CnnvizError) as caught:
        runs.load_run(run.id).model()
    text = str(caught.value)
    assert text.startswith(f"run {run.id}'s model file is damaged (")
    assert text.endswith("); train it again or delete the run")
    image = runs_dir / "x.png"
    from PIL import Image

    Image.new("L", (8, 8)).save(image)
    assert main(["predict", run.id, str(image)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: run {run.id}'s model file is damaged") and err.count("\n") == 1


@pytest.mark.parametrize(
    "config, words",
    [
        ([1, 2], "config.json is not a JSON object; the run is damaged"),
        ({}, "config.json needs image_shape [height, width, channels]"),
        ({**CONFIG, "class_names": ["a"]}, "num_classes (2 or more) and that many class_names"),
        ({**CONFIG, "dataset": None}, "config.json does not name its dataset"),
    ],
)
def test_a_damaged_config_is_a_clear_error_not_a_crash(runs_dir, config, words, capsys):
    from cnnviz.build import build_model
    from cnnviz.cli import main

    run = runs.create_run(SPEC, CONFIG)
    build_model(SPEC, input_shape=(8, 8, 1), num_classes=3).save(run.dir / "model.keras")
    runstatus.write_status(run.dir, "completed", "trained")
    files.write_json(run.dir / "config.json", config)
    for argv in (["predict", run.id, "x.png"], ["evaluate", run.id], ["runs"]):
        code = main(argv)
        err = capsys.readouterr().err
        assert code in (0, 2) and err.count("\n") <= 1 and "Traceback" not in err, err
        if code == 2:
            assert words in err


def test_a_run_stopped_before_it_read_its_data_says_so_wherever_it_is_opened(runs_dir, capsys):
    """Stopped in the queue, a run's config has no image shape: every use says why."""
    from cnnviz.cli import main
    from cnnviz.coach import diagnose_run
    from cnnviz.compare import compare_runs
    from cnnviz.evaluate import run_dataset

    run = runs.create_run(SPEC, {"dataset": "digits", "epochs": 3})
    runstatus.write_status(run.dir, "stopped", "stopped before it started")
    run = runs.load_run(run.id)
    assert not run.read_data and not run.has_model
    words = f"run {run.id} never read its dataset (it is stopped), so there is nothing to"
    for use, doing in (
        (run_dataset, "evaluate"),
        (diagnose_run, "diagnose"),
        (lambda r: compare_runs(r, r), "compare"),
    ):
        with pytest.raises(CnnvizError, match=re.escape(f"{words} {doing}; train it first")):
            use(run)
    assert main(["diagnose", run.id]) == 2
    assert capsys.readouterr().err == f"error: {words} diagnose; train it first\n"
    assert runs.load_run(runs.create_run(SPEC, CONFIG).id).read_data


def test_a_killed_training_keeps_its_finished_epochs(tmp_path):
    """A real `cnnviz train` process killed with SIGKILL mid-run: the run reads
    `interrupted`, says after which epoch, shows N/500, and opens with those weights."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from cnnviz.evaluate import evaluate_run

    root = tmp_path / "runs"
    command = [
        sys.executable,
        "-m",
        "cnnviz",
        "train",
        "--data",
        "digits",
        "--model",
        "digits-small",
        "--epochs",
        "500",
        "--limit",
        "300",
        "--runs-dir",
        str(root),
    ]
    proc = subprocess.Popen(
        command,
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 240
        done = 0
        while done < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
            listed = runs.list_runs(root)
            done = (listed[0].status.get("epochs_completed") or 0) if listed else 0
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert done >= 3, "the training never finished three epochs"
    (run,) = runs.list_runs(root)
    assert run.state == "interrupted"
    kept = run.status["epochs_completed"]
    assert kept >= 3 and run.epochs()[-1] == kept
    assert f"the weights after epoch {kept} are kept" in run.status["message"]
    row = run.to_dict()
    assert (row["epochs_completed"], row["epochs"]) == (kept, 500)
    assert run.has_model and [r.id for r in runs.trained_runs(root)] == [run.id]
    _, evaluation = evaluate_run(run)  # opens with the last finished epoch's weights
    assert evaluation.metrics.accuracy > 0.2  # 10 classes; three epochs learned something
    np.testing.assert_array_equal(run.model().get_weights()[0], run.model(kept).get_weights()[0])


def test_asking_for_weights_a_run_does_not_have(runs_dir):
    run = runs.create_run(SPEC, CONFIG, runs_dir=runs_dir, status="completed")
    with pytest.raises(CnnvizError, match="kept no per-epoch weights"):
        run.model(3)
    with pytest.raises(CnnvizError, match="has no trained model"):
        run.model()
    (run.dir / "epochs").mkdir()
    (run.dir / "epochs" / "epoch-0002.weights.h5").write_bytes(b"not h5 at all")
    assert run.epochs() == [2]
    with pytest.raises(CnnvizError, match="no weights after epoch 3; it kept the epochs 2"):
        run.model(3)
    with pytest.raises(CnnvizError, match="model file is damaged .*train it again or delete"):
        run.model(2)


def test_a_desk_deletes_its_own_runs_only(tmp_path):
    """Issue 25: a desk deletes its runs; another desk's (or a path) is refused."""
    mine = runs.create_run(SPEC, {**CONFIG, "owner": "ann"}, runs_dir=tmp_path, status="stopped")
    theirs = runs.create_run(SPEC, {**CONFIG, "owner": "bob"}, runs_dir=tmp_path, status="stopped")
    outside = tmp_path / "elsewhere"
    stray = runs.create_run(SPEC, {**CONFIG, "owner": "ann"}, runs_dir=outside, status="stopped")
    for identifier in (theirs.id, str(stray.dir), f"../elsewhere/{stray.id}", "..", ".", ""):
        with pytest.raises(CnnvizError) as caught:
            runs.delete_run(identifier, tmp_path, owner="ann")
        assert str(tmp_path) not in str(caught.value)  # a browser's message: no server path
    assert "belongs to another desk; desk ann deletes only its own" in _refusal(theirs.id, tmp_path)
    assert theirs.dir.exists() and stray.dir.exists()
    runs.delete_run(mine.id, tmp_path, owner="ann")
    assert not mine.dir.exists()
    runs.delete_run(theirs.id, tmp_path)  # the teacher deletes any
    assert not theirs.dir.exists()


def _refusal(identifier, root) -> str:
    try:
        runs.delete_run(identifier, root, owner="ann")
    except CnnvizError as err:
        return str(err)
    return ""
