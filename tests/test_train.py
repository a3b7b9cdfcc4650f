"""Real training of tiny models: the run directory, the metric stream, every ending."""

import errno
import json
import math
import threading

import keras
import numpy as np
import pytest

from cnnviz import runs, runstatus
from cnnviz.augment import AugmentSpec
from cnnviz.build import build_model
from cnnviz.compiled import steps_per_execution
from cnnviz.data import Dataset, DatasetInfo, Split, load_dataset, rescale, split_validation
from cnnviz.errors import CnnvizError
from cnnviz.plan import TrainConfig, plan_training
from cnnviz.spec import ModelSpec, validate
from cnnviz.train import train

TINY = {
    "name": "tiny",
    "layers": [
        {"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu"},
        {"type": "Flatten"},
        {"type": "Dense", "units": "num_classes", "activation": "softmax"},
    ],
}


RUN_FILES = {
    "epochs",
    "spec.json",
    "config.json",
    "history.csv",
    "model.keras",
    "metrics.json",
    "status.json",
}


def tiny(*head: dict) -> ModelSpec:
    layers = TINY["layers"][:-1] + list(head) if head else TINY["layers"]
    return ModelSpec.from_dict({"name": "tiny", "layers": layers})


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", limit=200)


def oracle_accuracy(model, split) -> float:
    """Accuracy computed here from the model's own outputs, not by cnnviz."""
    probabilities = model.predict(rescale(split.images), verbose=0)
    if probabilities.shape[1] == 1:
        predicted = (probabilities[:, 0] >= 0.5).astype(int)
    else:
        predicted = probabilities.argmax(axis=1)
    return float(np.mean(predicted == split.labels))


def test_two_epochs_write_the_whole_run_directory(digits, runs_dir):
    events = []
    run_dir = runs_dir / "r"
    result = train(
        tiny(), digits, TrainConfig(epochs=2, batch_size=16), run_dir=run_dir, emit=events.append
    )
    assert result.status == "completed", result.message
    assert {p.name for p in run_dir.iterdir()} == RUN_FILES
    run = runs.load_run(run_dir)
    assert run.state == "completed" and run.status["epochs_completed"] == 2
    assert run.config["dataset"] == "digits" and run.config["class_names"] == list("0123456789")
    assert run.config["training"]["batch_size"] == 16 and run.config["augment"] is None

    # the same history three ways: the stream, history.csv (CSVLogger), the result
    epochs = [e for e in events if e.kind == "epoch"]
    assert [e.epoch for e in epochs] == [1, 2]
    csv_history = run.history()
    per_class = {f"val_accuracy_class_{i}" for i in range(10)}
    assert set(csv_history) == {"loss", "accuracy", "val_loss", "val_accuracy"} | per_class
    assert run.epochs() == [1, 2]  # the weights after each epoch are kept
    for key, values in csv_history.items():
        assert values == pytest.approx([e.logs[key] for e in epochs])
        assert values == pytest.approx(result.history[key])
    for event in epochs:
        assert event.images_per_second > 0 and event.elapsed > 0
        assert event.batches == math.ceil(180 / 16) and not event.partial
    batches = [e for e in events if e.kind == "batch"]
    assert batches and all(
        {"loss", "accuracy", "eta", "batch"} <= set(e.to_dict()) for e in batches
    )
    assert events[-1].to_dict() == {
        "kind": "status",
        "status": "completed",
        "message": result.message,
        "test_accuracy": result.test_accuracy,
    }

    # test metrics: as saved, and against the reloaded model's own predictions
    model = run.model()
    assert result.test_accuracy == pytest.approx(oracle_accuracy(model, digits.test))
    assert run.metrics().to_dict() == result.metrics.to_dict()
    assert result.metrics.confusion_matrix.sum() == len(digits.test)
    assert result.fit_seconds > 0
    assert result.images_per_second == pytest.approx(2 * 180 / result.fit_seconds)
    assert json.loads(json.dumps(result.to_dict()))["run_id"] == "r"


def test_stop_after_the_current_batch_keeps_the_weights(digits, runs_dir):
    stop = threading.Event()

    def press_stop_after_the_first_epoch(event):
        if event.kind == "epoch":
            stop.set()

    result = train(
        tiny(),
        digits,
        TrainConfig(epochs=5, batch_size=16),
        run_dir=runs_dir / "s",
        emit=press_stop_after_the_first_epoch,
        should_stop=stop.is_set,
    )
    assert result.status == "stopped"
    # after the batches Keras ran in one call (`steps_per_execution`): the first of epoch 2
    steps = steps_per_execution(validate(tiny(), input_shape=(8, 8, 1), num_classes=10), 16)
    assert f"after batch {min(steps, math.ceil(180 / 16))} of epoch 2" in result.message
    assert result.epochs_completed == 1 and len(result.history["loss"]) == 2
    run = runs.load_run(runs_dir / "s")
    assert run.state == "stopped" and run.metrics() is not None
    keras.utils.set_random_seed(0)  # the weights train() started from
    initial = build_model(tiny(), input_shape=(8, 8, 1), num_classes=10).get_weights()
    learned = run.model().get_weights()
    assert any(not np.allclose(a, b) for a, b in zip(initial, learned))
    assert result.test_accuracy == pytest.approx(oracle_accuracy(run.model(), digits.test))


