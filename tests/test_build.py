"""Specs built into real Keras models: every preset and odd spec matches Keras's own
shapes, layer names and parameter counts."""

import pytest

from cnnviz.build import build_model, keras_summary_rows
from cnnviz.presets import PRESETS
from cnnviz.spec import ModelSpec, validate
from tests.helpers_specs import ODD_SPECS


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


@pytest.mark.parametrize("case", sorted(ODD_SPECS))
def test_odd_specs_match_keras(case):
    shape, stack = ODD_SPECS[case]
    report = validate(ModelSpec.from_dict({"input_shape": list(shape), "layers": stack}))
    assert_matches_keras(report)
