"""Runs grouped by a setting: means and spreads as numpy computes them, curves, the runs
shown apart, and which setting mattered most. Real runs of `python -m cnnviz sweep`."""

import numpy as np
import pytest

from cnnviz.errors import CnnvizError
from cnnviz.grouping import effects, experiment_runs, group_runs, reader, sweep_results
from cnnviz.runs import list_runs
from tests.helpers_sweep import trained_sweep


@pytest.fixture(scope="module")
def trained():
    return trained_sweep()


def test_groups_hold_each_value_with_numpy_mean_and_spread(trained):
    runs = trained.runs()
    grouping = group_runs([*runs, trained.apart], "lr")
    assert grouping.setting == "learning_rate"
    assert [g.value for g in grouping.groups] == [0.003, 0.01]
    for group in grouping.groups:
        members = [r for r in runs if r.config["training"]["learning_rate"] == group.value]
        assert list(group.runs) == [r.id for r in members]
        accuracies = np.array([r.test_accuracy for r in members])
        assert group.mean == pytest.approx(np.mean(accuracies), abs=0, rel=1e-12)
        assert group.std == pytest.approx(np.std(accuracies, ddof=0), abs=1e-15)
        assert group.to_dict()["mean_test_accuracy"] == group.mean
        history = np.array([r.history()["val_accuracy"] for r in members])
        np.testing.assert_allclose(group.mean_curve["val_accuracy"], history.mean(axis=0))
    means = [g.mean for g in grouping.groups]
    assert grouping.spread == pytest.approx(max(means) - min(means))


def test_a_run_that_changed_other_settings_is_shown_apart(trained):
    grouping = group_runs([*trained.runs(), trained.apart], "learning_rate")
    assert [a.run for a in grouping.apart] == [trained.apart.id]
    apart = grouping.apart[0]
    assert apart.differs == {"batch_size": [64, 16]} and apart.label == "ada"
    assert trained.apart.id not in {r for g in grouping.groups for r in g.runs}
    assert grouping.also_differ == ()  # the rest differ only by what the sweep varied


def test_runs_of_no_sweep_name_what_else_differs(trained):
    runs = trained.runs()
    for run in runs:
        run.config.pop("experiment")  # read as plain runs
    grouping = group_runs(runs, "seed")
    assert [g.value for g in grouping.groups] == [0, 1]
    assert grouping.also_differ == ("learning_rate",)  # not isolated by the groups


def test_effects_rank_the_settings_by_the_spread_of_their_means(trained):
    runs = trained.runs()
    by_lr, by_filters = group_runs(runs, "lr"), group_runs(runs, "filters")
    ranked = effects([by_filters, by_lr])
    assert [e.setting for e in ranked] == ["learning_rate", "conv2d.filters"]
    assert ranked[0].spread == by_lr.spread > 0 and ranked[1].spread == 0.0
    assert ranked[0].best_value == by_lr.best.value


def test_sweep_results_is_what_the_class_page_shows(trained):
    experiment = trained.document["experiment"]["id"]
    runs = experiment_runs(list_runs(trained.root), experiment)
    assert {r.id for r in runs} == {e["run_id"] for e in trained.document["runs"]} | {
        trained.apart.id
    }
    results = sweep_results(runs, ["lr", "filters"])
    assert results.settings == ("learning_rate", "conv2d.filters")
    assert results.mattered_most.setting == "learning_rate"
    rows = {row["run_id"]: row for row in results.rows}
    assert rows[trained.apart.id]["apart"] is True and rows[trained.apart.id]["label"] == "ada"
    for run in trained.runs():
        row = rows[run.id]
        assert row["learning_rate"] == run.config["training"]["learning_rate"]
        assert row["conv2d.filters"] == 4 and row["test_accuracy"] == run.test_accuracy
        assert row["apart"] is False


def test_an_unknown_setting_to_group_by_is_refused():
    with pytest.raises(CnnvizError) as caught:
        reader("lerning_rate")
    assert "Did you mean 'learning_rate'?" in str(caught.value)
    assert str(caught.value).endswith('Received: group_by="lerning_rate"')
    assert reader("model")[0] == "model" and reader("Dropout")[0] == "dropout.rate"
