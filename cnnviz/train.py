"""Training: one function that trains a spec on a dataset into a run directory.

`train` validates everything a learner chose before the first batch (the head against
the dataset's classes, the batch size against the training images), then runs Keras's
`fit` with four callbacks: a metric stream (`emit`, per batch at most ~10 times a
second and per epoch) and a stop flag (`should_stop`, checked after every batch), both
from `cnnviz.callbacks`, then Keras's `TerminateOnNaN` and `CSVLogger` (history.csv),
plus `EarlyStopping` when asked. Every outcome ends in a status: completed, stopped (by
request, weights kept), or failed with a message (NaN loss, full disk, a crash). It never
calls `keras.backend.clear_session()`: that resets Keras for every thread of the process.

The job runner that runs `train` in the background lives in `cnnviz.jobs`; its names
are importable from here too (`from cnnviz.train import ThreadJobRunner`).
"""

from __future__ import annotations

import errno
import math
import os
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from cnnviz import runs
from cnnviz.callbacks import Emit, callback_classes
from cnnviz.errors import CnnvizError
from cnnviz.metrics import ClassificationMetrics, classification_metrics, predicted_classes
from cnnviz.spec import Head, ModelSpec, Report, head_of, validate

__all__ = [
    "OPTIMIZERS",
    "TrainConfig",
    "TrainResult",
    "TrainingPlan",
    "fail_run",
    "plan_training",
    "train",
]

OPTIMIZERS = ("adam", "rmsprop", "sgd")
MAX_EPOCHS = 10_000
MAX_VALIDATION_SPLIT = 0.5
NAN_MESSAGE = (
    "the loss became NaN (not a number) in epoch {epoch}, so training stopped; lower "
    "the learning rate (it is {lr:g}) or the number of epochs"
)
_JOB_NAMES = ("JobRunner", "ThreadJobRunner", "TrainRequest", "default_runner", "run_job")


