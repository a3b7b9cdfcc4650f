"""Small real models and runs for the inspection tests (trained here, in seconds)."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import numpy as np

from cnnviz import presets
from cnnviz.build import build_model
from cnnviz.data import load_dataset, rescale
from cnnviz.files import write_json
from cnnviz.rundir import MODEL_FILE
from cnnviz.runs import Run, create_run
from cnnviz.runstatus import write_status
from cnnviz.spec import ModelSpec, validate


def compiled(model, *, learning_rate: float = 0.003):
    import keras

    loss = (
        "binary_crossentropy" if model.output_shape[-1] == 1 else "sparse_categorical_crossentropy"
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=["accuracy"])
    return model


def train_digits(*, preset: str = "digits-small", epochs: int = 6, seed: int = 0):
    """(model, report, dataset, history) of a preset trained on the digits."""
    import keras

    keras.utils.set_random_seed(seed)
    dataset = load_dataset("digits")
    info = dataset.info
    report = validate(
        presets.get(preset), input_shape=info.image_shape, num_classes=info.num_classes
    )
    model = compiled(build_model(report))
    history = model.fit(
        rescale(dataset.train.images),
        dataset.train.labels,
        validation_data=(rescale(dataset.test.images), dataset.test.labels),
        epochs=epochs,
        batch_size=32,
        verbose=0,
    )
    return model, report, dataset, history.history


@functools.cache
def trained_digits():
    """digits-small trained for a few epochs on the digits, once per test process."""
    return train_digits(epochs=4)


def save_run(
    model,
    spec: ModelSpec,
    dataset,
    history: dict[str, list[float]],
    runs_dir: Path,
    *,
    dataset_id: str = "digits",
) -> Run:
    """A finished run written through cnnviz.runs, as training leaves one."""
    info = dataset.info
    config = {
        "dataset": dataset_id,
        "data_dir": None,
        "limit": None,
        "seed": 0,
        "image_size": None,
        "image_shape": list(info.image_shape),
        "num_classes": info.num_classes,
        "class_names": list(info.class_names),
        "training": {
            "epochs": len(history["loss"]),
            "batch_size": 32,
            "optimizer": "adam",
            "learning_rate": 0.003,
        },
        "augment": None,
    }
    run = create_run(spec, config, runs_dir=runs_dir, status="running")
    model.save(run.dir / MODEL_FILE)
    columns = ["epoch", *history]
    with open(run.dir / "history.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for epoch in range(len(history["loss"])):
            writer.writerow([epoch, *(history[k][epoch] for k in history)])
    accuracy = float(history["val_accuracy"][-1])
    write_json(
        run.dir / "metrics.json",
        {
            "test_accuracy": accuracy,
            "class_names": list(info.class_names),
            "confusion_matrix": np.eye(info.num_classes, dtype=int).tolist(),
            "per_class": [
                {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1} for _ in info.class_names
            ],
        },
    )
    write_status(
        run.dir, "completed", "done", test_accuracy=accuracy, epochs_completed=len(history["loss"])
    )
    return Run.read(run.dir)


def pixel_images(bright: list[int]) -> np.ndarray:
    images = np.zeros((len(bright), 2, 2, 1), np.float32)
    for i, k in enumerate(bright):
        images[i].reshape(-1)[k] = 1.0
    return images


Y_TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2])
BRIGHT = [0, 0, 1, 1, 1, 2, 0, 2]  # what the model predicts for each image


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """`python -m cnnviz ARGV` in this process: (exit code, stdout, stderr)."""
    from cnnviz.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def backbone_model(
    head: list[dict] | None = None, *, shape: tuple[int, int, int] = (32, 32, 3), classes: int = 3
):
    """(model, report) of a pretrained SqueezeNet (ImageNet weights, frozen) and a head:
    the squeezenet-head preset's unless given; the head's weights are Keras's initial
    ones (nothing is trained)."""
    import keras

    keras.utils.set_random_seed(0)
    layers = [{"type": "Backbone", "name": "squeezenet", "trainable_blocks": 0}]
    layers += head or [
        {"type": "GlobalAveragePooling2D"},
        {"type": "Dropout", "rate": 0.2},
        {"type": "Dense", "units": "num_classes", "activation": "softmax"},
    ]
    spec = ModelSpec.from_dict({"name": "backbone test", "layers": layers})
    report = validate(spec, input_shape=shape, num_classes=classes)
    return build_model(report, pretrained=True), report
