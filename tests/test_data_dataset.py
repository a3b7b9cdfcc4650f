"""A dataset in memory: resizing like Pillow, samples per class, the data-info document."""

import json

import numpy as np
from PIL import Image

from cnnviz.data import (
    load_dataset,
)


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
