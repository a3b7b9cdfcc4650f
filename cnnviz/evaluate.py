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


def run_dataset(run, *, data_dir: str | None = None, load=None, viewer=None):
    """The dataset a run was trained on, reloaded from its config and checked against it.

    Viewing never downloads: the loader is called with `download=False`, so a TFDS set
    missing from the cache is a message, not a download. An upload is looked for in the
    uploads of the desk that trained the run.

    Args:
        run: a `cnnviz.runs.Run`.
        data_dir: TFDS cache directory (default: the run's own, else TFDS's; in
            classroom mode always the server's).
        load: what loads it, called with `cnnviz.data.load_dataset`'s arguments (the
            app passes its cached loader); `load_dataset` itself by default.
        viewer: who looks from a browser, a `cnnviz.viewers.Viewer`: the run's dataset
            must then be one a desk may open (`cnnviz.origins.check_origin`) and its
            images theirs to see (`cnnviz.viewers.check_images`). None: the server's
            command line, which may open any folder of the server.

    Returns:
        A `cnnviz.data.Dataset` with the run's image shape and classes.

    Raises:
        CnnvizError: the dataset may not be opened here, its images are another desk's,
            it cannot be loaded (not cached, deleted), or it no longer has the run's
            shape and classes.
    """
    from cnnviz.data import load_dataset
    from cnnviz.data.uploaded import find_upload, stored_name
    from cnnviz.origins import canonical, check_origin
    from cnnviz.uploads import dataset_label
    from cnnviz.viewers import check_images

    config = run.data_config("evaluate")
    if viewer is not None:
        dataset_id = check_origin(config["dataset"], where=f"run {run.id}")
        check_images(run, viewer)
    else:
        dataset_id = canonical(config["dataset"])
    label, image_size = dataset_label(dataset_id), config.get("image_size")
    upload = stored_name(dataset_id)
    desk, root = (run.owner, str(run.dir.parent)) if upload else (None, None)
    kind, _, where = str(dataset_id).partition(":")
    gone = upload and find_upload(upload, desk=desk, runs_dir=root) is None
    if gone or (kind == "folder" and not Path(where).exists()):
        among = f" among desk {desk}'s uploads" if desk else ""
        raise CnnvizError(
            f"run {run.id} was trained on {label}, which is no longer on this machine{among} "
            "(old uploads are deleted to make room for new ones); upload it again on the "
            "Data page to evaluate the run; Predict still works"
        )
    dataset = (load or load_dataset)(
        dataset_id,
        data_dir=data_dir or config.get("data_dir"),
        limit=config.get("limit"),
        seed=config.get("seed") or 0,
        image_size=tuple(image_size) if image_size else None,
        download=False,  # viewing a run never downloads
        desk=desk,
        runs_dir=root,
    )
    info = dataset.info
    now, then = list(info.image_shape), list(config["image_shape"])
    names_now, names_then = list(info.class_names), list(config["class_names"])
    if now != then:
        raise CnnvizError(
            f"the dataset {label!r} now has images of shape {now}, but run "
            f"{run.id} was trained on images of shape {then}; it cannot be evaluated on it"
        )
    if names_now != names_then:
        raise CnnvizError(
            f"the dataset {label!r} now has the classes {names_now[:10]}, but "
            f"run {run.id} was trained on the classes {names_then[:10]}; it cannot be "
            "evaluated on it"
        )
    return dataset


def run_test_split(run, *, data_dir: str | None = None, load=None, viewer=None):
    """The test split a run was trained against (`run_dataset(run).test`).

    Returns:
        A `cnnviz.data.Split`: uint8 images of the run's image shape and their labels.
    """
    return run_dataset(run, data_dir=data_dir, load=load, viewer=viewer).test


def evaluate_run(
    run,
    *,
    model=None,
    epoch: int | None = None,
    data_dir: str | None = None,
    load=None,
    viewer=None,
):
    """A run's trained model on its test split.

    Args:
        run: a `cnnviz.runs.Run` with a trained model.
        model: its model, when already loaded (`run.model(epoch)` otherwise).
        epoch: the weights after this epoch (None: the final model).
        data_dir: TFDS cache directory (default: the run's own).
        load: what loads the run's dataset (see `run_dataset`).
        viewer: who looks (see `run_dataset`); None: the command line.

    Returns:
        (test split, Evaluation).
    """
    from cnnviz.data import rescale

    test = run_test_split(run, data_dir=data_dir, load=load, viewer=viewer)
    model = model if model is not None else run.model(epoch)
    return test, evaluate(model, rescale(test.images), test.labels, run.config["class_names"])
