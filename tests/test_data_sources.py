"""The registry of dataset sources and `load_dataset`: ids, listing, mistakes, the command line.

Oracles: the ids and counts computed by hand. TFDS sets: tests/test_data_tfds.py; folders:
tests/test_data_folders.py.
"""

import json
import subprocess
import sys

import pytest
from PIL import Image

from cnnviz.cli import main
from cnnviz.data import (
    list_datasets,
    load_dataset,
)
from cnnviz.errors import CnnvizError
from tests.test_data_tfds import TFDS_SHAPES


def test_importing_data_does_not_import_tensorflow():
    code = "import sys, cnnviz.data; print('tensorflow' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_list_datasets_names_builtins_and_the_lab_sets():
    ids = [i for i, _ in list_datasets()]
    assert ids[:2] == ["digits", "shapes"]
    assert {f"tfds:{n}" for n in TFDS_SHAPES} <= set(ids)  # the lab's sets
    assert all(description for _, description in list_datasets())


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: load_dataset("digts"), "unknown dataset 'digts'. Did you mean digits"),
        (lambda: load_dataset("tfds"), "unknown dataset 'tfds'"),
        (lambda: load_dataset(""), "non-empty string"),
        (lambda: load_dataset("digits", limit=0), "limit must be a positive whole number"),
        (lambda: load_dataset("digits", limit=0), "Received: limit=0"),
        (lambda: load_dataset("digits", limit="5"), 'Received: limit="5"'),
        (
            lambda: load_dataset("digits", image_size=(0, 0)),
            r"image_size must be \(height, width\)",
        ),
        (lambda: load_dataset("digits", image_size=64), "Received: image_size=64"),
        (lambda: load_dataset("digits", image_size=(8, 9000)), "from 8 to 512"),
        (lambda: load_dataset("shapes:3"), "shapes:N takes a number of images N from 8"),
        (lambda: load_dataset("shapes:many"), "Received: 'shapes:many'"),
        (lambda: load_dataset("digits:3"), "unknown dataset 'digits:3'"),
        (lambda: load_dataset("folder:/no/such/place"), "no such folder or .zip"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(CnnvizError, match=message):
        call()


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
