"""TFDS sets through the real `tfds.load`, with `tfds.testing.mock_data` standing in for
the network; offline, an uncached set fails fast with a message naming the data dir.

Oracles: TFDS's own `tfds.load` and metadata, the TFDS catalogue's image shapes.
"""

import json
import socket

import numpy as np
import pytest

from cnnviz.cli import main
from cnnviz.data import load_dataset
from cnnviz.data import tfds as tfds_data
from cnnviz.errors import CnnvizError

TFDS_SHAPES = {  # the lab's sets and their image shapes, from the TFDS catalogue
    "mnist": (28, 28, 1),
    "fashion_mnist": (28, 28, 1),
    "cifar10": (32, 32, 3),
    "cifar100": (32, 32, 3),
    "horses_or_humans": (300, 300, 3),
}


@pytest.mark.parametrize("name", list(TFDS_SHAPES))
def test_tfds_sets_load_through_tfds(name, tmp_path):
    import tensorflow_datasets as tfds

    n = 4 if name == "horses_or_humans" else 12
    with tfds.testing.mock_data(num_examples=n):
        data = load_dataset(f"tfds:{name}", data_dir=str(tmp_path))
        builder_names = tfds.builder(name).info.features["label"].names
        direct = tfds.load(name, split="train", as_supervised=True, data_dir=str(tmp_path))
        images, labels = map(np.stack, zip(*tfds.as_numpy(direct)))
    info = data.info
    assert info.id == f"tfds:{name}"
    assert info.image_shape == TFDS_SHAPES[name]
    assert info.class_names == tuple(builder_names)
    assert info.counts == {"train": n, "test": n}
    np.testing.assert_array_equal(data.train.images, images)
    np.testing.assert_array_equal(data.train.labels, labels)
    if name == "horses_or_humans":
        assert info.class_names == ("horses", "humans") and info.num_classes == 2


def test_tfds_with_image_size_and_limit():
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=10):
        data = load_dataset("tfds:horses_or_humans", image_size=(32, 32), limit=4)
    assert data.info.image_shape == (32, 32, 3)
    assert data.info.counts["train"] == 4


def test_tfds_data_info_on_the_command_line(capsys):
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=6):
        assert main(["data-info", "tfds:fashion_mnist", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["image_shape"] == [28, 28, 1]
    assert document["class_names"][:2] == ["T-shirt/top", "Trouser"]
    assert document["splits"]["train"]["count"] == 6


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_uncached_tfds_offline_fails_fast_naming_the_data_dir(tmp_path, monkeypatch):
    empty = tmp_path / "tfds-cache"
    with pytest.raises(CnnvizError) as caught:
        load_dataset("tfds:mnist", data_dir=str(empty), download=False)
    message = str(caught.value)
    assert str(empty) in message and "downloading is switched off" in message
    assert "once on a connected machine" in message
    # the default: download only if the server answers; here it cannot be reached
    monkeypatch.setattr(tfds_data, "TFDS_PROBE", ("127.0.0.1", closed_port()))
    monkeypatch.setenv("TFDS_DATA_DIR", str(empty))
    with pytest.raises(CnnvizError, match="cannot reach the TFDS download server"):
        load_dataset("tfds:mnist")
    assert not empty.exists() or not any(empty.rglob("*.tfrecord*"))


def test_uncached_tfds_exits_2_on_the_command_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(tfds_data, "TFDS_PROBE", ("127.0.0.1", closed_port()))
    assert main(["data-info", "tfds:cifar10", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: tfds:cifar10 is not in the TFDS data dir " + str(tmp_path))
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "dataset_id, message",
    [
        (
            "tfds:fashion_mnis",
            "TFDS has no dataset 'fashion_mnis'; did you mean tfds:fashion_mnist",
        ),
        ("tfds:imdb_reviews", "tfds:imdb_reviews is not an image-classification set"),
        ("tfds:fashion mnist", "is not a TFDS name; did you mean tfds:fashion_mnist"),
        ("tfds:mnist:9.9.9", r"TFDS cannot open 'mnist:9.9.9'.*version 9\.9\.9"),
        ("tfds:../etc", "is not a TFDS name"),
    ],
)
def test_tfds_names_that_cannot_be_used(dataset_id, message, tmp_path):
    with pytest.raises(CnnvizError, match=message):
        load_dataset(dataset_id, data_dir=str(tmp_path))
