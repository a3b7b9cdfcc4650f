"""A class experiment over the desks: a balanced rotation, late desks included."""

from collections import Counter

import pytest

from cnnviz import links
from cnnviz.plan import TrainConfig
from cnnviz.sweep import Sweep
from cnnviz.sweep_desks import assign, assignment, assignments
from tests.helpers_sweep import DROPOUT

BASE = links.Experiment(DROPOUT, "digits", training=TrainConfig(epochs=3, seed=7))


@pytest.mark.parametrize("desks", [1, 3, 4, 5, 7, 12, 30, 31])
@pytest.mark.parametrize(("vary", "combinations"), [(["lr=0.001,0.01"], 2), (None, 6)])
def test_combinations_get_as_many_desks_as_each_other_give_or_take_one(desks, vary, combinations):
    vary = vary or ["lr=0.001,0.01", "dropout=0,0.25,0.5"]
    sweep = Sweep.parse(vary, DROPOUT)
    given = assign(sweep, [f"desk-{k}" for k in range(desks)])
    counts = Counter(slot.combination for slot in given.values())
    every = [counts.get(c, 0) for c in range(combinations)]
    assert sum(every) == desks
    assert max(every) - min(every) <= 1


def test_a_late_desk_gets_the_next_slot_and_changes_no_one_elses():
    sweep = Sweep.parse(["lr=0.001,0.01", "dropout=0,0.5"], DROPOUT)
    early = assign(sweep, ["ada", "bob", "cy"])
    late = assign(sweep, ["ada", "bob", "cy", "dee", "eve", "ada"])
    assert {d: late[d] for d in early} == early
    assert late["dee"].combination == 3 and late["dee"].repeat == 0
    assert late["eve"].combination == 0 and late["eve"].repeat == 1  # round two
    assert list(late) == ["ada", "bob", "cy", "dee", "eve"]  # ada keeps her first place


def test_each_desk_is_given_its_combination_as_an_experiment_and_a_record():
    sweep = Sweep.parse(["lr=0.001,0.01", "dropout=0,0.5"], DROPOUT, question="Dropout?")
    given = assignments(sweep, BASE, ["ada", "bob", "cy", "dee", "eve"])
    for item in given:
        settings = item.slot.settings
        assert item.experiment.training.learning_rate == settings["learning_rate"]
        assert item.experiment.spec.layers[2].params["rate"] == settings["dropout.rate"]
        assert item.experiment.training.seed == 7 + item.slot.repeat
        assert item.experiment.training.epochs == 3 and item.experiment.dataset == "digits"
        assert item.record["settings"] == settings and item.record["question"] == "Dropout?"
        token = links.encode(item.experiment)  # it travels as a link
        assert links.decode(token).training == item.experiment.training
    assert [a.desk for a in given] == ["ada", "bob", "cy", "dee", "eve"]
    assert given[4].slot.settings == given[0].slot.settings  # eve starts round two
    assert assignment(sweep, BASE, "zed", 9).slot.combination == 1
