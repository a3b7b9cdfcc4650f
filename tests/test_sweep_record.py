"""What a sweep's run keeps in config.json, and whether it kept its experiment's base."""

import dataclasses

from cnnviz.plan import TrainConfig
from cnnviz.request import TrainRequest
from cnnviz.spec import LayerSpec
from cnnviz.sweep import Sweep
from cnnviz.sweep_record import (
    base_differences,
    keeps_settings,
    other_settings,
    record_of,
    varied_of,
)
from tests.helpers_sweep import DROPOUT

BASE = TrainRequest(DROPOUT, "digits", TrainConfig(epochs=2), limit=200)


def test_a_run_that_kept_the_base_has_no_differences():
    sweep = Sweep.parse(["lr=0.001,0.01", "dropout_1.rate=0,0.4"], DROPOUT, repeats=2)
    for request in sweep.requests(BASE):
        config = request.source()
        assert record_of(config) == request.experiment
        assert varied_of(config) == ["learning_rate", "dropout_1.rate"]
        assert base_differences(config, request.spec) == {}


def test_other_settings_leave_out_the_varied_ones_and_the_seed():
    values = other_settings(BASE.source(), DROPOUT, ["lr", "dropout.rate"])
    assert "learning_rate" not in values and "seed" not in values
    assert values["batch_size"] == 32 and values["limit"] == 200 and "layers" in values
    narrower = dataclasses.replace(
        DROPOUT,
        layers=(LayerSpec("Conv2D", {**DROPOUT.layers[0].params, "filters": 8}),)
        + DROPOUT.layers[1:],
    )
    renamed = dataclasses.replace(DROPOUT, name="another name")
    layers = [other_settings(BASE.source(), s, ["lr"])["layers"] for s in (DROPOUT, narrower)]
    assert layers[0] != layers[1]  # an edited layer changes the digest
    assert other_settings(BASE.source(), renamed, ["lr"]) == other_settings(
        BASE.source(), DROPOUT, ["lr"]
    )


def test_a_desk_that_changed_other_settings_differs_from_the_base():
    sweep = Sweep.parse(["lr=0.001,0.01"], DROPOUT)
    request = sweep.requests(BASE)[0]
    changed = dataclasses.replace(
        request, config=dataclasses.replace(request.config, batch_size=16)
    )
    assert base_differences(changed.source(), changed.spec) == {"batch_size": [32, 16]}
    stack = list(request.spec.layers)
    stack[2] = LayerSpec("Dropout", {"rate": 0.5})
    edited = dataclasses.replace(request.spec, layers=tuple(stack))
    assert base_differences(request.source(), edited) == {"layers": ["as given", "changed"]}
    other_lr = dataclasses.replace(
        request, config=dataclasses.replace(request.config, learning_rate=0.3)
    )
    assert base_differences(other_lr.source(), other_lr.spec) == {}  # the varied setting


def test_a_run_of_no_sweep_is_never_apart():
    assert record_of(BASE.source()) is None and varied_of(BASE.source()) == []
    assert base_differences(BASE.source(), DROPOUT) == {}
    assert base_differences({**BASE.source(), "experiment": {"settings": 3}}, DROPOUT) == {}


def test_a_run_keeps_its_settings_until_one_of_the_varied_ones_changes():
    sweep = Sweep.parse(["lr=0.001,0.01", "augment=on,off"], DROPOUT)
    for request in sweep.requests(BASE):
        record = request.experiment
        assert keeps_settings(record, request.source(), request.spec)
        batch = dataclasses.replace(request.config, batch_size=16)  # another setting
        assert keeps_settings(record, {**request.source(), "training": batch.to_dict()}, DROPOUT)
        moved = dataclasses.replace(request.config, learning_rate=0.3)  # a varied one
        assert not keeps_settings(
            record, {**request.source(), "training": moved.to_dict()}, DROPOUT
        )
        flipped = {**request.source(), "augment": None if request.augment else {"zoom": [0.9, 1.1]}}
        assert not keeps_settings(record, flipped, request.spec)
    rate = Sweep.parse(["dropout=0,0.3"], DROPOUT).requests(BASE)[1]
    assert keeps_settings(rate.experiment, rate.source(), rate.spec)
    assert not keeps_settings(rate.experiment, rate.source(), DROPOUT)  # the layer's own rate
    assert not keeps_settings({"settings": {"no_such": 1}}, BASE.source(), DROPOUT)
    assert not keeps_settings({}, BASE.source(), DROPOUT)
