"""Every finished epoch's weights in the run folder, cheaply and within a disk budget.

`EpochSnapshots` (a Keras callback) writes the weights after every finished epoch to
the run folder's `epochs/` (through `cnnviz.rundir`, atomically: a killed process loses
at most the epoch in progress) and `epochs_completed` to status.json. Of the earlier
epochs it keeps every k-th, k chosen so that a run's snapshots stay within
SNAPSHOT_BUDGET: guessed before training from the weights and the optimizer's state,
then set from the size of the first snapshot written (what is on disk, not a guess).

`WeightsFile` writes a model's state as Keras's own `.weights.h5`, the file
`model.save_weights` writes and `model.load_weights` reads: a group per layer and one
for the optimizer (its moments too), named as Keras names them. Keras finds that layout
by walking the model's attributes on every save (~40 ms of Python for a small CNN, about
as long as an epoch of its training); `WeightsFile` asks Keras for the layout once per
model (which variable goes where) and then writes the values with h5py. A model whose
layout it does not recognise is saved by Keras itself.
"""

from __future__ import annotations

import math
import os
import weakref
from pathlib import Path
from typing import Any

import keras
import numpy as np

from cnnviz import rundir, runstatus
from cnnviz.forward import cached

__all__ = [
    "SNAPSHOT_BUDGET",
    "EpochSnapshots",
    "WeightsFile",
    "keep_every",
    "snapshot_every",
    "weights_file",
]

SNAPSHOT_BUDGET = 200 * 2**20  # bytes of per-epoch weights one run may keep
FILE_OVERHEAD = 64 * 2**10  # bytes of a weights file's own structure, about


def keep_every(size: int, epochs: int, *, budget: int = SNAPSHOT_BUDGET) -> int:
    """The smallest k such that the snapshots a run keeps (epochs k, 2k, ... and the
    latest, ceil(epochs / k) files) of `size` bytes each fit within `budget`; above
    `epochs` (only the latest is kept) when even one does not fit."""
    fit = budget // max(1, int(size))
    return epochs + 1 if fit < 1 else max(1, math.ceil(epochs / fit))


def snapshot_every(params: int, epochs: int, *, slots: int = 0, budget: int = SNAPSHOT_BUDGET):
    """`keep_every` guessed before the first snapshot: 4 bytes a weight, as many again
    per value the optimizer keeps per weight (`slots`: Adam keeps 2), plus the file's
    own structure."""
    return keep_every(4 * int(params) * (1 + slots) + FILE_OVERHEAD, epochs, budget=budget)


class WeightsFile:
    """Writes one model's `.weights.h5` files: `capture()` the values now (a few
    milliseconds, on the training thread), `write(path, values)` them.

    Args:
        model: a built Keras model (compiled or not).
    """

    def __init__(self, model):
        self.model = weakref.ref(model)
        self.layout: list | None = None  # [(group path, attributes, dataset names)]
        self.variables: list = []  # in the order of their datasets
        self._shape, self._read = None, None

    def capture(self) -> list[np.ndarray] | None:
        """The values to write, read now; None when Keras must save the model itself."""
        model = self.model()
        if self._shape != _state_shape(model):  # new: first use, or an optimizer built since
            self._shape = _state_shape(model)
            self.layout, self.variables = _layout(model)
            self._read = None
        if self.layout is None:
            return None
        if self._read is None:  # one graph call reads them all (not one call each)
            import tensorflow as tf

            self._read = tf.function(_Reader(self.variables))
        return [np.asarray(value) for value in self._read()]

    def write(self, path: str | os.PathLike, values: list[np.ndarray] | None) -> None:
        """The file `model.save_weights(path)` would write, with `values` (None: the
        model as it is now, saved by Keras)."""
        if values is None:
            self.model().save_weights(str(path))
            return
        import h5py

        values = iter(values)
        with h5py.File(path, "w") as f:
            for group_path, metadata, keys in self.layout:
                if not metadata and not keys:
                    continue  # Keras creates no group for a nameless saveable without values
                group = f.create_group(f"{group_path}/vars" if group_path else "vars")
                for name, value in (metadata or {}).items():
                    group.attrs[name] = value
                for key in keys:
                    group[key] = next(values)


def weights_file(model) -> WeightsFile:
    """The model's `WeightsFile`, made once per model."""
    return cached(model, "weights_file", lambda: WeightsFile(model))


