"""The dataset registry, loaders, splits and the lab's tf.data pipeline.

Oracles: scikit-learn's own digits, Keras's `Rescaling` layer, Pillow's resize, and
counts computed by hand. TFDS sets: tests/test_tfds_data.py.
"""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from cnnviz.cli import main
from cnnviz.data import (
    Dataset,
    Split,
    list_datasets,
    load_dataset,
    make_pipeline,
    rescale,
    split_validation,
)
from cnnviz.errors import CnnvizError
from cnnviz.shapes_data import SHAPE_NAMES, generate_shapes
from tests.test_tfds_data import TFDS_SHAPES


@pytest.fixture(scope="module")
def digits() -> Dataset:
    return load_dataset("digits")


def toy_split(per_class=(10, 6, 4), shape=(4, 4, 1)) -> Split:
    labels = np.concatenate([np.full(n, c) for c, n in enumerate(per_class)])
    images = np.arange(len(labels) * np.prod(shape)).reshape(len(labels), *shape) % 256
    return Split(images.astype(np.uint8), labels)


# --- registry and the built-in sets -------------------------------------------------


def test_importing_data_does_not_import_tensorflow():
    code = "import sys, cnnviz.data; print('tensorflow' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_list_datasets_names_builtins_and_the_lab_sets():
    ids = [i for i, _ in list_datasets()]
    assert ids[:2] == ["digits", "shapes"]
    assert {f"tfds:{n}" for n in TFDS_SHAPES} <= set(ids)  # the lab's sets
    assert all(description for _, description in list_datasets())


def test_digits_match_scikit_learn(digits):
    from sklearn.datasets import load_digits

    bunch = load_digits()
    info = digits.info
    assert info.image_shape == (8, 8, 1)
    assert info.class_names == tuple("0123456789")
    assert info.counts["train"] + info.counts["test"] == 1797
    expected_per_class = np.bincount(bunch.target)
    assert (
        np.add(info.per_class["train"], info.per_class["test"]).tolist()
        == expected_per_class.tolist()
    )
    # test split: round(20%) of each class (hand-computed rule), e.g. 178 zeros -> 36
    assert info.per_class["test"] == [round(n * 0.2) for n in expected_per_class]
    # pixels: 0-16 scaled to 0-255, every image of sklearn present exactly once
    scaled = np.round(bunch.images * 255 / 16).astype(np.uint8)
    ours = np.concatenate([digits.train.images, digits.test.images])[..., 0]
    assert ours.max() == 255 and ours.dtype == np.uint8
    key = lambda a: sorted(map(bytes, a))  # noqa: E731
    assert key(ours) == key(scaled)
    assert info.warnings == ()


def test_the_split_is_fixed_whatever_the_seed(digits):
    again = load_dataset("digits", seed=7)
    np.testing.assert_array_equal(again.test.images, digits.test.images)


def test_shapes_default_and_sized():
    data = load_dataset("shapes")
    assert data.info.counts == {"train": 1600, "test": 400}
    assert data.info.per_class == {"train": [400] * 4, "test": [100] * 4}
    assert data.info.class_names == SHAPE_NAMES and data.info.image_shape == (32, 32, 3)
    small = load_dataset("shapes:40")
    assert small.info.counts == {"train": 32, "test": 8}


def test_shapes_move_around_and_are_repeatable():
    images, labels = generate_shapes(200, seed=3)
    again, _ = generate_shapes(200, seed=3)
    np.testing.assert_array_equal(images, again)
    # the corner pixel is background (shapes stay inside); the shape is what differs
    foreground = np.any(images != images[:, :1, :1, :], axis=3)
    assert foreground.any(axis=(1, 2)).all()
    ys, xs = np.indices((32, 32))
    area = foreground.sum(axis=(1, 2))
    centre_x = (foreground * xs).sum(axis=(1, 2)) / area
    centre_y = (foreground * ys).sum(axis=(1, 2)) / area
    assert centre_x.std() > 3 and centre_y.std() > 3  # positions spread over the canvas
    assert area.min() < area.max() / 3  # sizes vary
    assert np.bincount(labels).tolist() == [50] * 4


def test_limit_is_stratified_and_seeded(digits):
    a = load_dataset("digits", limit=100, seed=1)
    b = load_dataset("digits", limit=100, seed=1)
    c = load_dataset("digits", limit=100, seed=2)
    assert a.info.counts["train"] == 100
    full = np.array(digits.info.per_class["train"])
    assert np.abs(np.array(a.info.per_class["train"]) - full * 100 / full.sum()).max() < 1
    assert a.info.counts["test"] == round(359 * 100 / 1438)
    np.testing.assert_array_equal(a.train.images, b.train.images)
    assert not np.array_equal(a.train.images, c.train.images)


def test_image_size_resizes_like_pillow(digits):
    data = load_dataset("digits", image_size=(16, 12))
    assert data.info.image_shape == (16, 12, 1)
    original = Image.fromarray(digits.train.images[0, ..., 0])
    expected = np.asarray(original.resize((12, 16), Image.Resampling.BILINEAR))
    np.testing.assert_array_equal(data.train.images[0, ..., 0], expected)