def __getattr__(name: str) -> Any:  # the job runner, importable from here as well
    if name in _JOB_NAMES:
        from cnnviz import jobs

        return getattr(jobs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _received(name: str, value: Any) -> str:
    return f"Received: {name}={value!r}"


def _int(name: str, value: Any, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise CnnvizError(
            f"{name} must be a whole number from {low} to {high} ({what}). "
            + _received(name, value)
        )
    return value


def _float(name: str, value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise CnnvizError(f"{name} must be a number ({what}). " + _received(name, value))
    return float(value)


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of one training run, checked on construction.

    Raises:
        CnnvizError: a value out of range, with what was received and what fits.
    """

    epochs: int = 10  # passes over the training images
    batch_size: int = 32  # images per gradient step
    optimizer: str = "adam"  # adam, rmsprop or sgd
    learning_rate: float = 0.001  # size of each optimizer step
    momentum: float = 0.9  # sgd only: share of the previous step carried into the next
    validation_split: float = 0.1  # share of training images held out to validate, 0-0.5
    seed: int = 0  # initial weights, shuffling, the validation split, the `limit` subset
    early_stopping_patience: int | None = None  # epochs without better val_loss; None: off

    def __post_init__(self) -> None:
        _int("epochs", self.epochs, 1, MAX_EPOCHS, "passes over the training images, e.g. 10")
        _int("batch_size", self.batch_size, 1, 1 << 16, "images per step, e.g. 32")
        name = self.optimizer.lower().strip() if isinstance(self.optimizer, str) else None
        if name not in OPTIMIZERS:
            raise CnnvizError(
                f"optimizer must be one of {', '.join(OPTIMIZERS)}. "
                + _received("optimizer", self.optimizer)
            )
        rate = _float("learning_rate", self.learning_rate, "e.g. 0.001")
        if not 0 < rate <= 10:
            raise CnnvizError(
                "learning_rate must be above 0 and at most 10, e.g. 0.001. "
                + _received("learning_rate", self.learning_rate)
            )
        momentum = _float("momentum", self.momentum, "for sgd, e.g. 0.9")
        if not 0 <= momentum < 1:
            raise CnnvizError(
                "momentum must be at least 0 and below 1, e.g. 0.9. "
                + _received("momentum", self.momentum)
            )
        split = _float("validation_split", self.validation_split, "a share, e.g. 0.1")
        if not 0 <= split <= MAX_VALIDATION_SPLIT:
            raise CnnvizError(
                f"validation_split must be from 0 (no validation) to {MAX_VALIDATION_SPLIT:g}"
                " (half of the training images), e.g. 0.1. "
                + _received("validation_split", self.validation_split)
            )
        _int("seed", self.seed, 0, 2**31 - 1, "any whole number; the same seed repeats a run")
        if self.early_stopping_patience is not None:
            _int(
                "early_stopping_patience",
                self.early_stopping_patience,
                1,
                MAX_EPOCHS,
                "epochs without improvement before stopping, or None for no early stop",
            )
        for key, value in (
            ("optimizer", name),
            ("learning_rate", rate),
            ("momentum", momentum),
            ("validation_split", split),
        ):
            object.__setattr__(self, key, value)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Read `to_dict` output; unknown keys are refused, missing ones default."""
        known = [f.name for f in fields(cls)]
        unknown = [k for k in data if k not in known]
        if unknown:
            raise CnnvizError(
                f"unknown training setting {unknown[0]!r}; known settings: {', '.join(known)}"
            )
        return cls(**data)

    @classmethod
    def suggested(cls, model: str | None = None, **overrides: Any) -> TrainConfig:
        """The preset's suggested epochs, batch size and learning rate (defaults for a
        spec file), with `overrides` whose value is not None on top."""
        from cnnviz.presets import preset_for

        preset = preset_for(model) if model else None
        values = dict(preset.training) if preset else {}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.from_dict(values)


@dataclass(frozen=True)
class TrainingPlan:
    """What `train` will do, checked: the model, its head, and the splits.

    Attributes:
        report: the spec validated against the dataset.
        head: binary or multiclass, which decides the loss.
        train, validation: the training images and the held-out ones (None with
            validation_split 0); `cnnviz.data.Split`s.
        test: the dataset's test split.
    """

    report: Report
    head: Head
    train: Any
    validation: Any
    test: Any


def plan_training(spec: ModelSpec, dataset, config: TrainConfig) -> TrainingPlan:
    """Check a training run before it starts.

    Raises:
        CnnvizError: the spec does not fit the dataset (shapes, a head that does not
            fit its classes), or the batch size is larger than the training images.
    """
    from cnnviz.data import split_validation

    info = dataset.info
    report = validate(spec, input_shape=info.image_shape, num_classes=info.num_classes)
    head = head_of(report, info.num_classes)
    train_split, val_split = dataset.train, None
    if config.validation_split > 0:
        train_split, val_split = split_validation(
            dataset.train, config.validation_split, seed=config.seed
        )
    if config.batch_size > len(train_split):
        held = (
            f" after holding out {config.validation_split:.0%} for validation"
            if (val_split is not None)
            else ""
        )
        raise CnnvizError(
            f"batch_size {config.batch_size} is larger than the {len(train_split)} "
            f"training images{held}; choose a batch size of at most {len(train_split)}"
        )
    if len(dataset.test) == 0:
        raise CnnvizError(f"the dataset {info.id!r} has no test images to evaluate on")
    return TrainingPlan(report, head, train_split, val_split, dataset.test)


@dataclass
class TrainResult:
    """How a run ended.

    Attributes:
        run_id, run_dir: the run directory.
        status: "completed", "stopped" or "failed".
        message: what happened, for people.
        history: per-epoch metrics, e.g. {"loss": [...], "val_accuracy": [...]}.
        test_accuracy: accuracy on the test split, None when not evaluated.
        fit_seconds: wall time of `fit`, validation included.
        images_per_second: training images seen / fit_seconds.
        metrics: test metrics with the confusion matrix, None when not evaluated.
        epochs_completed: epochs that ran to their end.
    """

    run_id: str
    run_dir: Path
    status: str
    message: str
    history: dict[str, list[float]] = field(default_factory=dict)
    test_accuracy: float | None = None
    fit_seconds: float = 0.0
    images_per_second: float = 0.0
    metrics: ClassificationMetrics | None = None
    epochs_completed: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The `train --json` document, plus status and message."""
        return {
            "run_id": self.run_id,
            "run_dir": str(self.run_dir),
            "status": self.status,
            "message": self.message,
            "history": self.history,
            "test_accuracy": self.test_accuracy,
            "fit_seconds": self.fit_seconds,
            "images_per_second": self.images_per_second,
        }


# --- the training function ----------------------------------------------------------


def _optimizer(config: TrainConfig):
    import keras

    if config.optimizer == "sgd":
        return keras.optimizers.SGD(config.learning_rate, momentum=config.momentum)
    if config.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(config.learning_rate)
    return keras.optimizers.Adam(config.learning_rate)


def _record_config(run_dir: Path, dataset, config: TrainConfig, augment) -> None:
    """Write config.json: what the run dir already says (e.g. the data source), plus
    the dataset's shape and classes, the hyper-parameters and the augmentation."""
    path = run_dir / runs.CONFIG_FILE
    try:
        document = runs.read_json(path) if path.is_file() else {}
    except CnnvizError:
        document = {}
    info = dataset.info
    for key, value in (
        ("dataset", info.id),
        ("data_dir", None),
        ("limit", None),
        ("image_size", None),
        ("seed", config.seed),
    ):
        document.setdefault(key, value)
    document.update(
        image_shape=list(info.image_shape),
        num_classes=info.num_classes,
        class_names=list(info.class_names),
        training=config.to_dict(),
        augment=None if augment is None else augment.to_dict(),
    )
    document.setdefault("created", runs.now_iso())
    runs.write_json(path, document)


def _save_model(model, path: Path) -> None:
    """model.keras, written to a temp name first so a failed save leaves no half file."""
    tmp = path.with_name(f".{os.getpid()}-{id(model)}.tmp.keras")
    try:
        model.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _evaluate(model, plan: TrainingPlan, config: TrainConfig, class_names):
    """Test metrics. The model is called eagerly batch by batch: `model.predict` would
    trace a new graph for every new model, and TensorFlow warns about that retracing."""
    import numpy as np

    from cnnviz.data import make_pipeline

    test = make_pipeline(plan.test, batch_size=config.batch_size, training=False, cache=False)
    probabilities = np.concatenate([model(x, training=False).numpy() for x, _ in test])
    return classification_metrics(plan.test.labels, predicted_classes(probabilities), class_names)


def _disk_message(err: OSError, run_dir: Path) -> str:
    where = err.filename or run_dir
    if err.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return (
            f"no space left on the disk to write {where}; free some space or keep "
            "runs elsewhere (--runs-dir or $CNNVIZ_RUNS_DIR)"
        )
    return f"could not write the run files in {run_dir}: {err.strerror or err} ({where})"


def fail_run(
    run_dir: str | os.PathLike, message: str, *, emit: Emit | None = None, **fields: Any
) -> TrainResult:
    """Mark a run failed (status.json, a status event) and return its result."""
    run_dir = Path(run_dir)
    return _finish(TrainResult(run_dir.name, run_dir, "failed", message), emit, **fields)


def _finish(result: TrainResult, emit: Emit | None, **fields: Any) -> TrainResult:
    """Write the final status (a full disk cannot lose the result) and announce it."""
    try:
        runs.write_status(
            result.run_dir,
            result.status,
            result.message,
            test_accuracy=result.test_accuracy,
            fit_seconds=result.fit_seconds,
            images_per_second=result.images_per_second,
            epochs_completed=result.epochs_completed,
            **fields,
        )
    except OSError:
        pass
    if emit is not None:
        emit(
            {
                "kind": "status",
                "status": result.status,
                "message": result.message,
                "test_accuracy": result.test_accuracy,
            }
        )
    return result


def train(
    spec: ModelSpec,
    dataset,
    config: TrainConfig,
    *,
    run_dir: str | os.PathLike,
    emit: Emit | None = None,
    should_stop: Callable[[], bool] | None = None,
    augment=None,
) -> TrainResult:
    """Train a model on a dataset, writing its run directory as it goes.

    Args:
        spec: the model; its head decides the loss (1 sigmoid unit: binary
            cross-entropy; N softmax units: sparse categorical cross-entropy).
        dataset: a `cnnviz.data.Dataset` (uint8 images, int labels).
        config: the hyper-parameters.
        run_dir: the run folder (created if missing), e.g. from `runs.create_run`.
        emit: called in this thread with each event, a dict with "kind": "batch"
            (at most ~10 a second), "epoch" or "status"; batch and epoch events carry
            epoch, epochs, batch, batches, loss, accuracy (val_loss, val_accuracy per
            epoch), images_per_second, elapsed and eta in seconds.
        should_stop: polled after every batch; once true, training stops after that
            batch, keeps its weights, evaluates them and ends "stopped".
        augment: an `AugmentSpec` (or its dict) applied to training batches only.

    Returns:
        The result; every outcome (completed, stopped, failed) is also in status.json.
        Failures are returned, not raised: a spec or batch size that does not fit,
        a NaN loss, a full disk, an exception inside `fit`.
    """
    run_dir = Path(run_dir)
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        if isinstance(augment, dict):
            from cnnviz.augment import AugmentSpec

            augment = AugmentSpec.from_dict(augment)
        plan = plan_training(spec, dataset, config)
        runs.write_json(run_dir / runs.SPEC_FILE, spec.to_dict())
        _record_config(run_dir, dataset, config, augment)
        return _fit(plan, dataset, config, run_dir, emit, should_stop, augment)
    except CnnvizError as err:
        return fail_run(run_dir, str(err), emit=emit)
    except OSError as err:
        return fail_run(run_dir, _disk_message(err, run_dir), emit=emit)
    except KeyboardInterrupt:  # a hard abort (a second Ctrl-C): nothing was saved
        _finish(
            TrainResult(
                run_dir.name, run_dir, "interrupted", "interrupted before the weights were saved"
            ),
            emit,
        )
        raise
    except Exception as err:  # a crash inside fit: the run says so, the caller goes on
        return fail_run(
            run_dir,
            f"training crashed: {type(err).__name__}: {err}",
            emit=emit,
            traceback=traceback.format_exc(),
        )


def _fit(
    plan: TrainingPlan,
    dataset,
    config: TrainConfig,
    run_dir: Path,
    emit: Emit | None,
    should_stop,
    augment,
) -> TrainResult:
    import keras

    from cnnviz.build import build_model
    from cnnviz.data import make_pipeline

    runs.write_status(run_dir, "running", "building the model", epochs_completed=0)
    if emit is not None:
        emit({"kind": "status", "status": "running", "message": "building the model"})
    keras.utils.set_random_seed(config.seed)
    model = build_model(plan.report)
    model.compile(optimizer=_optimizer(config), loss=plan.head.loss, metrics=["accuracy"])
    layer = None
    if augment is not None and not augment.is_identity:
        from cnnviz.augment import augmentation_layer

        layer = augmentation_layer(augment, seed=config.seed)
    train_ds = make_pipeline(
        plan.train, batch_size=config.batch_size, training=True, augment=layer, seed=config.seed
    )
    val_ds = (
        None
        if plan.validation is None
        else make_pipeline(plan.validation, batch_size=config.batch_size, training=False)
    )
    metric_stream, stop_flag = callback_classes()
    stream = metric_stream(
        emit, images=len(plan.train), batch_size=config.batch_size, epochs=config.epochs
    )
    stopper = stop_flag(should_stop or (lambda: False))
    callbacks = [
        stream,
        stopper,
        keras.callbacks.TerminateOnNaN(),
        keras.callbacks.CSVLogger(str(run_dir / runs.HISTORY_FILE)),
    ]
    early = None
    if config.early_stopping_patience is not None:
        early = keras.callbacks.EarlyStopping(
            monitor="val_loss" if val_ds is not None else "loss",
            patience=config.early_stopping_patience,
            restore_best_weights=True,
        )
        callbacks.append(early)
    runs.write_status(run_dir, "running", "training", epochs_completed=0)
    if should_stop is not None and should_stop():
        return _finish(
            TrainResult(run_dir.name, run_dir, "stopped", "stopped before the first batch"), emit
        )
    history = model.fit(
        train_ds,
        validation_data=val_ds,
        epochs=config.epochs,
        callbacks=callbacks,
        verbose=0,
        shuffle=False,
    )
    result = TrainResult(
        run_dir.name,
        run_dir,
        "completed",
        "",
        history={k: [float(v) for v in vs] for k, vs in history.history.items()},
        fit_seconds=stream.elapsed(),
        epochs_completed=stream.epochs_done,
    )
    result.images_per_second = stream.seen / result.fit_seconds if result.fit_seconds else 0
    if not math.isfinite(stream.last_loss):
        result.status = "failed"
        result.message = NAN_MESSAGE.format(epoch=stream.epoch, lr=config.learning_rate)
        return _finish(result, emit)
    _save_model(model, run_dir / runs.MODEL_FILE)
    if emit is not None:
        emit({"kind": "status", "status": "running", "message": "testing"})
    result.metrics = _evaluate(model, plan, config, dataset.info.class_names)
    runs.write_json(run_dir / runs.METRICS_FILE, result.metrics.to_dict())
    result.test_accuracy = result.metrics.accuracy
    result.status, result.message = _outcome(stream, stopper, early, config)
    return _finish(result, emit)


def _outcome(stream, stopper, early, config: TrainConfig) -> tuple[str, str]:
    if stopper.fired:
        return "stopped", (
            f"stopped on request after batch {stream.batch} of epoch "
            f"{stream.epoch}; the weights learned so far are saved"
        )
    if early is not None and early.stopped_epoch > 0:
        return "completed", (
            f"stopped early after epoch {stream.epoch} of {config.epochs}: {early.monitor} "
            f"did not improve for {config.early_stopping_patience} epochs; the best "
            "weights are kept"
        )
    return "completed", f"trained {stream.epochs_done} epochs"
