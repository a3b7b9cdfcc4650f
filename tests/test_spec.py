"""Spec parsing, JSON round-trip and validation messages (no TensorFlow needed)."""

import json
import subprocess
import sys

import pytest

from cnnviz.errors import SpecError
from cnnviz.head import head_of
from cnnviz.presets import PRESETS
from cnnviz.spec import ModelSpec, check, validate


def spec_of(*layers, input_shape=(28, 28, 1), name="t"):
    data = {"name": name, "layers": list(layers)}
    if input_shape is not None:
        data["input_shape"] = list(input_shape)
    return ModelSpec.from_dict(data)


CONV = {"type": "Conv2D", "filters": 8, "kernel_size": 3, "activation": "relu"}
FLAT = {"type": "Flatten"}
HEAD = {"type": "Dense", "units": "num_classes", "activation": "softmax"}


def problem(spec, **kwargs) -> SpecError:
    report = check(spec, **kwargs)
    assert report.error is not None, "expected a problem"
    return report.error


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_json_round_trip_is_lossless(name):
    spec = PRESETS[name].spec
    again = ModelSpec.from_json(spec.to_json())
    assert again == spec
    assert again.to_dict() == spec.to_dict()
    assert json.loads(again.to_json()) == json.loads(spec.to_json())


def test_round_trip_keeps_every_given_value():
    data = {
        "name": "odd",
        "input_shape": [31, 17, 3],
        "layers": [
            {
                "type": "Conv2D",
                "filters": 5,
                "kernel_size": [3, 5],
                "strides": [2, 1],
                "padding": "same",
                "activation": "gelu",
                "use_bias": False,
            },
            {"type": "MaxPool2D", "pool_size": 3, "strides": 2, "padding": "same"},
            {"type": "ZeroPadding2D", "padding": [[1, 0], [2, 3]]},
            {"type": "Rescaling", "scale": 2.0, "offset": -1},
            {"type": "GlobalAveragePooling2D"},
            {"type": "Dense", "units": 7, "activation": "softmax"},
        ],
    }
    spec = ModelSpec.from_dict(data)
    assert spec.to_dict() == data
    assert ModelSpec.from_json(json.dumps(data)).to_dict() == data


def test_input_shape_comes_from_dataset_and_num_classes_resolves():
    spec = ModelSpec.from_dict({"layers": [CONV, FLAT, HEAD]})
    report = validate(spec, input_shape=(8, 8, 1), num_classes=10)
    assert report.input_shape == (8, 8, 1)
    assert [r.output_shape for r in report.rows] == [(6, 6, 8), (288,), (10,)]
    assert report.rows[-1].params["units"] == 10
    assert report.total_params == (9 * 8 + 8) + (288 * 10 + 10)


def test_layer_names_follow_keras_defaults():
    spec = spec_of(CONV, CONV, {"type": "MaxPool2D"}, FLAT, HEAD, HEAD | {"units": 3})
    names = [r.name for r in check(spec, num_classes=3).rows]
    assert names == ["conv2d", "conv2d_1", "max_pooling2d", "flatten", "dense", "dense_1"]


# --- each mistake gets its own message -------------------------------------------


def test_unknown_layer_type_names_close_match():
    err = problem(spec_of({"type": "Conv2d", "filters": 3, "kernel_size": 3}))
    assert err.layer_number == 1
    assert "unknown layer type 'Conv2d'" in str(err)
    assert "Did you mean 'Conv2D'" in str(err)


def test_unknown_parameter_is_named_with_suggestion():
    err = problem(spec_of({"type": "Conv2D", "filter": 3, "kernel_size": 3}))
    assert "layer 1 Conv2D: unknown parameter 'filter'" in str(err)
    assert "Did you mean 'filters'" in str(err)


@pytest.mark.parametrize(
    ("layer", "words"),
    [
        ({"type": "Conv2D", "filters": "8", "kernel_size": 3}, "filters must be a positive"),
        ({"type": "Conv2D", "filters": 8.5, "kernel_size": 3}, "Received: filters=8.5"),
        ({"type": "Conv2D", "filters": True, "kernel_size": 3}, "Received: filters=true"),
        ({"type": "Conv2D", "filters": 8, "kernel_size": [3, 3, 3]}, "pair of them"),
        (
            {"type": "Conv2D", "filters": 8, "kernel_size": 3, "padding": "full"},
            "'valid' or 'same'",
        ),
        (
            {"type": "Conv2D", "filters": 8, "kernel_size": 3, "activation": "relu6"},
            "must be one of relu",
        ),
        ({"type": "Dense", "units": "classes"}, '"num_classes"'),
    ],
)
def test_mistyped_parameters(layer, words):
    err = problem(spec_of(FLAT, layer) if layer["type"] == "Dense" else spec_of(layer))
    assert words in str(err)