def test_a_nan_loss_fails_the_run_with_a_message(digits, runs_dir):
    blow_up = ModelSpec.from_dict(
        {"name": "nan", "layers": [{"type": "Rescaling", "scale": 1e38}, *TINY["layers"]]}
    )
    result = train(blow_up, digits, TrainConfig(epochs=3, batch_size=16), run_dir=runs_dir / "n")
    assert result.status == "failed"
    assert "the loss became NaN" in result.message and "lower the learning rate" in (result.message)
    assert runs.load_run(runs_dir / "n").status["message"] == result.message
    assert not (runs_dir / "n" / "model.keras").exists()


@pytest.mark.parametrize(
    "spec, config, words",
    [
        (
            tiny({"type": "Dense", "units": 3, "activation": "softmax"}),
            TrainConfig(epochs=1),
            "outputs 3 values but the dataset has 10 classes",
        ),
        (
            tiny({"type": "Dense", "units": 1, "activation": "sigmoid"}),
            TrainConfig(epochs=1),
            "outputs 1 values but the dataset has 10 classes",
        ),
        (
            tiny(),
            TrainConfig(epochs=1, batch_size=500),
            "batch_size 500 is larger than the 180 training images after holding out 10%",
        ),
    ],
)
def test_mistakes_fail_before_training(digits, runs_dir, spec, config, words):
    events = []
    result = train(spec, digits, config, run_dir=runs_dir / "m", emit=events.append)
    assert result.status == "failed" and words in result.message
    assert runstatus.read_status(runs_dir / "m")["status"] == "failed"
    assert {p.name for p in (runs_dir / "m").iterdir()} == {"status.json"}
    assert [e.kind for e in events] == ["status"]
    with pytest.raises(CnnvizError, match=words.split(" after")[0]):
        plan_training(spec, digits, config)


def test_a_full_disk_fails_the_run_with_a_message(digits, runs_dir, monkeypatch):
    def full_disk(self, filepath, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(filepath))

    monkeypatch.setattr(keras.Model, "save", full_disk)
    result = train(tiny(), digits, TrainConfig(epochs=1, batch_size=32), run_dir=runs_dir / "d")
    assert result.status == "failed"
    assert "no space left on the disk" in result.message and "--runs-dir" in result.message
    status = runstatus.read_status(runs_dir / "d")
    assert status["status"] == "failed" and status["message"] == result.message
    assert {p.name for p in (runs_dir / "d").iterdir()} == {
        "spec.json",
        "config.json",
        "history.csv",
        "status.json",
        "epochs",  # the epoch's weights, written before the disk was full
    }
    assert not (runs_dir / "d" / "model.keras").exists()


def test_a_crash_inside_fit_fails_the_run_with_a_message(digits, runs_dir, monkeypatch):
    def crash(self, data):
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(keras.Model, "train_step", crash)
    threads = set(threading.enumerate())
    result = train(tiny(), digits, TrainConfig(epochs=1), run_dir=runs_dir / "c")
    assert result.status == "failed"
    assert result.message == "training crashed: RuntimeError: simulated crash"
    status = runstatus.read_status(runs_dir / "c")
    assert "simulated crash" in status["traceback"]
    assert set(threading.enumerate()) == threads


