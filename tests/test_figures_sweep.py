"""Figures of a sweep: grouped results and group curves; each with a one-sentence summary
and its numbers as a table (`alt.text_of`). Parallel coordinates: `test_figures_parallel`."""

import pytest

from cnnviz.figures.alt import text_of
from cnnviz.figures.sweep import group_curves_figure, grouped_results_figure, value_text
from cnnviz.grouping import Group
from cnnviz.sweep_settings import value_label
from tests.helpers_figures import traces, valid

LOW = Group(
    0.001,
    ("r1", "r2", "r3"),
    ("<b>ada</b>", "bob", "r3"),
    (0.80, 0.84, None),
    0.82,
    0.02,
    {"val_accuracy": [0.5, 0.7, 0.81]},
    ({"val_accuracy": [0.5, 0.7, 0.8]}, {"val_accuracy": [0.5, 0.7, 0.82]}, {}),
)
HIGH = Group(
    0.01,
    ("r4", "r5"),
    ("cy", "dee"),
    (0.9, 0.96),
    0.93,
    0.03,
    {"val_accuracy": [0.6, 0.9, float("nan")]},
    ({"val_accuracy": [0.6, 0.9]}, {"val_accuracy": [0.6, 0.9]}),
)


def meta(fig) -> dict:
    """The figure's text alternative, as the page reads it (names as typed)."""
    said, table = text_of(fig)
    return {"summary": said, "table": table}


def test_grouped_results_draw_each_run_a_dot_and_each_group_its_mean_and_spread():
    fig = valid(grouped_results_figure([LOW, HIGH], setting="learning_rate"))
    low, high = traces(fig, "runs: 0.001")[0], traces(fig, "runs: 0.01")[0]
    assert list(low.y) == [0.80, 0.84] and list(high.y) == [0.9, 0.96]  # untested: no dot
    assert all(-0.5 < x < 0.5 for x in low.x) and all(0.5 < x < 1.5 for x in high.x)
    assert low.customdata[0][0] == "&lt;b&gt;ada&lt;/b&gt;"  # a desk's name, as typed
    means = traces(fig, "mean and spread")[0]
    assert list(means.y) == [0.82, 0.93] and list(means.error_y.array) == [0.02, 0.03]
    assert list(fig.layout.xaxis.ticktext) == ["0.001", "0.01"]
    summary = meta(fig)["summary"]
    assert summary == (
        "Test accuracy by learning_rate: 0.001 averages 82.0% (spread 2.0 points, 2 runs); "
        "0.01 averages 93.0% (spread 3.0 points, 2 runs). The highest mean is "
        "learning_rate = 0.01, 11.0 points above the lowest."
    )
    table = meta(fig)["table"]
    assert len(table) == 5 and table[2]["test accuracy"] is None
    assert table[0] == {
        "learning_rate": "0.001",
        "run": "r1",
        "label": "<b>ada</b>",
        "test accuracy": 0.80,
        "group mean": 0.82,
        "group spread": 0.02,
    }


def test_grouped_results_before_any_result_say_so():
    empty = Group(True, ("r1",), ("ada",), (None,), None, None)
    fig = valid(grouped_results_figure([empty], setting="augment"))
    assert meta(fig)["summary"] == "No run grouped by augment has a test accuracy yet."
    assert list(fig.layout.xaxis.ticktext) == ["on"]


def test_group_curves_overlay_every_run_and_each_groups_mean():
    fig = valid(group_curves_figure([LOW, HIGH], setting="learning_rate"))
    assert len(traces(fig, "0.001: ")) == 3 and len(traces(fig, "0.01: ")) == 2
    mean = traces(fig, "learning_rate = 0.01 (mean)")[0]
    assert list(mean.y)[:2] == [0.6, 0.9]
    assert meta(fig)["summary"] == (
        "Mean validation accuracy at each group's last epoch, by learning_rate: 0.001 81.0% "
        "at epoch 3 (its 2 runs end from 80.0% to 82.0%); 0.01 90.0% at epoch 2 (its 2 runs "
        "all end at 90.0%); the best: learning_rate = 0.01."
    )
    rows = meta(fig)["table"]
    assert rows[-1] == {"learning_rate": "0.01", "epoch": 3, "mean validation accuracy": None}
    loss = valid(group_curves_figure([LOW], setting="lr", metric="val_loss"))
    assert meta(loss)["summary"] == "No run grouped by lr has finished an epoch yet."


def test_the_setting_mattered_most_is_named_when_the_effects_are_known():
    from cnnviz.grouping import Effect

    ranked = [Effect("batch_size", 0.2, 64, 0.95), Effect("learning_rate", 0.11, 0.01, 0.93)]
    fig = grouped_results_figure([LOW, HIGH], setting="learning_rate", effects=ranked)
    assert meta(fig)["summary"].endswith(
        "; of the 2 settings varied, batch_size mattered most (its group means 20.0 points apart)."
    )
    alone = grouped_results_figure([LOW, HIGH], setting="learning_rate", effects=ranked[1:])
    assert "mattered most" not in meta(alone)["summary"]  # one setting: nothing to rank


def test_a_loss_curve_ends_best_at_its_lowest():
    low = Group(
        1, ("a",), ("a",), (0.5,), 0.5, 0.0, {"val_loss": [0.9, 0.4]}, ({"val_loss": [0.9, 0.4]},)
    )
    high = Group(
        2, ("b",), ("b",), (0.5,), 0.5, 0.0, {"val_loss": [0.8, 0.6]}, ({"val_loss": [0.8, 0.6]},)
    )
    fig = valid(group_curves_figure([low, high], setting="epochs", metric="val_loss"))
    assert meta(fig)["summary"] == (
        "Mean validation loss at each group's last epoch, by epochs: 1 0.40 at epoch 2; "
        "2 0.60 at epoch 2; the best: epochs = 1."
    )


@pytest.mark.parametrize("value", [None, True, False, 0.001, 1e-05, 3, 0.5, "adam", [0.9, 1.1]])
def test_a_value_reads_as_the_engine_writes_it(value):
    assert value_text(value) == value_label(value)  # figures import no compute module
