"""The teacher's class experiment in the class state: started, a combination taken by
each desk in turn (late desks too, every replica agreeing), and ended."""

import threading
from collections import Counter

import pytest

from cnnviz import links, presets
from cnnviz.class_experiment import (
    end_class_experiment,
    opened,
    start_class_experiment,
    take_combination,
)
from cnnviz.classstate import ClassState, read_class_state, update_class_state
from cnnviz.errors import CnnvizError
from cnnviz.plan import TrainConfig
from cnnviz.sweep import Sweep
from cnnviz.sweep_desks import assignment
from tests.helpers_sweep import DROPOUT

BASE = links.Experiment(DROPOUT, "digits", training=TrainConfig(epochs=2, seed=3))


def two_by_two(question: str = "Does dropout help?") -> Sweep:
    return Sweep.parse(["lr=0.001,0.01", "dropout=0,0.3"], DROPOUT, question=question)


@pytest.fixture
def replicas(tmp_path):
    (tmp_path / "runs").mkdir()
    (tmp_path / "mount").symlink_to(tmp_path / "runs")
    return tmp_path / "runs", tmp_path / "mount"


def test_desks_take_the_rotation_in_turn_and_keep_their_slot(replicas):
    one, two = replicas
    sweep = two_by_two()
    started = start_class_experiment(sweep, BASE, runs_dir=one)
    assert started.open and started.id == sweep.id and started.desks == ()
    assert read_class_state(two).experiment == started  # the other replica sees it
    given = {}
    for k, desk in enumerate(["ada", "bob", "cy", "dee", "eve"]):
        taken, new = take_combination(desk, runs_dir=one if k % 2 else two)
        assert new
        given[desk] = taken
        assert taken == assignment(sweep, BASE, desk, k)  # the k-th desk, slot k
    assert [given[d].slot.combination for d in given] == [0, 1, 2, 3, 0]
    assert given["eve"].slot.repeat == 1  # a late desk starts round two
    again, new = take_combination("bob", runs_dir=two)
    assert not new and again == given["bob"]  # asked again: the same slot
    assert read_class_state(one).experiment.desks == ("ada", "bob", "cy", "dee", "eve")
    assert given["cy"].record["settings"] == {"learning_rate": 0.01, "dropout.rate": 0.0}
    assert given["cy"].experiment.training.learning_rate == 0.01


def test_an_ended_experiment_gives_no_more_combinations_and_keeps_its_desks(runs_dir):
    start_class_experiment(two_by_two(), links.encode(BASE))
    take_combination("ada")
    ended = end_class_experiment()
    assert not ended.open and ended.desks == ("ada",)
    assert take_combination("ada") is None and take_combination("bob") is None
    assert read_class_state().experiment == ended
    assert end_class_experiment() == ended  # ending twice changes nothing
    update_class_state(paused=True)  # the teacher's other settings leave it as it is
    assert read_class_state().experiment == ended
    later = start_class_experiment(two_by_two("Again?"), BASE)  # a new one replaces it
    assert later.open and later.desks == () and later.id != ended.id
    assert take_combination("ada")[0].slot.number == 0


def test_no_experiment_no_combination(runs_dir):
    assert take_combination("ada") is None
    assert end_class_experiment() is None
    with pytest.raises(CnnvizError, match="short name"):
        take_combination("../ada")


def test_desks_asking_at_once_each_get_their_own_place(runs_dir):
    start_class_experiment(two_by_two(), BASE)
    names = [f"desk-{k}" for k in range(12)]
    threads = [threading.Thread(target=take_combination, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    desks = read_class_state().experiment.desks
    assert sorted(desks) == sorted(names)  # each once
    slots = Counter(take_combination(name)[0].slot.combination for name in names)
    assert sorted(slots.values()) == [3, 3, 3, 3]  # balanced


def test_a_sweep_that_does_not_fit_the_base_model_is_refused(runs_dir):
    base = links.Experiment(presets.get("digits-small"), "digits")  # no Dropout layer
    with pytest.raises(CnnvizError, match="has no Dropout layer"):
        start_class_experiment(two_by_two(), base)
    assert read_class_state().experiment is None


def test_the_state_document_round_trips_and_a_damaged_experiment_is_refused(runs_dir):
    started = start_class_experiment(two_by_two(), BASE)
    take_combination("ada")
    state = read_class_state()
    assert ClassState.from_dict(state.to_dict()) == state
    assert opened(state.experiment)[0].to_dict() == started.sweep
    document = state.to_dict()
    document["experiment"]["desks"] = "ada"
    with pytest.raises(CnnvizError, match="desks"):
        ClassState.from_dict(document)
