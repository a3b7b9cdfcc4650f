"""Training: one function that trains a spec on a dataset into a run directory.

`train` checks everything a learner chose before the first batch (`cnnviz.plan`), takes
a compiled model (`cnnviz.compiled`: a warm process reuses one per kind of model), then
runs Keras's `fit` with its callbacks: the validation pass, a metric stream (`emit`, per
batch at most ~10 times a second and per epoch) and a stop flag (`should_stop`, checked
after every batch, or every few batches for a small model), from `cnnviz.callbacks`;
Keras's `TerminateOnNaN` and `CSVLogger` (history.csv); the epoch snapshots
(`cnnviz.snapshots`); `EarlyStopping` when asked. Every outcome ends in a status:
completed, stopped (by request or a time limit, weights kept), or failed with a message
(NaN loss, full disk, a crash). It never calls `keras.backend.clear_session()`: that
resets Keras for every thread of the process. The job runners that run `train` in the
background live in `cnnviz.jobs`.
"""

from __future__ import annotations

import errno
import math
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cnnviz import files, rundir, runstatus
from cnnviz.errors import CnnvizError
from cnnviz.events import Emit, StatusEvent
from cnnviz.metrics import ClassificationMetrics, classification_metrics, predicted_classes
from cnnviz.plan import OPTIMIZERS, TrainConfig, TrainingPlan, plan_training
from cnnviz.spec import ModelSpec

__all__ = ["TrainResult", "fail_run", "train"]

NAN_MESSAGE = (
    "the loss became NaN (not a number) in epoch {epoch}, so training stopped; lower "
    "the learning rate (it is {lr:g}) or the number of epochs"
)


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


def _evaluate(model, plan: TrainingPlan, class_names) -> ClassificationMetrics:
    """Test metrics, from the model's graph function (`cnnviz.forward`: traced once
    per model, so a reused model traces nothing)."""
    from cnnviz.data import rescale
    from cnnviz.forward import predict_outputs

    outputs = predict_outputs(model, rescale(plan.test.images))
    return classification_metrics(plan.test.labels, predicted_classes(outputs), class_names)


def _disk_message(err: OSError, run_dir: Path) -> str:
    where = err.filename or run_dir
    if err.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return (
            f"no space left on the disk to write {where}; free some space or keep "
            "runs elsewhere (--runs-dir or $CNNVIZ_RUNS_DIR)"
        )
    return f"could not write the run files in {run_dir}: {err.strerror or err} ({where})"


def fail_run(
    run_dir: str | os.PathLike,
    message: str,
    *,
    emit: Emit | None = None,
    status: str = "failed",
    **fields: Any,
) -> TrainResult:
    """End a run that could not finish: `failed` (status.json, a status event), or
    `interrupted` when its process died (its finished epochs stay openable)."""
    run_dir = Path(run_dir)
    return _finish(TrainResult(run_dir.name, run_dir, status, message), emit, **fields)


def _finish(result: TrainResult, emit: Emit | None, **fields: Any) -> TrainResult:
    """Write the final status (a full disk cannot lose the result) and announce it."""
    if result.epochs_completed:  # else keep what the epoch snapshots recorded
        fields["epochs_completed"] = result.epochs_completed
    try:
        runstatus.write_status(
            result.run_dir,
            result.status,
            result.message,
            test_accuracy=result.test_accuracy,
            fit_seconds=result.fit_seconds,
            images_per_second=result.images_per_second,
            **fields,
        )
    except OSError:
        pass
    if emit is not None:
        emit(StatusEvent(result.status, result.message, result.test_accuracy))
    return result


def train(
    spec: ModelSpec,
    dataset,
    config: TrainConfig,
    *,
    run_dir: str | os.PathLike,
    emit: Emit | None = None,
    should_stop: Callable[[], bool | str] | None = None,
    augment=None,
    init_weights: str | os.PathLike | None = None,
) -> TrainResult:
    """Train a model on a dataset, writing its run directory as it goes.

    Args:
        spec: the model; its head decides the loss (1 sigmoid unit: binary
            cross-entropy; N softmax units: sparse categorical cross-entropy).
        dataset: a `cnnviz.data.Dataset` (uint8 images, int labels).
        config: the hyper-parameters.
        run_dir: the run folder (created if missing), e.g. from `rundir.create`.
        emit: called in this thread with each `cnnviz.events` event: batch events (at
            most ~10 a second), epoch events and status events.
        should_stop: polled after every batch (after every few, up to 8, for a small
            model: `cnnviz.compiled.steps_per_execution`); once it answers (True, or a
            sentence saying why, e.g. a time limit), training stops after that batch,
            keeps its weights, evaluates them and ends "stopped" (the message gives the
            sentence).
        augment: an `AugmentSpec` applied to training batches only, or None.
        init_weights: start from these weights (another run's, same layers) instead
            of the initial and pretrained ones.

    Returns:
        The result; every outcome (completed, stopped, failed) is also in status.json.
        Failures are returned, not raised: a spec or batch size that does not fit,
        a NaN loss, a full disk, an exception inside `fit`.
    """
    run_dir = Path(run_dir)
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        plan = plan_training(spec, dataset, config)
        info = dataset.info
        rundir.record(
            run_dir,
            spec.to_dict(),
            {
                "dataset": info.id,
                "image_shape": list(info.image_shape),
                "num_classes": info.num_classes,
                "class_names": list(info.class_names),
                "seed": config.seed,
                "training": config.to_dict(),
                "augment": None if augment is None else augment.to_dict(),
            },
        )
        return _fit(plan, dataset, config, run_dir, emit, should_stop, augment, init_weights)
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
    init_weights=None,
) -> TrainResult:
    from cnnviz.compiled import compiled_model

    runstatus.write_status(run_dir, "running", "building the model", epochs_completed=0)
    if emit is not None:
        emit(StatusEvent("running", "building the model"))
    with compiled_model(plan.report, plan.head, config) as model:
        if init_weights is not None:  # fine-tuning: another run's weights, the same layers
            from cnnviz.build import start_from

            start_from(model, init_weights)
        return _fit_model(model, plan, dataset, config, run_dir, emit, should_stop, augment)


