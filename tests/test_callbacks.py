"""The metric stream and the stop flag, on a real (tiny) Keras `fit`.

Oracle: Keras's own `History` of the same `fit`, and batch counts computed by hand.
"""

import math

import numpy as np
import pytest

from cnnviz import runstatus
from cnnviz.callbacks import MetricStream, StopFlag, Validation
from cnnviz.rundir import class_accuracy_key
from cnnviz.snapshots import EpochSnapshots

IMAGES, BATCH, EPOCHS = 50, 8, 2  # 7 batches an epoch, the last one of 2 images


@pytest.fixture(scope="module")
def tiny():
    import keras

    rng = np.random.default_rng(0)
    x = rng.random((IMAGES, 4)).astype("float32")
    y = rng.integers(0, 2, IMAGES)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model, x, y


def fit(tiny, *callbacks, epochs=EPOCHS):
    model, x, y = tiny
    return model.fit(
        x, y, batch_size=BATCH, epochs=epochs, verbose=0, shuffle=False, callbacks=list(callbacks)
    )


def test_epoch_events_carry_what_keras_logged(tiny):
    events = []
    history = fit(
        tiny,
        MetricStream(
            events.append, images=IMAGES, batch_size=BATCH, epochs=EPOCHS, interval=math.inf
        ),
    )
    epochs = [e for e in events if e.kind == "epoch"]
    assert [e.epoch for e in epochs] == [1, 2]
    np.testing.assert_allclose([e.loss for e in epochs], history.history["loss"])
    np.testing.assert_allclose([e.accuracy for e in epochs], history.history["accuracy"])
    assert all(e.batches == 7 and e.batch == 7 and not e.partial for e in epochs)
    assert epochs[-1].eta == 0 and epochs[-1].images_per_second > 0
    batches = [e for e in events if e.kind == "batch"]
    assert [(e.epoch, e.batch) for e in batches] == [(1, 1)]  # the first one only


def test_batch_events_are_throttled_by_the_interval(tiny):
    every, none = [], []
    fit(
        tiny,
        MetricStream(every.append, images=IMAGES, batch_size=BATCH, epochs=1, interval=0.0),
        epochs=1,
    )
    batches = [e for e in every if e.kind == "batch"]
    assert [e.batch for e in batches] == list(range(1, 8))  # interval 0: every batch
    assert batches[0].eta == pytest.approx(batches[0].elapsed * 6)  # 6 batches left
    fit(
        tiny,
        MetricStream(none.append, images=IMAGES, batch_size=BATCH, epochs=1, interval=3600.0),
        epochs=1,
    )
    assert [e.kind for e in none] == ["batch", "epoch"]  # the first batch, then quiet


def test_the_stop_flag_ends_fit_after_the_batch_it_fires_on(tiny):
    events = []
    stream = MetricStream(
        events.append, images=IMAGES, batch_size=BATCH, epochs=EPOCHS, interval=0.0
    )
    flag = StopFlag(lambda: stream.steps >= 3)
    fit(tiny, stream, flag)
    assert flag.fired and stream.steps == 3
    (epoch,) = [e for e in events if e.kind == "epoch"]
    assert epoch.partial and epoch.batch == 3  # the epoch was cut short, and says so


