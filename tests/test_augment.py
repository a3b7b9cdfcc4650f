"""The augmentation spec: defaults, round trips, clear messages for every mistake, and
the mosaic of an image and its variants."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cnnviz.augment import AugmentSpec, grid_image, read_spec
from cnnviz.errors import CnnvizError
from tests.helpers_augment import FULL, photo


def test_defaults_are_the_identity():
    assert AugmentSpec().is_identity
    assert AugmentSpec.from_dict({}) == AugmentSpec()
    assert AugmentSpec.from_dict({"brightness": [1, 1], "zoom": 1}).is_identity


@pytest.mark.parametrize(
    "key, value",
    [
        ("rotation_degrees", 5),
        ("width_shift", 0.1),
        ("height_shift", 0.1),
        ("brightness", [0.9, 1.0]),
        ("shear_degrees", 3),
        ("zoom", [1.0, 1.2]),
        ("flip_left_right", True),
        ("flip_up_down", True),
    ],
)
def test_any_setting_makes_it_not_the_identity(key, value):
    assert not AugmentSpec.from_dict({key: value}).is_identity


def test_dict_and_json_round_trip():
    spec = AugmentSpec.from_dict(FULL)
    assert spec.to_dict() == {**FULL, "rotation_degrees": 30.0, "shear_degrees": 10.0}
    assert AugmentSpec.from_dict(spec.to_dict()) == spec
    assert AugmentSpec.from_json(spec.to_json()) == spec
    assert json.loads(spec.to_json()) == spec.to_dict()


def test_ranges_accept_one_number_and_normalise_types():
    spec = AugmentSpec.from_dict({"brightness": 0.5, "zoom": [1, 2], "rotation_degrees": 10})
    assert spec.brightness == (0.5, 0.5)
    assert spec.zoom == (1.0, 2.0)
    assert isinstance(spec.rotation_degrees, float) and isinstance(spec.zoom, tuple)
    assert AugmentSpec(zoom=[1, 2]) == spec.__class__(zoom=(1.0, 2.0))


@pytest.mark.parametrize(
    "data, words",
    [
        ({"zoom": [-0.2, 1.1]}, ["zoom must be above 0", "Received: zoom=[-0.2, 1.1]"]),
        ({"zoom": -2}, ["zoom must be above 0", "Received: zoom=-2"]),
        ({"zoom": [0.3, 1.0]}, ["at least 0.5", "RandomZoom"]),
        ({"zom": [0.9, 1.1]}, ["unknown augmentation setting 'zom'", "did you mean 'zoom'"]),
        (
            {"colour": 1},
            ["unknown augmentation setting 'colour'", "known augmentation settings: rotation"],
        ),
        (
            {"rotation_degrees": "30"},
            ["rotation_degrees must be a number", "not str", 'Received: rotation_degrees="30"'],
        ),
        ({"rotation_degrees": True}, ["rotation_degrees must be a number", "not bool"]),
        ({"flip_left_right": 1}, ["flip_left_right must be true or false", "Received"]),
        ({"brightness": "bright"}, ["brightness must be a range [low, high]", "not str"]),
        ({"brightness": [0.5, 1.0, 1.5]}, ["range [low, high] of two numbers", "not 3"]),
        ({"brightness": [1.3, 0.7]}, ["low <= high", "swap"]),
        ({"brightness": [-0.5, 1.0]}, ["brightness multipliers must be 0 or more"]),
        ({"rotation_degrees": 200}, ["between 0 and 180", "Received: rotation_degrees=200.0"]),
        ({"rotation_degrees": -30}, ["between 0 and 180"]),
        ({"width_shift": 1.0}, ["width_shift must be at least 0 and below 1"]),
        ({"height_shift": -0.1}, ["height_shift must be at least 0 and below 1"]),
        ({"shear_degrees": 60}, ["shear_degrees must be between 0 and 45"]),
        ({"rotation_degrees": float("nan")}, ["finite"]),
        ([1, 2], ["must be an object", "not list"]),
    ],
)
def test_mistakes_get_clear_messages(data, words):
    with pytest.raises(CnnvizError) as caught:
        AugmentSpec.from_dict(data)
    for word in words:
        assert word in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_constructor_validates_too():
    with pytest.raises(CnnvizError, match="zoom must be above 0"):
        AugmentSpec(zoom=(0.0, 1.0))


def test_bad_json_names_line_and_column():
    with pytest.raises(CnnvizError, match="not valid JSON: .* line 2, column"):
        AugmentSpec.from_json('{"zoom": [0.9, 1.1],\n "flip_up_down": tru}')


def test_read_spec_names_the_file(tmp_path):
    path = tmp_path / "aug.json"
    path.write_text('{"zoom": [-1, 1]}')
    with pytest.raises(CnnvizError, match=r"aug\.json: zoom must be above 0"):
        read_spec(path)
    with pytest.raises(CnnvizError, match="no such augmentation spec file"):
        read_spec(tmp_path / "missing.json")
    with pytest.raises(CnnvizError, match="is a folder"):
        read_spec(tmp_path)
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(CnnvizError, match="not a text"):
        read_spec(path)


def test_importing_needs_no_tensorflow():
    code = "import sys, cnnviz.augment; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert result.stdout.split() == ["False", "False"]


def test_grid_puts_the_original_first():
    image = photo(10, 12, 3)
    variants = np.stack([np.full_like(image, 10 * i) for i in range(1, 9)])
    grid = grid_image(image, variants, gap=2)
    assert grid.shape == (3 * 10 + 2 * 2, 3 * 12 + 2 * 2, 3)
    np.testing.assert_array_equal(grid[:10, :12], image)
    np.testing.assert_array_equal(grid[:10, 14:26], variants[0])
    np.testing.assert_array_equal(grid[24:34, 28:40], variants[7])
    assert (grid[10:12] == 255).all() and (grid[:, 12:14] == 255).all()
    wide = grid_image(image[..., 0], variants[..., 0], columns=9, gap=0)
    assert wide.shape == (10, 9 * 12)
    with pytest.raises(CnnvizError, match="original's shape"):
        grid_image(image, variants[:, :5])
