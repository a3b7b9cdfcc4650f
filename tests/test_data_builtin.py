"""The built-in sets: `digits` against scikit-learn's own, and the generated `shapes`."""

import numpy as np

from cnnviz.data import (
    load_dataset,
)
from cnnviz.data.shapes import SHAPE_NAMES


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
