"""Epoch snapshots: the file Keras would write, and a budget that counts what is written.

Oracles: Keras's own `save_weights` (the file's groups, attributes and values) and
`load_weights` (a fresh model and optimizer read our file back), and the files' sizes on
disk.
"""

import math

import h5py
import keras
import numpy as np
import pytest

from cnnviz import rundir, runstatus
from cnnviz.callbacks import MetricStream
from cnnviz.snapshots import (
    EpochSnapshots,
    WeightsFile,
    keep_every,
    snapshot_every,
    weights_file,
)

IMAGES, BATCH = 64, 16


def model_and_data(units: int = 8):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((6, 6, 1), name="image"),
            keras.layers.Conv2D(3, 3, activation="relu", name="conv"),
            keras.layers.BatchNormalization(name="norm"),
            keras.layers.Flatten(name="flat"),
            keras.layers.Dense(units, activation="relu", name="hidden"),
            keras.layers.Dense(2, activation="softmax", name="head"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    return model, rng.random((IMAGES, 6, 6, 1), np.float32), rng.integers(0, 2, IMAGES)


def h5_contents(path) -> dict:
    """Every group and dataset of an HDF5 file: attributes, and values of datasets."""
    found = {}

    def visit(name, item):
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in item.attrs.items()}
        value = item[()] if isinstance(item, h5py.Dataset) else None
        found[name] = (attrs, value)

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return found


def test_the_file_is_the_one_keras_writes_and_keras_reads_it_back(tmp_path):
    model, x, y = model_and_data()
    model.fit(x, y, batch_size=BATCH, epochs=2, verbose=0)
    writer = WeightsFile(model)
    values = writer.capture()
    assert writer.layout is not None  # Keras's layout was recognised
    ours, theirs = tmp_path / "ours.weights.h5", tmp_path / "keras.weights.h5"
    writer.write(ours, values)
    model.save_weights(theirs)
    a, b = h5_contents(ours), h5_contents(theirs)
    assert list(a) == list(b)  # the same groups and datasets, in the same order
    for name, (attrs, value) in b.items():
        assert a[name][0] == attrs, name
        if value is not None:
            np.testing.assert_array_equal(a[name][1], value, err_msg=name)
    assert any(name.startswith("optimizer/") for name in a)  # Adam's moments too

    fresh, _, _ = model_and_data()
    fresh.optimizer.build(fresh.trainable_variables)
    fresh.load_weights(ours)
    for got, want in zip(fresh.variables, model.variables):
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    for got, want in zip(fresh.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def test_values_captured_stay_as_they_were_when_the_model_trains_on(tmp_path, recwarn):
    model, x, y = model_and_data()
    writer = weights_file(model)
    assert weights_file(model) is writer  # made once per model
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)  # the optimizer's state exists
    before = writer.capture()
    expected = [np.array(v) for v in before]
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    for got, want in zip(before, expected):
        np.testing.assert_array_equal(got, want)
    writer.write(tmp_path / "e.weights.h5", before)
    copy, _, _ = model_and_data()
    copy.optimizer.build(copy.trainable_variables)
    copy.load_weights(tmp_path / "e.weights.h5")
    changed = [
        not np.array_equal(np.asarray(a), np.asarray(b))
        for a, b in zip(copy.weights, model.weights)
    ]
    assert any(changed)  # the file holds the weights from before that epoch
    assert not [w for w in recwarn if "Skipping variable loading" in str(w.message)]


def test_a_layout_follows_an_optimizer_built_after_the_first_capture(tmp_path):
    model, x, y = model_and_data()
    writer = weights_file(model)
    writer.capture()  # before the optimizer has its moments
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    writer.write(tmp_path / "after.weights.h5", writer.capture())
    model.save_weights(tmp_path / "keras.weights.h5")
    ours, theirs = (
        h5_contents(tmp_path / "after.weights.h5"),
        h5_contents(tmp_path / "keras.weights.h5"),
    )
    assert list(ours) == list(theirs)


def test_a_model_keras_must_save_itself_is_saved_by_keras(tmp_path, monkeypatch):
    import cnnviz.snapshots as snapshots

    monkeypatch.setattr(snapshots, "_layout", lambda model: (None, []))
    model, _, _ = model_and_data()
    writer = WeightsFile(model)
    assert writer.capture() is None
    writer.write(tmp_path / "k.weights.h5", None)
    model.load_weights(tmp_path / "k.weights.h5")  # Keras's own file


def test_keep_every_keeps_what_fits_within_the_budget():
    assert keep_every(10, 100, budget=1000) == 1  # 100 files of 10 bytes: all of them
    assert keep_every(100, 100, budget=1000) == 10  # 10 files fit: every 10th
    assert keep_every(300, 7, budget=1000) == 3  # 3 fit: epochs 3, 6 and 7
    assert keep_every(2000, 7, budget=1000) == 8  # not even one: only the latest
    for size, epochs in ((465_432, 15), (15_058_680, 100), (15_058_680, 500)):
        k = keep_every(size, epochs)
        assert math.ceil(epochs / k) * size <= 200 * 2**20
        assert k == 1 or math.ceil(epochs / (k - 1)) * size > 200 * 2**20  # the smallest


def test_the_budget_counts_what_is_written_not_4_bytes_a_weight(tmp_path):
    """Adam keeps two values per weight: a snapshot is ~3x what 4 bytes a weight says."""
    model, x, y = model_and_data(units=2000)  # ~99,000 weights, most in one layer
    params, epochs = model.count_params(), 12
    budget = 6 * (4 * params)  # about two snapshots of weights and Adam's moments
    guess = snapshot_every(params, epochs, budget=budget)  # 4 bytes a weight, as before
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    runstatus.write_status(run_dir, "running")
    stream = MetricStream(None, images=IMAGES, batch_size=BATCH, epochs=epochs)
    sizes = []

    class Measure(keras.callbacks.Callback):  # after the snapshots: what is on disk now
        def on_epoch_end(self, epoch, logs=None):
            sizes.append(sum(p.stat().st_size for p in (run_dir / "epochs").iterdir()))

    snapshots = EpochSnapshots(run_dir, stream, every=1, budget=budget)
    model.fit(
        x, y, batch_size=BATCH, epochs=epochs, verbose=0, callbacks=[stream, snapshots, Measure()]
    )
    one = rundir.epoch_file(run_dir, epochs).stat().st_size
    assert one > 3 * 4 * params  # weights, and Adam's two moments for each
    assert math.ceil(epochs / guess) * one > budget  # the old guess would overrun it
    assert max(sizes) <= budget  # within the budget all along, by the real sizes
    kept = sorted(int(p.name[6:10]) for p in (run_dir / "epochs").iterdir())
    every = runstatus.read_status(run_dir)["snapshot_every"]
    assert every == keep_every(one, epochs, budget=budget) and every > guess
    assert kept == [*range(every, epochs + 1, every), *([epochs] if epochs % every else [])]


def test_the_guess_before_training_counts_the_optimizers_state():
    assert snapshot_every(1_000_000, 100, slots=2) == pytest.approx(
        keep_every(12_000_000 + 64 * 2**10, 100)
    )
    assert snapshot_every(1_000_000, 100, slots=2) > snapshot_every(1_000_000, 100)
