"""`presets`, `summary` and `code` on the command line, in-process and as a user runs them."""

import json
import subprocess
import sys

import pytest

from cnnviz.cli import main
from cnnviz.presets import PRESETS


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_presets_lists_every_preset(capsys):
    code, out, _ = run(capsys, "presets")
    assert code == 0
    for name in PRESETS:
        assert name in out


def test_summary_json_matches_design(capsys):
    code, out, _ = run(capsys, "summary", "lab-fashion-mnist", "--json")
    doc = json.loads(out)
    assert code == 0
    assert doc["layers"][0] == {
        "name": "conv2d",
        "type": "Conv2D",
        "output_shape": [None, 13, 13, 32],
        "params": 320,
    }
    assert doc["total_params"] == doc["trainable_params"] == 320 + 1152 * 10 + 10


def test_summary_text_of_a_spec_file(tmp_path, capsys):
    spec = tmp_path / "m.json"
    spec.write_text(
        json.dumps(
            {
                "input_shape": [8, 8, 1],
                "layers": [
                    {"type": "Flatten"},
                    {"type": "Dense", "units": 3, "activation": "softmax"},
                ],
            }
        )
    )
    code, out, _ = run(capsys, "summary", str(spec))
    assert code == 0
    assert "(None, 64)" in out and "Total params: 195" in out


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ('{"input_shape": [8, 8], "layers": []}', "input_shape must be"),
        ('{"input_shape": [8, 8, 1], "layers": [{"type": "Conv3D"}]}', "unknown layer type"),
        (
            '{"input_shape": [8, 8, 1], "layers": [{"type": "Dense", "units": 2}]}',
            "needs a flat input",
        ),
        ("not json", "not valid JSON"),
    ],
)
def test_bad_spec_exits_2_with_one_line(tmp_path, capsys, content, words):
    spec = tmp_path / "bad.json"
    spec.write_text(content)
    code, out, err = run(capsys, "summary", str(spec))
    assert code == 2 and out == ""
    assert err.startswith("error: ") and words in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_model_and_missing_file(capsys):
    code, _, err = run(capsys, "summary", "lenet5")
    assert code == 2 and "Did you mean 'lenet-5'" in err
    code, _, err = run(capsys, "code", "nowhere/spec.json")
    assert code == 2 and "no such spec file" in err


def test_code_then_python_builds_the_same_model(tmp_path):
    """`python -m cnnviz code SPEC > m.py && python m.py` as a learner runs it."""
    script = tmp_path / "m.py"
    with script.open("w") as out:
        subprocess.run([sys.executable, "-m", "cnnviz", "code", "lenet-5"], stdout=out, check=True)
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True
    )
    assert "Total params: 61,706" in result.stdout
    assert "(None, 28, 28, 6)" in result.stdout


def test_summary_of_the_squeezenet_preset_on_a_three_class_folder(tmp_path, capsys):
    """Frozen, its 722,496 backbone weights are non-trainable; the counts are Keras's."""
    from cnnviz.build import build_model
    from cnnviz.spec import validate
    from tests.helpers_runs import colour_folder

    data = colour_folder(tmp_path / "photos", 3, 2)
    code, out, _ = run(capsys, "summary", "squeezenet-head", "--data", data, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["layers"][0]["type"] == "Backbone"
    assert doc["layers"][-1]["output_shape"] == [None, 3]
    assert doc["total_params"] - doc["trainable_params"] == 722_496
    code, out, _ = run(capsys, "summary", "squeezenet-head", "--data", data)
    assert "Non-trainable params: 722,496" in out
    model = build_model(
        validate(PRESETS["squeezenet-head"].spec, input_shape=(64, 64, 3), num_classes=3)
    )
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    assert model.count_params() == doc["total_params"] and trainable == doc["trainable_params"]
