"""A warm process's compiled models: a reused model makes the same run as a fresh one.

Oracles: the same job trained once in a fresh Python process (its history.csv and final
weights), Keras's own layer shapes for the multiply-add count, and counts of the models
built.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cnnviz import compiled, presets
from cnnviz.data import load_dataset
from cnnviz.plan import TrainConfig
from cnnviz.runs import load_run
from cnnviz.spec import ModelSpec, validate
from cnnviz.train import train

ROOT = Path(__file__).resolve().parents[1]
SPEC = {  # every kind of state a fresh model has: weights, batch-norm statistics, dropout
    "name": "reused",
    "layers": [
        {"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu"},
        {"type": "BatchNormalization"},
        {"type": "Flatten"},
        {"type": "Dropout", "rate": 0.3},
        {"type": "Dense", "units": "num_classes", "activation": "softmax"},
    ],
}
FRESH = """
import json, sys
sys.path.insert(0, {root!r})
from cnnviz.data import load_dataset
from cnnviz.plan import TrainConfig
from cnnviz.spec import ModelSpec
from cnnviz.train import train

result = train(ModelSpec.from_dict({spec}), load_dataset("digits", limit=200),
               TrainConfig(**{config}), run_dir={run_dir!r})
assert result.status == "completed", result.message
"""


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", limit=200)


def fresh_run(tmp_path: Path, config: dict) -> Path:
    """The job trained in a new Python process: nothing kept from any other job."""
    run_dir = tmp_path / "fresh"
    code = FRESH.format(root=str(ROOT), spec=SPEC, config=config, run_dir=str(run_dir))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=600)
    return run_dir


def test_a_reused_model_makes_the_run_a_fresh_process_makes(digits, tmp_path, monkeypatch):
    builds = []
    real_build = compiled._build
    monkeypatch.setattr(compiled, "_build", lambda report: builds.append(1) or real_build(report))
    compiled.forget_models()
    spec = ModelSpec.from_dict(SPEC)
    config = {"epochs": 3, "batch_size": 16, "seed": 7, "learning_rate": 0.01}
    other = {**config, "seed": 3, "learning_rate": 0.002}  # the same kind of model
    runs = {}
    for name, settings in (("first", config), ("other", other), ("again", config)):
        result = train(spec, digits, TrainConfig(**settings), run_dir=tmp_path / name)
        assert result.status == "completed", result.message
        runs[name] = load_run(tmp_path / name)
    # one model compiled for all three; a new seed built its initial values once
    assert len(builds) == 2
    fresh = load_run(fresh_run(tmp_path, config))
    for name in ("first", "again"):  # the first job in this process, and a reused model
        history = runs[name].history()
        assert set(history) == set(fresh.history())
        for key, values in fresh.history().items():
            np.testing.assert_allclose(history[key], values, rtol=1e-5, atol=1e-7, err_msg=key)
        assert runs[name].test_accuracy == fresh.test_accuracy
        for a, b in zip(runs[name].model().get_weights(), fresh.model().get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert runs["other"].history()["loss"] != runs["first"].history()["loss"]


def test_a_reused_model_starts_from_the_initial_weights_of_its_seed(digits, tmp_path):
    import keras

    from cnnviz.build import build_model
    from cnnviz.head import head_of

    compiled.forget_models()
    report = validate(ModelSpec.from_dict(SPEC), input_shape=(8, 8, 1), num_classes=10)
    head = head_of(report, 10)
    config = TrainConfig(epochs=1, batch_size=16, seed=5)
    with compiled.compiled_model(report, head, config) as first:
        first.fit(np.zeros((16, 8, 8, 1), np.float32), np.zeros(16, int), verbose=0)
    with compiled.compiled_model(report, head, config) as second:
        assert second is first  # reused
        keras.utils.set_random_seed(5)
        expected = build_model(report)
        for a, b in zip(second.variables, expected.variables):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=a.path)
        assert int(second.optimizer.iterations) == 0
        assert all(not np.asarray(v).any() for v in second.optimizer.variables[2:])
        assert float(second.optimizer.learning_rate) == pytest.approx(config.learning_rate)


def test_a_job_that_raises_gives_its_model_up_and_the_pool_stays_bounded():
    from cnnviz.head import head_of

    compiled.forget_models()
    config = TrainConfig(epochs=1, batch_size=16)
    reports = [
        validate(
            ModelSpec.from_dict({**SPEC, "name": f"m{i}"}), input_shape=(8, 8, 1), num_classes=10
        )
        for i in range(compiled.MAX_IDLE + 2)
    ]
    with (
        pytest.raises(RuntimeError),
        compiled.compiled_model(reports[0], head_of(reports[0], 10), config) as broken,
    ):
        raise RuntimeError("a crash inside fit")
    with compiled.compiled_model(reports[0], head_of(reports[0], 10), config) as model:
        assert model is not broken  # a model whose job crashed is not handed out again
    for report in reports:
        with compiled.compiled_model(report, head_of(report, 10), config):
            pass
    assert sum(len(models) for models in compiled._idle.values()) == compiled.MAX_IDLE
    compiled.forget_models()


def test_small_models_run_several_batches_per_execution_large_ones_one():
    from cnnviz.build import build_model

    report = validate(presets.get("digits-small"), input_shape=(8, 8, 1), num_classes=10)
    model = build_model(report)
    # oracle: each layer's weight count from Keras times its output positions
    expected = 0
    for layer in model.layers[1:]:
        shape = layer.output.shape[1:]
        positions = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
        expected += layer.count_params() * positions
    assert compiled.multiply_adds(report) == expected
    assert compiled.steps_per_execution(report, 64) == compiled.MAX_STEPS_PER_EXECUTION
    cifar = validate(presets.get("lab-cifar10"), input_shape=(32, 32, 3), num_classes=10)
    assert compiled.steps_per_execution(cifar, 32) == 1


def test_the_kind_of_a_model_leaves_out_the_learning_rate_and_seed_only():
    from cnnviz.head import head_of

    report = validate(ModelSpec.from_dict(SPEC), input_shape=(8, 8, 1), num_classes=10)
    head = head_of(report, 10)

    def kind(**settings):
        config = TrainConfig(**{"batch_size": 16, **settings})
        return compiled._kind(report, head, config, 8)

    assert kind() == kind(learning_rate=0.1, seed=4, epochs=3)
    assert kind() != kind(optimizer="sgd") and kind(optimizer="sgd") != kind(
        optimizer="sgd", momentum=0.5
    )
    wider = validate(
        ModelSpec.from_dict(
            {**SPEC, "layers": [{**SPEC["layers"][0], "filters": 5}, *SPEC["layers"][1:]]}
        ),
        input_shape=(8, 8, 1),
        num_classes=10,
    )
    assert compiled._kind(wider, head, TrainConfig(batch_size=16), 8) != kind()
    assert json.loads(kind())  # a plain JSON document
