"""A sweep's grid: its combinations, the requests it gives, and what it refuses."""

import itertools
import json

import pytest

from cnnviz.augment import AugmentSpec
from cnnviz.errors import CnnvizError
from cnnviz.plan import TrainConfig
from cnnviz.request import TrainRequest
from cnnviz.runs import Run
from cnnviz.sweep import MAX_RUNS, Sweep, parse_vary
from tests.helpers_sweep import DROPOUT, preset

BASE = TrainRequest(
    DROPOUT, "digits", TrainConfig(epochs=2, seed=5), limit=200, model="with dropout"
)


def test_parse_vary_reads_setting_and_values():
    assert parse_vary("lr=0.001, 0.01") == ("lr", ["0.001", "0.01"])
    for bad in ("lr", "=0.1", "lr=", "lr=0.1,,0.2", 3):
        with pytest.raises(CnnvizError, match=r"SETTING=V1,V2 .*Received: vary="):
            parse_vary(bad)


def test_a_request_per_combination_and_repeat_with_exactly_the_settings_named():
    sweep = Sweep.parse(["lr=0.001,0.01", "dropout=0,0.3,0.5"], DROPOUT, repeats=2)
    requests = sweep.requests(BASE)
    assert sweep.size == len(requests) == 2 * 3 * 2
    combos = list(itertools.product([0.001, 0.01], [0.0, 0.3, 0.5]))
    seen = []
    for request in requests:
        record = request.experiment
        assert set(record["settings"]) == {"learning_rate", "dropout.rate"}
        lr, rate = record["settings"]["learning_rate"], record["settings"]["dropout.rate"]
        assert request.config.learning_rate == lr
        assert request.spec.layers[2].params["rate"] == rate
        assert request.spec.layers[4] == DROPOUT.layers[4]  # the other Dropout is kept
        assert request.config.seed == 5 + record["repeat"]  # a repeat is the next seed
        assert request.config.epochs == 2 and request.limit == 200
        seen.append((lr, rate, record["repeat"]))
    assert sorted(seen) == sorted((lr, rate, r) for lr, rate in combos for r in (0, 1))
    assert [s[2] for s in seen] == [0] * 6 + [1] * 6  # every combination once, then again


def test_the_record_is_written_to_config_json(tmp_path):
    sweep = Sweep.parse(["augment=on,off"], DROPOUT, question="Does augmentation help?")
    request = sweep.requests(BASE)[0]
    assert request.augment is not None and not request.augment.is_identity
    assert sweep.requests(BASE)[1].augment is None
    again = TrainRequest.from_dict(json.loads(json.dumps(request.to_dict())))
    assert again.experiment == request.experiment  # it travels to a worker process
    assert "experiment" not in BASE.source()  # a run of no sweep records none
    with pytest.raises(CnnvizError, match="Received: experiment=3"):
        TrainRequest(DROPOUT, "digits", experiment=3)
    from cnnviz import rundir

    run = Run.read(rundir.create(DROPOUT.to_dict(), request.source(), runs_dir=tmp_path))
    record = run.config["experiment"]
    assert record["id"] == sweep.id and record["question"] == "Does augmentation help?"
    assert record["settings"] == {"augment": True} and record["repeat"] == 0


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        (["lr=0.1", "learning_rate=0.2"], "each setting once (learning_rate is twice)"),
        (["lr=0.1,0.1"], "different values (0.1 is twice)"),
        (["lr=0.1", "epochs=1", "batch_size=8"], "one or 2 settings"),
        (["lern_rate=0.1"], "Did you mean 'learning_rate'?"),
        (["lr=slow"], 'Received: learning_rate="slow"'),
        (["epochs=1,2,3,4,5,6,7,8,9", "lr=1,2,3,4,5,6,7,8"], "Received: runs=72"),
    ],
)
def test_bad_sweeps_are_refused_with_a_clear_message(vary, message):
    with pytest.raises(CnnvizError, match="Received: ") as caught:
        Sweep.parse(vary, DROPOUT)
    assert message in str(caught.value)


def test_a_grid_of_more_than_64_runs_counts_the_repeats():
    Sweep.parse(["lr=0.1,0.2"], DROPOUT, repeats=MAX_RUNS // 2)
    with pytest.raises(CnnvizError, match=r"at most 64 \(values 2, 33 repeats\).*runs=66"):
        Sweep.parse(["lr=0.1,0.2"], DROPOUT, repeats=33)
    with pytest.raises(CnnvizError, match="Received: repeats=0"):
        Sweep.parse(["lr=0.1"], DROPOUT, repeats=0)


def test_a_dropout_sweep_on_a_model_without_dropout_is_refused():
    with pytest.raises(CnnvizError, match='has no Dropout layer.*Received: setting="dropout"'):
        Sweep.parse(["dropout=0,0.5"], preset())


def test_a_page_gives_values_typed_or_as_text():
    sweep = Sweep.of({"lr": "0.001, 0.01", "optimizer": ["adam", "SGD"]}, preset(), repeats=3)
    assert [v.values for v in sweep.varied] == [(0.001, 0.01), ("adam", "sgd")]
    assert sweep.describe() == "learning_rate 0.001, 0.01 x optimizer adam, sgd; 3 repeats: 12 runs"


def test_a_sweep_round_trips_through_json():
    sweep = Sweep.parse(["filters=8,16"], preset(), repeats=2, question="wider?")
    again = Sweep.from_dict(json.loads(json.dumps(sweep.to_dict())), preset())
    assert again == sweep
    with pytest.raises(CnnvizError, match="unknown sweep key 'repeat'"):
        Sweep.from_dict({**sweep.to_dict(), "repeat": 2}, preset())


def test_missing_lists_the_slots_no_run_has_taken(tmp_path):
    from cnnviz import rundir

    sweep = Sweep.parse(["lr=0.001,0.01"], preset(), repeats=2)
    base = TrainRequest(preset(), "digits", TrainConfig(epochs=1))
    requests = sweep.requests(base)
    runs = []
    for request in requests[:3:2]:  # the first slot of each repeat
        path = rundir.create(request.spec.to_dict(), request.source(), runs_dir=tmp_path)
        runs.append(Run.read(path))
    assert [(s.combination, s.repeat) for s in sweep.missing(runs)] == [(1, 0), (1, 1)]
    other = Sweep.parse(["lr=0.001,0.01"], preset(), repeats=2)  # another sweep's runs
    assert len(other.missing(runs)) == 4


def test_augmentation_on_keeps_the_base_augmentation():
    base = TrainRequest(preset(), "digits", TrainConfig(), augment=AugmentSpec(rotation_degrees=30))
    on, off = Sweep.parse(["augment=on,off"], preset()).requests(base)
    assert on.augment == AugmentSpec(rotation_degrees=30) and off.augment is None
