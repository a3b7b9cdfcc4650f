"""The registry of pretrained backbones: shapes, weight counts and memory without
TensorFlow, equal to what Keras builds; availability, and a message that says how to get
weights that are not here; the Backbone layer of a spec; `python -m cnnviz backbones`.

Oracle: Keras's own count_params, trainable weights and layer outputs.
"""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from cnnviz import backbones
from cnnviz.cli import main
from cnnviz.errors import CnnvizError, ParamError
from cnnviz.spec import ModelSpec, check, validate

BLOCKS = {"squeezenet": (0, 1, 4, 9), "mobilenet_v2": (0, 1, 5, 19)}


@pytest.mark.parametrize(("name", "k"), [(name, k) for name, ks in BLOCKS.items() for k in ks])
def test_weight_counts_for_any_trainable_blocks_match_keras(name, k):
    backbone = backbones.get(name)
    model = backbones.keras_backbone(name, (48, 40, 3), k, pretrained=False)
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert backbone.count_params(k) == (trainable, model.count_params() - trainable)
    assert backbone.total_params == model.count_params()
    assert model.output_shape[1:] == backbone.output_shape((48, 40, 3))


@pytest.mark.parametrize("name", list(backbones.BACKBONES))
@pytest.mark.parametrize("channels", [1, 3])
def test_activation_values_per_image_match_kerass_layers(name, channels):
    model = backbones.keras_backbone(name, (20, 30, channels), 0, pretrained=False)
    keras_values = sum(int(np.prod(layer.output.shape[1:])) for layer in model.layers[1:])
    assert backbones.get(name).activation_values(channels) == keras_values


def test_squeezenet_without_its_classes_has_722496_weights_and_is_here():
    squeezenet = backbones.get("squeezenet")
    assert squeezenet.total_params == 722_496 and squeezenet.available()
    assert squeezenet.count_params(0) == (0, 722_496)
    assert squeezenet.to_dict()["output_shape"] == [13, 13, 512]


def test_absent_weights_say_where_to_get_them_and_where_to_put_them(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    mobilenet = backbones.get("mobilenet_v2")
    assert not mobilenet.available()
    with pytest.raises(CnnvizError) as caught:
        backbones.keras_backbone("mobilenet_v2", (32, 32, 3), 0, pretrained=True)
    message = str(caught.value)
    assert backbones.MOBILENET_V2_URL in message and str(tmp_path / "keras" / "models") in message
    assert message.endswith("Received: name='mobilenet_v2'")
    (tmp_path / "keras" / "models").mkdir(parents=True)
    (tmp_path / "keras" / "models" / backbones.MOBILENET_V2_FILE).write_bytes(b"")
    assert mobilenet.available()


def test_a_backbone_layer_in_a_spec():
    report = validate(
        ModelSpec.from_dict(
            {
                "input_shape": [64, 64, 1],
                "layers": [
                    {"type": "Backbone", "name": "squeezenet", "trainable_blocks": 1},
                    {"type": "GlobalAveragePooling2D"},
                    {"type": "Dense", "units": 3, "activation": "softmax"},
                ],
            }
        )
    )
    first = report.rows[0]
    assert (first.name, first.type, first.output_shape) == ("backbone", "Backbone", (13, 13, 512))
    assert (first.trainable, first.non_trainable) == (197_184, 722_496 - 197_184)
    assert report.trainable_params == 197_184 + 512 * 3 + 3


@pytest.mark.parametrize(
    ("layers", "words"),
    [
        ([{"type": "Backbone", "name": "squeezenet"}], None),
        ([{"type": "Backbone", "name": "squeezenett"}], "did you mean 'squeezenet'"),
        (
            [{"type": "Backbone", "name": "squeezenet", "trainable_blocks": 10}],
            "trainable_blocks must be 0 .all frozen. to 9",
        ),
        ([{"type": "Backbone", "name": "squeezenet", "trainable_blocks": -1}], "at least 0"),
        ([{"type": "Backbone"}], "missing required parameter 'name'"),
        (
            [{"type": "Flatten"}, {"type": "Backbone", "name": "squeezenet"}],
            "must be the first layer",
        ),
    ],
)
def test_backbone_mistakes_are_caught_with_a_hint(layers, words):
    report = check(ModelSpec.from_dict({"input_shape": [32, 32, 3], "layers": layers}))
    if words is None:
        assert report.ok
    else:
        assert report.error is not None and report.error.layer_number == len(layers)
        assert re.search(words, str(report.error)), str(report.error)


def test_images_of_four_channels_are_refused():
    spec = ModelSpec.from_dict({"layers": [{"type": "Backbone", "name": "mobilenet_v2"}]})
    assert "1 or 3 channels" in str(check(spec, input_shape=(32, 32, 4)).error)


def test_an_unknown_name_is_a_param_error():
    with pytest.raises(ParamError, match="one of squeezenet, mobilenet_v2"):
        backbones.get("resnet")


def test_the_registry_needs_no_tensorflow():
    code = (
        "import sys, cnnviz.backbones as b\n"
        "for x in b.BACKBONES.values(): x.to_dict(), x.count_params(1), x.activation_values()\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cli_backbones_json_has_the_design_shape(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert main(["backbones", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["backbones"]
    assert [b["name"] for b in listed] == ["squeezenet", "mobilenet_v2"]
    assert all(
        set(b) == {"name", "available", "input_shape", "output_shape", "params", "source"}
        for b in listed
    )
    assert listed[0]["available"] and not listed[1]["available"]
    assert listed[0]["params"] == 722_496 and listed[1]["output_shape"] == [7, 7, 1280]
    assert main(["backbones"]) == 0
    text = capsys.readouterr().out
    assert "squeezenet" in text and "mobilenet_v2: mobilenet_v2's ImageNet weights" in text