@pytest.mark.parametrize("bad", [0, -3])
def test_non_positive_sizes(bad):
    err = problem(spec_of({"type": "Conv2D", "filters": bad, "kernel_size": 3}))
    assert "filters must be a positive whole number" in str(err)
    assert f"Received: filters={bad}" in str(err)
    err = problem(spec_of({"type": "Conv2D", "filters": 4, "kernel_size": [3, bad]}))
    assert "kernel_size" in str(err)


@pytest.mark.parametrize("rate", [1.0, -0.1, 1.5])
def test_dropout_rate_outside_zero_one(rate):
    err = problem(spec_of(FLAT, {"type": "Dropout", "rate": rate}))
    assert err.layer_number == 2
    assert "rate must be at least 0 and below 1" in str(err)


def test_two_dimensional_input_shape():
    with pytest.raises(SpecError, match=r"for grayscale images write \[28, 28, 1\]"):
        ModelSpec.from_dict({"input_shape": [28, 28], "layers": [FLAT]})
    err = problem(ModelSpec.from_dict({"layers": [FLAT]}), input_shape=(28, 28))
    assert "input_shape must be [height, width, channels]" in str(err)


def test_empty_stack():
    err = problem(spec_of())
    assert "the model has no layers" in str(err)


def test_kernel_larger_than_input_has_hint():
    spec = spec_of(
        CONV,
        {"type": "MaxPooling2D"},
        CONV,
        {"type": "MaxPooling2D"},
        {"type": "Conv2D", "filters": 4, "kernel_size": 5},
        input_shape=(20, 20, 1),
    )
    err = problem(spec)
    assert err.layer_number == 5
    assert str(err) == (
        "layer 5 Conv2D: kernel 5x5 is larger than its 3x3 input; use padding='same', "
        "a smaller kernel, or remove a pooling layer before it"
    )


def test_dense_on_unflattened_tensor():
    err = problem(spec_of(CONV, HEAD), num_classes=10)
    assert err.layer_number == 2
    assert "Dense: needs a flat input but receives a 26x26x8 tensor" in str(err)
    assert "add a Flatten" in str(err)


def test_conv_after_flatten():
    err = problem(spec_of(FLAT, CONV))
    assert "needs an image-shaped input" in str(err)


def test_strides_and_dilation_together():
    layer = CONV | {"strides": 2, "dilation_rate": 2}
    assert "cannot both be above 1" in str(problem(spec_of(layer)))


def test_head_must_fit_the_classes():
    spec = spec_of(FLAT, {"type": "Dense", "units": 5, "activation": "softmax"})
    err = problem(spec, num_classes=10)
    assert "outputs 5 values but the dataset has 10 classes" in str(err)
    relu_head = spec_of(FLAT, {"type": "Dense", "units": 10, "activation": "relu"})
    assert "needs activation='softmax'" in str(problem(relu_head, num_classes=10))
    binary = validate(
        spec_of(FLAT, {"type": "Dense", "units": 1, "activation": "sigmoid"}), num_classes=2
    )
    assert head_of(binary, 2).loss == "binary_crossentropy"
    multi = validate(spec_of(FLAT, HEAD), num_classes=2)
    assert head_of(multi, 2).loss == "sparse_categorical_crossentropy"


def test_num_classes_without_dataset():
    err = problem(spec_of(FLAT, HEAD))
    assert "no dataset says how many classes" in str(err)


def test_mismatched_input_shapes():
    err = problem(spec_of(FLAT, HEAD), input_shape=(8, 8, 1), num_classes=10)
    assert "does not match the dataset's images [8, 8, 1]" in str(err)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{", "not valid JSON"),
        ("[]", "must be an object"),
        ('{"layers": {}}', '"layers" must be a list'),
        ('{"layers": [], "optimizer": "adam"}', "unknown key 'optimizer'"),
        ('{"layers": [3]}', "each layer must be an object"),
        ('{"layers": [{"filters": 3}]}', 'missing "type"'),
        ('{"name": "", "layers": []}', '"name" must be a non-empty string'),
    ],
)
def test_malformed_json(text, words):
    with pytest.raises(SpecError, match=words.replace("(", r"\(")):
        ModelSpec.from_json(text)


def test_report_rows_stop_at_the_problem():
    spec = spec_of(CONV, CONV, {"type": "Dense", "units": 3}, FLAT)
    report = check(spec)
    assert not report.ok and report.error.layer_number == 3
    assert len(report.rows) == 2


def test_validation_never_imports_tensorflow():
    code = (
        "import sys, cnnviz, cnnviz.presets as p\n"
        "for x in p.PRESETS.values(): cnnviz.check(x.spec, input_shape=x.input_shape,"
        " num_classes=x.num_classes)\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
