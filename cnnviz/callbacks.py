"""The two callbacks of `cnnviz.train` that Keras does not have.

`MetricStream` sends training events (`cnnviz.events`) to a function (`emit`): per
batch, at most ~10 times a second, and per epoch, with images/s and an ETA. `StopFlag`
ends `fit` after the current batch once `should_stop()` says so. The rest are Keras's own
(`TerminateOnNaN`, `CSVLogger`, `EarlyStopping`). Importing this module imports Keras;
`cnnviz.train` imports it when training starts.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import keras

from cnnviz.events import BatchEvent, Emit, EpochEvent

__all__ = ["BATCH_EVENT_INTERVAL", "MetricStream", "StopFlag"]

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
    """Sets `model.stop_training` once `should_stop()` is true; Keras has then
    finished the batch, so the weights keep everything learned."""

    def __init__(self, should_stop: Callable[[], bool]):
        super().__init__()
        self.should_stop = should_stop

    def on_train_begin(self, logs=None):
        self.fired = False

    def on_train_batch_end(self, batch, logs=None):
        if self.should_stop():
            self.fired = True
            self.model.stop_training = True