def _fit_model(model, plan, dataset, config, run_dir, emit, should_stop, augment) -> TrainResult:
    import keras

    from cnnviz.callbacks import MetricStream, StopFlag, Validation
    from cnnviz.data import make_pipeline, rescale
    from cnnviz.snapshots import EpochSnapshots, snapshot_every

    layer = None
    if augment is not None and not augment.is_identity:
        from cnnviz.augment_layers import augmentation_layer

        layer = augmentation_layer(augment, seed=config.seed)
    train_ds = make_pipeline(
        plan.train, batch_size=config.batch_size, training=True, augment=layer, seed=config.seed
    )
    stream = MetricStream(
        emit, images=len(plan.train), batch_size=config.batch_size, epochs=config.epochs
    )
    stopper = StopFlag(should_stop or (lambda: False))
    slots = OPTIMIZERS[config.optimizer].state_slots
    slots = 0 if config.optimizer == "sgd" and config.momentum == 0 else slots
    every = snapshot_every(model.count_params(), config.epochs, slots=slots)
    validation = (
        []
        if plan.validation is None
        else [
            Validation(
                rescale(plan.validation.images), plan.validation.labels, dataset.info.num_classes
            )
        ]
    )
    callbacks = [
        *validation,  # first: the epoch's logs then carry the validation metrics
        stream,
        stopper,
        keras.callbacks.TerminateOnNaN(),
        keras.callbacks.CSVLogger(str(run_dir / rundir.HISTORY_FILE)),
        EpochSnapshots(run_dir, stream, every=every),
    ]
    early = None
    if config.early_stopping_patience is not None:
        early = keras.callbacks.EarlyStopping(
            monitor="val_loss" if validation else "loss",
            patience=config.early_stopping_patience,
            restore_best_weights=True,
        )
        callbacks.append(early)
    runstatus.write_status(
        run_dir,
        "running",
        "training",
        epochs_completed=0,
        epochs=config.epochs,
        snapshot_every=every,
        replicas=model.distribute_strategy.num_replicas_in_sync,
    )
    if should_stop is not None and should_stop() is True:  # Stop pressed: nothing trains
        # (a time limit or a lost server, said in words, stop after the first batch: a
        # job past its limit always keeps a model)
        return _finish(
            TrainResult(run_dir.name, run_dir, "stopped", "stopped before the first batch"), emit
        )
    history = model.fit(
        train_ds, epochs=config.epochs, callbacks=callbacks, verbose=0, shuffle=False
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
    rundir.save_model(run_dir, model)
    if emit is not None:
        emit(StatusEvent("running", "testing"))
    result.metrics = _evaluate(model, plan, dataset.info.class_names)
    files.write_json(run_dir / rundir.METRICS_FILE, result.metrics.to_dict())
    result.test_accuracy = result.metrics.accuracy
    result.status, result.message = _outcome(stream, stopper, early, config)
    return _finish(result, emit)


def _outcome(stream, stopper, early, config: TrainConfig) -> tuple[str, str]:
    if stopper.fired:
        why = f": {stopper.reason}" if stopper.reason else ""
        return "stopped", (
            f"stopped {'' if why else 'on request '}after batch {stream.batch} of epoch "
            f"{stream.epoch}{why}; the weights learned so far are saved"
        )
    if early is not None and early.stopped_epoch > 0:
        return "completed", (
            f"stopped early after epoch {stream.epoch} of {config.epochs}: {early.monitor} "
            f"did not improve for {config.early_stopping_patience} epochs; the best "
            "weights are kept"
        )
    return "completed", f"trained {stream.epochs_done} epochs"
