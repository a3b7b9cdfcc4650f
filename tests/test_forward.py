"""Fast model calls: one trace per model, cached, never a retracing warning."""

import numpy as np
import pytest

from cnnviz import presets
from cnnviz.build import build_model
from cnnviz.features import feature_maps
from cnnviz.forward import cached, predict_outputs
from cnnviz.spec import validate


def preset_model(name: str):
    preset = presets.PRESETS[name]
    report = validate(preset.spec, input_shape=preset.input_shape, num_classes=preset.num_classes)
    return build_model(report), report


def random_image(shape, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def test_each_model_is_traced_once_and_never_warned_about_retracing(caplog):
    for seed in range(6):  # a session inspects model after model
        model, report = preset_model("digits-small")
        for _ in range(3):
            feature_maps(model, random_image(report.input_shape, seed=seed))
            predict_outputs(model, random_image((5, *report.input_shape)))
        for key in ("features", "call"):
            graph = cached(model, key, lambda: pytest.fail("not cached"))
            assert graph.experimental_get_tracing_count() == 1
    assert "retracing" not in caplog.text
