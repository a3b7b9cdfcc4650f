"""The callbacks of `cnnviz.train` that Keras does not have.

`MetricStream` sends training events (`cnnviz.events`) to a function (`emit`): per
batch, at most ~10 times a second, and per epoch, with images/s and an ETA. `StopFlag`
ends `fit` after the current batch once `should_stop()` says so. `Validation` passes
over the validation images once at each epoch's end and adds the validation loss, the
accuracy and each class's accuracy to the epoch's logs (so history.csv and the epoch
events carry them). `cnnviz.snapshots.EpochSnapshots` keeps the weights after every
epoch in the run folder. The rest are Keras's own (`TerminateOnNaN`, `CSVLogger`,
`EarlyStopping`).

With `steps_per_execution` above 1 (`cnnviz.compiled`), Keras runs several batches per
call and calls the batch hooks once per call, with the last batch's index: the stream
and the stop flag then act after every few batches. Importing this module imports
Keras; `cnnviz.train` imports it when training starts.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import keras
import numpy as np

from cnnviz.events import BatchEvent, Emit, EpochEvent
from cnnviz.forward import predict_with_loss
from cnnviz.metrics import predicted_classes
from cnnviz.rundir import class_accuracy_key

__all__ = [
    "BATCH_EVENT_INTERVAL",
    "MetricStream",
    "StopFlag",
    "Validation",
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
        # `batch`: the last batch Keras ran (it may have run several since the last call)
        self.batch = min(batch + 1, self.batches)
        self.steps = (self.epoch - 1) * self.batches + self.batch
        done = min(self.batch * self.batch_size, self.images)
        self.seen = (self.epoch - 1) * self.images + done
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


class Validation(keras.callbacks.Callback):
    """One pass over the validation images at each epoch's end: adds `val_loss`,
    `val_accuracy` and each class's accuracy, `val_accuracy_class_<i>` (NaN for a class
    without validation images), to the epoch's logs.

    `val_loss` is the compiled loss (with any regularization losses) averaged over the
    images, as Keras's own validation reports it; an image counts as right by the one
    predicted-class rule (`cnnviz.metrics`), the rule of the per-class accuracies and of
    the test accuracy. Keras's own validation would run the images through the model a
    second time, through an evaluation loop of its own.

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
        outputs, loss = predict_with_loss(self.model, self.images, self.labels)
        right = predicted_classes(outputs) == self.labels
        logs["val_loss"], logs["val_accuracy"] = loss, float(right.mean())
        for index in range(self.num_classes):
            members = self.labels == index
            logs[class_accuracy_key(index)] = (
                float(right[members].mean()) if members.any() else float("nan")
            )