def test_class_accuracy_is_each_classes_share_of_right_answers(tiny):
    """Oracle: the model's own outputs after the epoch, counted by hand per class."""
    model, x, y = tiny
    seen = {}

    import keras

    class Keep(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen[epoch] = (dict(logs), model.predict(x, verbose=0).argmax(axis=1))

    fit(tiny, Validation(x, y, 2), Keep(), epochs=1)
    logs, predicted = seen[0]
    for index in (0, 1):
        expected = float(np.mean(predicted[y == index] == index))
        assert logs[class_accuracy_key(index)] == pytest.approx(expected)


def test_snapshots_keep_every_kth_epoch_and_always_the_last(tiny, tmp_path):
    import keras

    from cnnviz import rundir

    model, x, y = tiny
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    runstatus.write_status(run_dir, "running")
    stream = MetricStream(None, images=IMAGES, batch_size=BATCH, epochs=7)
    fit(tiny, stream, EpochSnapshots(run_dir, stream, every=3), epochs=7)
    kept = sorted(int(p.name[6:10]) for p in (run_dir / "epochs").iterdir())
    assert kept == [3, 6, 7]  # every 3rd, and the last one (what a crash would keep)
    assert runstatus.read_status(run_dir)["epochs_completed"] == 7
    assert not [p for p in (run_dir / "epochs").iterdir() if p.name.startswith(".")]
    after = keras.models.clone_model(model)
    after.load_weights(rundir.epoch_file(run_dir, 7))
    for a, b in zip(after.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)  # the last snapshot is the trained model


def test_a_partial_epoch_is_not_snapshotted(tiny, tmp_path):

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    runstatus.write_status(run_dir, "running")
    calls = iter(range(1000))
    stream = MetricStream(None, images=IMAGES, batch_size=BATCH, epochs=2)
    fit(tiny, stream, StopFlag(lambda: next(calls) >= 9), EpochSnapshots(run_dir, stream), epochs=2)
    assert [p.name for p in (run_dir / "epochs").iterdir()] == ["epoch-0001.weights.h5"]


def test_with_several_batches_per_execution_the_stream_counts_every_batch():
    """Keras calls back once per execution of 3 batches: the stream still counts all 7
    batches and 50 images of an epoch, and the stop flag acts after an execution."""
    model, x, y = _model_with(steps_per_execution=3)
    events = []
    stream = MetricStream(events.append, images=IMAGES, batch_size=BATCH, epochs=2, interval=0)
    model.fit(x, y, batch_size=BATCH, epochs=2, verbose=0, shuffle=False, callbacks=[stream])
    batches = [(e.epoch, e.batch) for e in events if e.kind == "batch"]
    assert batches == [(1, 3), (1, 6), (1, 7), (2, 3), (2, 6), (2, 7)]
    epochs = [e for e in events if e.kind == "epoch"]
    assert [(e.batch, e.partial) for e in epochs] == [(7, False), (7, False)]
    assert stream.seen == 2 * IMAGES and stream.steps == 14 and epochs[-1].eta == 0

    events.clear()
    flag = StopFlag(lambda: stream.steps >= 2)  # asked during the first execution
    model.fit(x, y, batch_size=BATCH, epochs=2, verbose=0, callbacks=[stream, flag])
    assert flag.fired and stream.steps == 3 and stream.seen == 3 * BATCH
    assert [e.partial for e in events if e.kind == "epoch"] == [True]


def test_validation_loss_is_the_loss_keras_evaluate_reports():
    """Oracle: Keras's own `evaluate` on the same images, after the epoch."""
    import keras

    model, x, y = _model_with(steps_per_execution=1, regularized=True)
    seen = {}

    class Keep(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen["logs"] = dict(logs)
            seen["keras"] = self.model.evaluate(x, y, batch_size=7, verbose=0, return_dict=True)

    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, callbacks=[Validation(x, y, 2), Keep()])
    assert seen["logs"]["val_loss"] == pytest.approx(seen["keras"]["loss"], rel=1e-5)
    assert seen["logs"]["val_accuracy"] == pytest.approx(seen["keras"]["accuracy"])


def _model_with(*, steps_per_execution: int, regularized: bool = False):
    import keras

    rng = np.random.default_rng(1)
    x = rng.random((IMAGES, 4)).astype("float32")
    y = rng.integers(0, 2, IMAGES)
    dense = keras.layers.Dense(
        2, activation="softmax", kernel_regularizer="l2" if regularized else None
    )
    model = keras.Sequential([keras.Input((4,)), dense])
    model.compile(
        "sgd",
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )
    return model, x, y
