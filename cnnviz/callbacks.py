"""The callbacks of `cnnviz.train` that Keras does not have.

`MetricStream` sends training events (`cnnviz.events`) to a function (`emit`): per
batch, at most ~10 times a second, and per epoch, with images/s and an ETA. `StopFlag`
ends `fit` after the current batch once `should_stop()` says so. `ClassAccuracy` adds
each class's validation accuracy to the epoch's logs (so history.csv and the epoch
events carry them). `EpochSnapshots` keeps the weights after every epoch in the run
folder, so a killed process loses at most the epoch in progress. The rest are Keras's own
(`TerminateOnNaN`, `CSVLogger`, `EarlyStopping`). Importing this module imports Keras;
`cnnviz.train` imports it when training starts.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable

import keras
import numpy as np

from cnnviz import rundir, runstatus
from cnnviz.events import BatchEvent, Emit, EpochEvent
from cnnviz.forward import predict_outputs
from cnnviz.metrics import predicted_classes
from cnnviz.rundir import class_accuracy_key

__all__ = [
    "BATCH_EVENT_INTERVAL",
    "ClassAccuracy",
    "EpochSnapshots",
    "MetricStream",
    "StopFlag",
]

BATCH_EVENT_INTERVAL = 0.1  # seconds between two batch events: at most ~10 a second


class MetricStream(keras.callbacks.Callback):
    """Emits batch events (throttled) and epoch events; counts images and time.

    Keras already hands python floats to `on_train_batch_end`, so this adds no
    device sync: a clock read per batch, an emit at most every `interval` s.
    """

    def __init__(
        self,
        emit: Emit | None,
        *,
        images: int,
        batch_size: int,
        epochs: int,
        interval: float = BATCH_EVENT_INTERVAL,
    ):
        super().__init__()
        self.emit, self.images, self.batch_size = emit, images, batch_size
        self.epochs, self.interval = epochs, interval
        self.batches = max(1, math.ceil(images / batch_size))

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()
        self.last_emit = -math.inf
        self.steps = self.seen = self.epochs_done = 0
        self.epoch = self.batch = 0
        self.last_loss = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.batch = epoch + 1, 0

    def on_train_batch_end(self, batch, logs=None):
        self.batch = batch + 1
        self.steps += 1
        self.seen += min(self.batch_size, self.images - batch * self.batch_size)
        self.last_loss = (logs or {}).get("loss", 0.0)
        now = time.perf_counter()
        if self.emit is not None and now - self.last_emit >= self.interval:
            self.last_emit = now
            self.emit(BatchEvent(**self._step(now, logs)))

    def on_epoch_end(self, epoch, logs=None):
        partial = self.batch < self.batches
        self.epochs_done += 0 if partial else 1
        if self.emit is not None:
            self.emit(EpochEvent(**self._step(time.perf_counter(), logs), partial=partial))

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def _step(self, now: float, logs) -> dict:
        elapsed = now - self.start
        left = self.epochs * self.batches - self.steps
        return {
            "epoch": self.epoch,
            "epochs": self.epochs,
            "batch": self.batch,
            "batches": self.batches,
            "elapsed": elapsed,
            "images_per_second": self.seen / elapsed if elapsed > 0 else 0.0,
            "eta": elapsed / self.steps * left if self.steps else None,
            "logs": {k: float(v) for k, v in (logs or {}).items()},
        }


class StopFlag(keras.callbacks.Callback):
    """Sets `model.stop_training` once `should_stop()` answers; Keras has then
    finished the batch, so the weights keep everything learned.

    `should_stop()` answers False (go on), True (a stop asked for) or a sentence
    saying why it stops (a time limit, the server gone), kept as `reason`.
    """

    def __init__(self, should_stop: Callable[[], bool | str]):
        super().__init__()
        self.should_stop = should_stop

    def on_train_begin(self, logs=None):
        self.fired, self.reason = False, None

    def on_train_batch_end(self, batch, logs=None):
        answer = self.should_stop()
        if answer:
            self.fired = True
            self.reason = answer if isinstance(answer, str) else None
            self.model.stop_training = True


class ClassAccuracy(keras.callbacks.Callback):
    """Adds each class's validation accuracy to the epoch's logs, as
    `val_accuracy_class_<i>` (NaN for a class without validation images).

    Args:
        images: float32 validation images of shape (N, H, W, C), rescaled.
        labels: int ndarray of shape (N,).
        num_classes: the number of classes.
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray, num_classes: int):
        super().__init__()
        self.images, self.labels, self.num_classes = images, np.asarray(labels), num_classes

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        predicted = predicted_classes(predict_outputs(self.model, self.images))
        right = predicted == self.labels
        for index in range(self.num_classes):
            members = self.labels == index
            logs[class_accuracy_key(index)] = (
                float(right[members].mean()) if members.any() else float("nan")
            )


class EpochSnapshots(keras.callbacks.Callback):
    """After every finished epoch: its weights in the run folder's `epochs/` and
    `epochs_completed` in status.json, both written atomically.

    Every epoch's weights are written (the latest is what survives a crash); of the
    earlier ones only every `every`-th is kept, so a large model's snapshots stay bounded.

    Args:
        run_dir: the run folder.
        stream: the run's MetricStream (it knows whether the epoch was cut short).
        every: keep the weights of epochs every, 2 * every, ... (and always the last).
    """

    def __init__(self, run_dir: str | os.PathLike, stream: MetricStream, *, every: int = 1):
        super().__init__()
        self.run_dir, self.stream, self.every = run_dir, stream, max(1, int(every))

    def on_train_begin(self, logs=None):
        self.latest = None

    def on_epoch_end(self, epoch, logs=None):
        if self.stream.batch < self.stream.batches or not math.isfinite(
            (logs or {}).get("loss", 0.0)
        ):
            return  # a partial epoch (stopped) or a NaN loss: nothing worth keeping
        done = epoch + 1
        rundir.save_epoch(self.run_dir, self.model, done)
        if self.latest is not None and self.latest % self.every:
            rundir.drop_epoch(self.run_dir, self.latest)
        self.latest = done
        runstatus.write_status(
            self.run_dir,
            "running",
            f"training: {done} of {self.stream.epochs} epochs done",
            epochs_completed=done,
        )