def test_augmentation_reaches_training_batches_only(digits, runs_dir, monkeypatch):
    from cnnviz import callbacks, forward

    seen = {"val": [], "test": []}
    real_fit = keras.Model.fit
    real_validate, real_test = callbacks.predict_with_loss, forward.predict_outputs

    def spy_fit(self, x, **kwargs):
        seen["train"] = x
        return real_fit(self, x, **kwargs)

    def spy_validate(model, images, labels, **kwargs):  # the validation pass, every epoch
        seen["val"].append((images, None))
        return real_validate(model, images, labels, **kwargs)

    def spy_test(model, images, **kwargs):  # the test images
        seen["test"].append((images, None))
        return real_test(model, images, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", spy_fit)
    monkeypatch.setattr(callbacks, "predict_with_loss", spy_validate)
    monkeypatch.setattr(forward, "predict_outputs", spy_test)
    halve = AugmentSpec(brightness=(0.5, 0.5))  # multiplies every pixel by exactly 0.5
    config = TrainConfig(epochs=1, batch_size=32)
    result = train(tiny(), digits, config, run_dir=runs_dir / "a", augment=halve)
    assert result.status == "completed", result.message
    assert runs.load_run(runs_dir / "a").config["augment"] == halve.to_dict()

    train_images = np.concatenate([x.numpy() for x, _ in seen["train"]])
    train_split, val_split = split_validation(digits.train, 0.1, seed=0)
    assert len(train_images) == len(train_split)
    assert train_images.max() == pytest.approx(0.5)  # every training batch halved
    np.testing.assert_allclose(
        np.sort(train_images.sum(axis=(1, 2, 3))),
        np.sort(rescale(train_split.images).sum(axis=(1, 2, 3))) / 2,
        rtol=1e-5,
    )
    for key, split in (("val", val_split), ("test", digits.test)):  # untouched
        images = np.concatenate([np.asarray(x) for x, _ in seen[key]])
        np.testing.assert_array_equal(images, rescale(split.images))


def test_a_binary_head_trains_with_binary_cross_entropy(digits, runs_dir):
    def two_classes(split):
        keep = split.labels < 2
        return Split(split.images[keep], split.labels[keep])

    train_split, test_split = two_classes(digits.train), two_classes(digits.test)
    info = DatasetInfo(
        "digits-0-1",
        "zeros and ones",
        (8, 8, 1),
        ("0", "1"),
        {"train": len(train_split), "test": len(test_split)},
        {"train": [], "test": []},
    )
    pair = Dataset(info, train_split, test_split)
    spec = tiny({"type": "Dense", "units": 1, "activation": "sigmoid"})
    plan = plan_training(spec, pair, TrainConfig())
    assert plan.head.kind == "binary" and plan.head.loss == "binary_crossentropy"
    result = train(
        spec, pair, TrainConfig(epochs=2, batch_size=8, learning_rate=0.01), run_dir=runs_dir / "b"
    )
    assert result.status == "completed", result.message
    run = runs.load_run(runs_dir / "b")
    assert result.test_accuracy == pytest.approx(oracle_accuracy(run.model(), test_split))
    assert run.metrics().confusion_matrix.shape == (2, 2)


def test_early_stopping_ends_a_run_that_stops_improving(digits, runs_dir):
    # a step of 1e-30 cannot change float32 weights: val_loss never improves
    config = TrainConfig(
        epochs=6,
        batch_size=32,
        optimizer="sgd",
        learning_rate=1e-30,
        momentum=0.0,
        early_stopping_patience=1,
    )
    result = train(tiny(), digits, config, run_dir=runs_dir / "e")
    assert result.status == "completed"
    assert result.epochs_completed == 2 and "stopped early after epoch 2 of 6" in (result.message)
    assert len(runs.load_run(runs_dir / "e").history()["val_loss"]) == 2


@pytest.fixture
def spec_file(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY))
    return path


def test_cli_train_json_prints_the_design_document(runs_dir, spec_file, capsys):
    from cnnviz.cli import main

    code = main(
        [
            "train",
            "--data",
            "digits",
            "--model",
            str(spec_file),
            "--epochs",
            "2",
            "--batch-size",
            "16",
            "--limit",
            "200",
            "--runs-dir",
            str(runs_dir),
            "--json",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    doc = json.loads(captured.out)
    assert {
        "run_id",
        "run_dir",
        "history",
        "test_accuracy",
        "fit_seconds",
        "images_per_second",
    } <= set(doc)
    run = runs.load_run(doc["run_id"], runs_dir)
    assert run.state == "completed" and str(run.dir) == doc["run_dir"]
    history = run.history()
    assert set(doc["history"]) == set(history)
    for key, values in history.items():
        assert doc["history"][key] == pytest.approx(values)
    assert len(doc["history"]["val_accuracy"]) == 2
    assert doc["test_accuracy"] == pytest.approx(run.metrics().accuracy)
    assert run.config["model"] == str(spec_file) and run.config["limit"] == 200
    assert captured.err.count("epoch ") == 2  # progress goes to stderr with --json


def test_cli_train_mistake_exits_2_and_creates_no_run(runs_dir, spec_file, capsys):
    from cnnviz.cli import main

    code = main(
        [
            "train",
            "--data",
            "digits",
            "--model",
            str(spec_file),
            "--limit",
            "200",
            "--batch-size",
            "5000",
            "--runs-dir",
            str(runs_dir),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: batch_size 5000 is larger than the 180 training images")
    assert runs.list_runs(runs_dir) == []


def test_cli_ctrl_c_stops_after_the_batch_and_saves(tmp_path, spec_file):
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONUNBUFFERED": "1"}
    command = [
        sys.executable,
        "-m",
        "cnnviz",
        "train",
        "--data",
        "digits",
        "--model",
        str(spec_file),
        "--epochs",
        "1000",
        "--limit",
        "200",
        "--runs-dir",
        str(tmp_path / "runs"),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path
    )
    try:
        for line in process.stdout:
            if line.startswith("epoch "):
                process.send_signal(signal.SIGINT)
                break
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert "stopping after the current batch" in err and "Traceback" not in err
    assert "stopped: test accuracy" in out
    (run,) = runs.list_runs(tmp_path / "runs")
    assert run.state == "stopped" and "on request" in run.status["message"]
    assert (run.dir / "model.keras").is_file() and run.metrics() is not None
    assert 1 <= len(run.history()["loss"]) < 1000
