"""The one registry of layer kinds: every kind is a Keras layer, every parameter has a
widget, every new layer starts valid, and what a learner types reads back the same.

Oracle: Keras itself (the class exists, takes the parameters, gives the shapes and
weight counts the registry computes).
"""

import pytest

from cnnviz import layers
from cnnviz.errors import ParamError
from cnnviz.spec import ModelSpec, validate

WIDGETS = {"choice", "toggle", "count", "whole", "fraction", "number", "text"}


@pytest.mark.parametrize("name", list(layers.LAYER_KINDS))
def test_a_new_layer_of_every_kind_is_valid_and_matches_keras(name, keras):
    kind = layers.LAYER_KINDS[name]
    shape = (4, 4, 3) if name not in ("Dense",) else (12,)
    flat = name == "Dense"
    spec = ModelSpec.from_dict(
        {
            "input_shape": [4, 4, 3],
            "layers": [*([{"type": "Flatten"}] if flat else []), {"type": name, **kind.example}],
        }
    )
    report = validate(spec)
    row = report.rows[-1]
    assert row.input_shape == (48,) if flat else row.input_shape == shape
    layer = layers.keras_layer(kind, row.params, "x")
    out = layer(keras.ops.zeros((1, *row.input_shape)))
    assert tuple(out.shape[1:]) == row.output_shape
    assert layer.count_params() == row.total


@pytest.mark.parametrize("name", list(layers.LAYER_KINDS))
def test_every_parameter_has_a_widget_and_a_default_that_passes_its_check(name):
    kind = layers.LAYER_KINDS[name]
    for param_name, param in kind.params.items():
        assert param.widget.kind in WIDGETS, (name, param_name)
        if param.widget.kind == "choice":
            assert param.widget.options
        if param.default is not layers.REQUIRED:
            assert param.check(param.default, param_name) == param.default


def test_aliases_and_unknown_names():
    assert layers.get("MaxPool2D") is layers.LAYER_KINDS["MaxPooling2D"]
    with pytest.raises(ParamError, match="unknown layer type 'Conv2d'. Did you mean 'Conv2D'"):
        layers.get("Conv2d")


@pytest.mark.parametrize(
    "typed, value",
    [
        ("3", 3),
        ("3, 5", [3, 5]),
        ("3x5", [3, 5]),
        ("", None),
        ("[[1, 2], [3, 4]]", [[1, 2], [3, 4]]),
        ("same as", "same as"),
        ("[" * 50, "[" * 50),
    ],
)
def test_what_a_learner_types_in_a_text_widget(typed, value):
    widget = layers.Widget("text")
    assert widget.parse(typed) == value
    if isinstance(value, (int, list)) and value is not None:
        assert widget.parse(widget.format(value)) == value


def test_keras_names_count_like_a_fresh_keras_session():
    assert layers.keras_names(["Conv2D", "MaxPooling2D", "Conv2D", "Dense"]) == [
        "conv2d",
        "max_pooling2d",
        "conv2d_1",
        "dense",
    ]
