"""The lab's tf.data pipeline. Oracles: Keras's `Rescaling` layer and a real Keras `fit`."""

import numpy as np
import pytest

from cnnviz.data import (
    make_pipeline,
    rescale,
)
from cnnviz.errors import CnnvizError
from tests.helpers_data import toy_split


def test_rescale_is_the_keras_rescaling_layer():
    import keras

    images = np.arange(256, dtype=np.uint8).reshape(1, 16, 16, 1)
    expected = keras.layers.Rescaling(1.0 / 255)(images.astype(np.float32))
    np.testing.assert_array_equal(rescale(images), keras.ops.convert_to_numpy(expected))
    assert rescale(images).dtype == np.float32


def test_evaluation_pipeline_keeps_order_and_rescales():
    split = toy_split((5, 4, 3))
    batches = list(make_pipeline(split, batch_size=5, training=False).as_numpy_iterator())
    assert [len(y) for _, y in batches] == [5, 5, 2]
    images = np.concatenate([x for x, _ in batches])
    assert images.dtype == np.float32
    np.testing.assert_array_equal(images, rescale(split.images))
    np.testing.assert_array_equal(np.concatenate([y for _, y in batches]), split.labels)


def test_training_pipeline_reshuffles_every_epoch():
    split = toy_split((20, 20, 20))
    pipeline = make_pipeline(split, batch_size=8, training=True, seed=1)
    first = np.concatenate([y for _, y in pipeline.as_numpy_iterator()])
    second = np.concatenate([y for _, y in pipeline.as_numpy_iterator()])
    assert sorted(first) == sorted(split.labels) == sorted(second)
    assert not np.array_equal(first, split.labels)
    assert not np.array_equal(first, second)


def test_augment_runs_on_training_batches_only_with_training_true():
    import keras

    class Marks(keras.layers.Layer):  # puts 1 where training=True, 0 otherwise
        def call(self, inputs, training=None):
            return keras.ops.zeros_like(inputs) + (1.0 if training else 0.0)

    split = toy_split((6, 6))
    trained = make_pipeline(split, batch_size=4, training=True, augment=Marks())
    evaluated = make_pipeline(split, batch_size=4, training=False, augment=Marks())
    assert all((x == 1).all() for x, _ in trained.as_numpy_iterator())
    np.testing.assert_array_equal(
        np.concatenate([x for x, _ in evaluated.as_numpy_iterator()]), rescale(split.images)
    )


def test_a_real_keras_model_trains_from_the_pipeline(digits):
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(8, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    train = make_pipeline(digits.train, batch_size=32, training=True)
    test = make_pipeline(digits.test, batch_size=128, training=False)
    model.fit(train, epochs=3, verbose=0, shuffle=False)  # the pipeline shuffles
    _, accuracy = model.evaluate(test, verbose=0)
    assert accuracy > 0.8  # 10 classes: chance is 0.1


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: make_pipeline(toy_split(), batch_size=0, training=True), "batch_size"),
        (
            lambda: make_pipeline(toy_split(), batch_size=2, training=True, augment="flip"),
            "augment is a Keras layer or None",
        ),
    ],
)
def test_bad_pipelines_raise_clear_errors(call, message):
    with pytest.raises(CnnvizError, match=message):
        call()
