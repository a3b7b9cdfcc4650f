"""Specs built into real Keras models: every preset and odd spec matches Keras's own
shapes, layer names and parameter counts."""

import pytest

from cnnviz.build import build_model, keras_summary_rows
from cnnviz.presets import PRESETS
from cnnviz.spec import ModelSpec, validate


def assert_matches_keras(report):
    model = build_model(report)
    assert keras_summary_rows(model) == report.summary_dict()["layers"]
    assert model.count_params() == report.total_params
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    assert trainable == report.trainable_params


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_matches_keras(name):
    preset = PRESETS[name]
    report = validate(preset.spec, input_shape=preset.input_shape, num_classes=preset.num_classes)
    assert_matches_keras(report)


ODD_SPECS = {
    "odd sizes, non-square kernels, strides": (
        (31, 17, 3),
        [
            {"type": "Conv2D", "filters": 5, "kernel_size": [3, 5], "strides": [2, 1]},
            {
                "type": "Conv2D",
                "filters": 7,
                "kernel_size": [1, 4],
                "strides": 3,
                "padding": "same",
                "use_bias": False,
            },
            {"type": "MaxPooling2D", "pool_size": 3, "strides": 1, "padding": "same"},
            {"type": "AveragePooling2D", "pool_size": [2, 3], "padding": "valid"},
            {"type": "Flatten"},
            {"type": "Dense", "units": 9, "activation": "softmax"},
        ],
    ),
    "batch norm, global pooling, separable, depthwise": (
        (23, 29, 1),
        [
            {"type": "Rescaling", "scale": 2.0, "offset": -1.0},
            {"type": "ZeroPadding2D", "padding": [[1, 2], [0, 3]]},
            {
                "type": "SeparableConv2D",
                "filters": 6,
                "kernel_size": 3,
                "depth_multiplier": 2,
                "padding": "same",
                "activation": "selu",
            },
            {"type": "BatchNormalization", "momentum": 0.9},
            {
                "type": "DepthwiseConv2D",
                "kernel_size": [5, 3],
                "strides": 2,
                "depth_multiplier": 3,
                "activation": "swish",
            },
            {"type": "SpatialDropout2D", "rate": 0.1},
            {
                "type": "Conv2D",
                "filters": 4,
                "kernel_size": 3,
                "dilation_rate": 2,
                "activation": "leaky_relu",
            },
            {"type": "GlobalMaxPooling2D"},
            {"type": "BatchNormalization"},
            {"type": "Dense", "units": 12, "activation": "elu"},
            {"type": "Dropout", "rate": 0.3},
            {"type": "Activation", "activation": "tanh"},
            {"type": "Dense", "units": 3, "activation": "softmax"},
        ],
    ),
    "global average pooling on a 1x1 map": (
        (5, 5, 2),
        [
            {"type": "Conv2D", "filters": 3, "kernel_size": 5, "activation": "gelu"},
            {"type": "GlobalAveragePooling2D"},
            {"type": "Dense", "units": 1, "activation": "sigmoid"},
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(ODD_SPECS))
def test_odd_specs_match_keras(case):
    shape, stack = ODD_SPECS[case]
    report = validate(ModelSpec.from_dict({"input_shape": list(shape), "layers": stack}))
    assert_matches_keras(report)
