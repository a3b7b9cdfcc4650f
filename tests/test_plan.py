"""What a run will do, checked before it starts: hyper-parameters with clear messages,
round trips, the preset's suggestions, and the optimizer table.

Oracle: Keras's own optimizer classes and their settings."""

import pytest

from cnnviz.data import load_dataset
from cnnviz.errors import CnnvizError
from cnnviz.plan import TrainConfig


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", limit=200)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"epochs": 0}, "epochs must be a whole number from 1"),
        ({"epochs": 2.5}, "Received: epochs=2.5"),
        ({"batch_size": 0}, "batch_size must be"),
        ({"optimizer": "adagrad"}, "optimizer must be one of adam, rmsprop, sgd"),
        ({"learning_rate": 0}, "learning_rate must be above 0"),
        ({"learning_rate": float("nan")}, "learning_rate must be a number"),
        ({"momentum": 1.0}, "momentum must be at least 0 and below 1"),
        ({"validation_split": 0.6}, "validation_split must be from 0"),
        ({"seed": -1}, "seed must be"),
        ({"early_stopping_patience": 0}, "early_stopping_patience must be"),
        ({"devices": 0}, "devices must be a whole number from 1 to 64"),
    ],
)
def test_config_mistakes_are_refused(kwargs, words):
    with pytest.raises(CnnvizError, match=words):
        TrainConfig(**kwargs)


def test_config_round_trip_and_suggestions():
    from cnnviz.presets import PRESETS

    config = TrainConfig(optimizer="SGD", learning_rate=1, momentum=0.5)
    assert config.optimizer == "sgd" and isinstance(config.learning_rate, float)
    assert TrainConfig.from_dict(config.to_dict()) == config
    with pytest.raises(CnnvizError, match="unknown training setting 'lr'"):
        TrainConfig.from_dict({"lr": 0.1})
    suggested = TrainConfig.suggested("digits-small", epochs=3, batch_size=None)
    assert suggested.epochs == 3
    assert suggested.batch_size == PRESETS["digits-small"].training["batch_size"]
    assert TrainConfig.suggested("my_spec.json") == TrainConfig()


@pytest.mark.parametrize("name, cls", [("adam", "Adam"), ("rmsprop", "RMSprop"), ("sgd", "SGD")])
def test_the_optimizer_is_the_one_chosen(name, cls):
    from cnnviz.plan import make_optimizer

    optimizer = make_optimizer(TrainConfig(optimizer=name, learning_rate=0.25, momentum=0.5))
    assert type(optimizer).__name__ == cls
    assert float(optimizer.learning_rate) == 0.25
    if name == "sgd":
        assert optimizer.momentum == 0.5


def test_a_batch_that_does_not_divide_by_the_devices_is_refused(digits):
    from cnnviz.plan import plan_training
    from cnnviz.presets import PRESETS

    spec = PRESETS["digits-small"].spec
    with pytest.raises(
        CnnvizError, match=r"batch_size 33 does not divide by the 2 .*e\.g\. 32, 34"
    ):
        plan_training(spec, digits, TrainConfig(batch_size=33, devices=2))
    with pytest.raises(CnnvizError, match=r"a multiple of 4, e\.g\. 4$"):
        plan_training(spec, digits, TrainConfig(batch_size=3, devices=4))
    assert plan_training(spec, digits, TrainConfig(batch_size=34, devices=2)).train is not None


def test_a_backbone_whose_weights_are_not_here_is_refused_before_training(
    tmp_path, monkeypatch, capsys
):
    from cnnviz import presets
    from cnnviz.cli import main
    from cnnviz.plan import plan_training
    from cnnviz.runs import list_runs

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    shapes = load_dataset("shapes:40")
    with pytest.raises(CnnvizError, match="mobilenet_v2's ImageNet weights are not on this"):
        plan_training(presets.get("mobilenet-v2-head"), shapes, TrainConfig(batch_size=8))
    plan_training(presets.get("squeezenet-head"), shapes, TrainConfig(batch_size=8))
    runs = tmp_path / "runs"
    argv = ["train", "--data", "shapes:40", "--model", "mobilenet-v2-head", "--runs-dir", str(runs)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: mobilenet_v2's") and err.count("\n") == 1
    assert str(tmp_path / "keras" / "models") in err and list_runs(runs) == []