class _Reader:
    """The variables' values (a callable object: TensorFlow counts traces per function
    code, and one trace per model of one lambda would read as needless retracing)."""

    def __init__(self, variables: list):
        self.variables = variables

    def __call__(self):
        import tensorflow as tf

        return [tf.identity(v.value) for v in self.variables]


def _state_shape(model) -> tuple[int, int, int]:
    """How many variables the model, its optimizer and its metrics have (what Keras saves
    changes when one of them is built)."""
    optimizer = getattr(model, "optimizer", None)
    return (
        len(model.variables),
        len(optimizer.variables) if optimizer is not None else 0,
        len(getattr(model, "metrics_variables", ())),
    )


class _Recorder:
    """Stands in for Keras's HDF5 store: records what Keras would write where."""

    def __init__(self):
        self.entries: list[tuple[str, dict | None, list]] = []

    def __bool__(self) -> bool:
        return True

    def make(self, path, metadata=None):
        self.entries.append((path, metadata, []))
        return self

    def __setitem__(self, key, value):
        self.entries[-1][2].append((key, value))


def _layout(model) -> tuple[list | None, list]:
    """[(group path, its attributes, dataset names)] as Keras saves the model, and the
    variables in the order of their datasets; (None, []) when not recognised."""
    try:
        from keras.src.saving import saving_lib

        recorder = type("Recorder", (_Recorder, saving_lib.H5IOStore), {})()
        saving_lib._save_state(
            model,
            weights_store=recorder,
            assets_store=None,
            inner_path="",
            visited_saveables=set(),
        )
    except Exception:  # another Keras than this module knows: Keras saves
        return None, []
    optimizer = getattr(model, "optimizer", None)
    layout, variables = [], []
    for path, metadata, items in recorder.entries:
        values = [value for _, value in items]
        if all(isinstance(v, keras.Variable) for v in values):
            found = values
        elif optimizer is not None and _same(values, optimizer.variables):
            found = list(optimizer.variables)  # the optimizer saves copies of its own
        else:
            return None, []
        if any(str(v.dtype) == "bfloat16" for v in found):
            return None, []  # Keras marks those specially
        layout.append((path, metadata, [key for key, _ in items]))
        variables += found
    return layout, variables


def _same(values: list[Any], variables: list) -> bool:
    return len(values) == len(variables) and all(
        tuple(np.shape(a)) == tuple(b.shape) for a, b in zip(values, variables)
    )


class EpochSnapshots(keras.callbacks.Callback):
    """After every finished epoch: its weights in the run folder's `epochs/` and
    `epochs_completed` (with `snapshot_every`) in status.json, both written atomically.

    Every epoch's weights are written (the latest is what survives a crash); of the
    earlier ones only every k-th is kept: `every`, or more when the first file's size
    says that the run's snapshots would not stay within `budget` otherwise.

    Args:
        run_dir: the run folder.
        stream: the run's MetricStream (it knows whether the epoch was cut short).
        every: keep epochs every, 2 * every, ... (and always the last) at least.
        budget: bytes the run's snapshots may take together.
    """

    def __init__(self, run_dir: str | os.PathLike, stream, *, every: int = 1, budget=None):
        super().__init__()
        self.run_dir, self.stream = run_dir, stream
        self.start_every, self.budget = max(1, int(every)), budget or SNAPSHOT_BUDGET

    def on_train_begin(self, logs=None):
        self.latest, self.every, self.size = None, self.start_every, None

    def on_epoch_end(self, epoch, logs=None):
        if self.stream.batch < self.stream.batches or not math.isfinite(
            (logs or {}).get("loss", 0.0)
        ):
            return  # a partial epoch (stopped) or a NaN loss: nothing worth keeping
        done = epoch + 1
        writer = weights_file(self.model)
        values = writer.capture()
        path = rundir.save_epoch(
            self.run_dir, self.model, done, write=lambda p: writer.write(p, values)
        )
        if self.size is None:  # what one snapshot takes on disk, all of it counted
            self.size = Path(path).stat().st_size
            measured = keep_every(self.size, self.stream.epochs, budget=self.budget)
            self.every = max(self.start_every, measured)
        if self.latest is not None and self.latest % self.every:
            rundir.drop_epoch(self.run_dir, self.latest)
        self.latest = done
        runstatus.write_status(
            self.run_dir,
            "running",
            f"training: {done} of {self.stream.epochs} epochs done",
            epochs_completed=done,
            snapshot_every=self.every,
        )
