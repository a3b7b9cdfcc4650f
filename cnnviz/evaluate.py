"""A trained model on a labelled set: its answers and its metrics.

`evaluate` runs a model over images and keeps what everything else reads (the raw
outputs, the class probabilities, the predicted classes by the one rule of
`cnnviz.metrics`, and the metrics); `evaluate_run` does it for a run on the test split
it was trained against, for the command line and the Inspect page alike. Which images it
got wrong, and how badly, is `cnnviz.mistakes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnviz.errors import CnnvizError
from cnnviz.forward import predict_outputs
from cnnviz.metrics import (
    ClassificationMetrics,
    class_probabilities,
    classification_metrics,
    predicted_classes,
)

__all__ = ["Evaluation", "evaluate", "evaluate_run", "run_dataset", "run_test_split"]


@dataclass(frozen=True)
class Evaluation:
    """A model's answers on a labelled set.

    Attributes:
        outputs: ndarray of shape (N, units), what the model returned.
        probabilities: ndarray of shape (N, n_classes) (`metrics.class_probabilities`).
        predicted: int ndarray of shape (N,) (`metrics.predicted_classes`).
        metrics: the `ClassificationMetrics` of the answers.
    """

    outputs: np.ndarray
    probabilities: np.ndarray
    predicted: np.ndarray
    metrics: ClassificationMetrics


def evaluate(
    model, images: np.ndarray, labels: np.ndarray, class_names: list[str], *, batch_size: int = 256
) -> Evaluation:
    """Probabilities, predicted classes, confusion matrix and per-class metrics.

    Args:
        model: a trained Keras model.
        images: float pixels of shape (N, H, W, C), rescaled as in training.
        labels: int ndarray of shape (N,), the true classes.
        class_names: one name per class.
        batch_size: images per forward pass.
    """
    outputs = predict_outputs(model, images, batch_size=batch_size)
    predicted = predicted_classes(outputs)
    metrics = classification_metrics(np.asarray(labels), predicted, list(class_names))
    return Evaluation(outputs, class_probabilities(outputs), predicted, metrics)


def run_dataset(run, *, data_dir: str | None = None, load=None):
    """The dataset a run was trained on, reloaded from its config and checked against it.

    Args:
        run: a `cnnviz.runs.Run`.
        data_dir: TFDS cache directory (default: the run's own, else TFDS's).
        load: what loads it, with `cnnviz.data.load_dataset`'s arguments (the app
            passes its cached loader); `load_dataset` itself by default.

    Returns:
        A `cnnviz.data.Dataset` with the run's image shape and classes.

    Raises:
        CnnvizError: the dataset cannot be loaded or no longer has the run's shape
            and classes.
    """
    from cnnviz.data import load_dataset

    config = run.data_config("evaluate")
    image_size = config.get("image_size")
    try:
        dataset = (load or load_dataset)(
            config["dataset"],
            data_dir=data_dir or config.get("data_dir"),
            limit=config.get("limit"),
            seed=config.get("seed") or 0,
            image_size=tuple(image_size) if image_size else None,
        )
    except CnnvizError:
        kind, _, where = str(config["dataset"]).partition(":")
        if kind != "folder" or Path(where).exists():
            raise
        from cnnviz.uploads import dataset_label

        raise CnnvizError(
            f"run {run.id} was trained on {dataset_label(config['dataset'])}, which is no "
            "longer on this machine (old uploads are deleted past $CNNVIZ_UPLOADS_MB); "
            "upload it again on the Data page to evaluate the run; Predict still works"
        ) from None
    info = dataset.info
    now, then = list(info.image_shape), list(config["image_shape"])
    names_now, names_then = list(info.class_names), list(config["class_names"])
    if now != then:
        raise CnnvizError(
            f"the dataset {config['dataset']!r} now has images of shape {now}, but run "
            f"{run.id} was trained on images of shape {then}; it cannot be evaluated on it"
        )
    if names_now != names_then:
        raise CnnvizError(
            f"the dataset {config['dataset']!r} now has the classes {names_now[:10]}, but "
            f"run {run.id} was trained on the classes {names_then[:10]}; it cannot be "
            "evaluated on it"
        )
    return dataset


def run_test_split(run, *, data_dir: str | None = None, load=None):
    """The test split a run was trained against (`run_dataset(run).test`).

    Returns:
        A `cnnviz.data.Split`: uint8 images of the run's image shape and their labels.
    """
    return run_dataset(run, data_dir=data_dir, load=load).test


def evaluate_run(
    run, *, model=None, epoch: int | None = None, data_dir: str | None = None, load=None
):
    """A run's trained model on its test split.

    Args:
        run: a `cnnviz.runs.Run` with a trained model.
        model: its model, when already loaded (`run.model(epoch)` otherwise).
        epoch: the weights after this epoch (None: the final model).
        data_dir: TFDS cache directory (default: the run's own).
        load: what loads the run's dataset (see `run_dataset`).

    Returns:
        (test split, Evaluation).
    """
    from cnnviz.data import rescale

    model = model if model is not None else run.model(epoch)
    test = run_test_split(run, data_dir=data_dir, load=load)
    return test, evaluate(model, rescale(test.images), test.labels, run.config["class_names"])
