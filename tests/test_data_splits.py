"""Splits: stratified limits and validation hold-outs, counted by hand."""

import numpy as np
import pytest

from cnnviz.data import (
    Split,
    load_dataset,
    split_validation,
)
from cnnviz.errors import CnnvizError
from tests.helpers_data import toy_split


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
        (lambda: split_validation(toy_split(), 1.0), "between 0 and 1"),
        (lambda: split_validation(toy_split((1, 1)), 0.2), "too few to hold out"),
        (lambda: Split(np.zeros((2, 4, 4, 1)), np.zeros(2)), "uint8 images"),
        (lambda: Split(np.zeros((2, 4, 4, 1), np.uint8), np.zeros(3)), "one label per image"),
    ],
)
def test_bad_splits_raise_clear_errors(call, message):
    with pytest.raises(CnnvizError, match=message):
        call()