def test_samples_come_from_their_class(digits):
    samples = digits.samples(3, seed=1)
    assert sorted(samples) == list(range(10))
    for label, images in samples.items():
        assert images.shape == (3, 8, 8, 1)
        own = {bytes(i) for i in digits.train.images[digits.train.labels == label]}
        assert all(bytes(i) in own for i in images)
    assert digits.samples(2, split="test")[0].shape == (2, 8, 8, 1)


def test_to_dict_is_the_data_info_document(digits):
    document = json.loads(json.dumps(digits.info.to_dict()))
    assert {"id", "image_shape", "num_classes", "class_names", "splits"} <= set(document)
    assert document["image_shape"] == [8, 8, 1] and document["num_classes"] == 10
    assert document["splits"]["train"]["count"] == sum(document["splits"]["train"]["per_class"])


# --- splits and validation ----------------------------------------------------------


def test_split_validation_is_stratified_and_disjoint():
    split = toy_split((10, 6, 4))
    train, val = split_validation(split, 0.25, seed=0)
    assert np.bincount(val.labels).tolist() == [2, 2, 1]  # round(2.5)=2, round(1.5)=2, 1
    assert np.bincount(train.labels).tolist() == [8, 4, 3]
    seen = sorted(map(bytes, np.concatenate([train.images, val.images])))
    assert seen == sorted(map(bytes, split.images))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: load_dataset("digts"), "unknown dataset 'digts'. Did you mean digits"),
        (lambda: load_dataset("tfds"), "unknown dataset 'tfds'"),
        (lambda: load_dataset(""), "non-empty string"),
        (lambda: load_dataset("digits", limit=0), "limit is a whole number >= 1; received 0"),
        (lambda: load_dataset("digits", limit="5"), "received '5'"),
        (lambda: load_dataset("digits", image_size=(0, 0)), r"image_size is \(height, width\)"),
        (lambda: load_dataset("digits", image_size=64), "received 64"),
        (lambda: load_dataset("digits", image_size=(8, 9000)), "from 8 to 512"),
        (lambda: load_dataset("shapes:3"), "shapes:N takes a number of images N from 8"),
        (lambda: load_dataset("shapes:many"), "received 'shapes:many'"),
        (lambda: load_dataset("folder:/no/such/place"), "no such folder or .zip"),
        (lambda: split_validation(toy_split(), 1.0), "between 0 and 1"),
        (lambda: split_validation(toy_split((1, 1)), 0.2), "too few to hold out"),
        (lambda: make_pipeline(toy_split(), batch_size=0, training=True), "batch_size"),
        (
            lambda: make_pipeline(toy_split(), batch_size=2, training=True, augment="flip"),
            "augment is a Keras layer or None",
        ),
        (lambda: Split(np.zeros((2, 4, 4, 1)), np.zeros(2)), "uint8 images"),
        (lambda: Split(np.zeros((2, 4, 4, 1), np.uint8), np.zeros(3)), "one label per image"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(CnnvizError, match=message):
        call()


# --- the pipeline -------------------------------------------------------------------


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


# --- command line -------------------------------------------------------------------


def test_datasets_command_lists_ids(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert all(i in out for i, _ in list_datasets()) and "folder:PATH" in out


def test_data_info_prints_counts_for_digits_shapes_and_a_folder(tmp_path, capsys):
    assert main(["data-info", "digits"]) == 0
    out = capsys.readouterr().out
    assert "image shape: 8x8x1, 10 classes" in out
    assert "train: 1,438 images, test: 359 images" in out
    assert main(["data-info", "shapes:100", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["splits"]["train"] == {"count": 80, "per_class": [20] * 4}
    for name, count, colour in (("cats", 6, "red"), ("dogs", 4, "blue")):
        (tmp_path / name).mkdir()
        for i in range(count):
            Image.new("RGB", (30 + i, 20), colour).save(tmp_path / name / f"{i}.png")
    (tmp_path / "dogs" / "broken.jpg").write_bytes(b"not a jpeg")
    assert main(["data-info", f"folder:{tmp_path}"]) == 0
    out = capsys.readouterr().out
    assert "image shape: 64x64x3, 2 classes" in out
    assert "train: 8 images, test: 2 images" in out  # 20% of 6 -> 1, of 4 -> 1
    assert "warning: skipped dogs/broken.jpg is not an image" in out
    folder = tmp_path
    assert main(["data-info", f"folder:{folder}", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["class_names"] == ["cats", "dogs"]
    assert document["splits"]["train"]["per_class"] == [5, 3]
    assert document["splits"]["test"]["per_class"] == [1, 1]
    assert document["image_shape"] == [64, 64, 3]
    assert any("broken.jpg" in w for w in document["warnings"])


def test_data_info_unknown_dataset_exits_2(capsys):
    assert main(["data-info", "shapez"]) == 2
    assert capsys.readouterr().err.startswith("error: unknown dataset 'shapez'. Did you mean")
