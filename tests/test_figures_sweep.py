"""Figures of a sweep: grouped results, group curves, parallel coordinates; each with a
one-sentence summary and its numbers as a table in `layout.meta`."""

import numpy as np
import pytest

from cnnviz.figures.sweep import (
    group_curves_figure,
    grouped_results_figure,
    parallel_coordinates_figure,
)
from cnnviz.grouping import Group
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
    return fig.layout.meta


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
        "learning_rate = 0.01."
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
        "Mean validation accuracy after the last epoch, by learning_rate: 0.001 81.0%, 0.01 90.0%."
    )
    rows = meta(fig)["table"]
    assert rows[-1] == {"learning_rate": "0.01", "epoch": 3, "mean validation accuracy": None}
    loss = valid(group_curves_figure([LOW], setting="lr", metric="val_loss"))
    assert meta(loss)["summary"] == "No run grouped by lr has finished an epoch yet."


def test_parallel_coordinates_draw_every_tested_run():
    rows = [
        {"run_id": "r1", "label": "ada", "learning_rate": 0.001, "optimizer": "adam",
         "test_accuracy": 0.8},
        {"run_id": "r2", "label": "bob", "learning_rate": 0.1, "optimizer": "sgd",
         "test_accuracy": 0.95},
        {"run_id": "r3", "label": "cy", "learning_rate": 0.01, "optimizer": "<i>x</i>",
         "test_accuracy": None},
    ]  # fmt: skip
    fig = valid(parallel_coordinates_figure(rows, ["learning_rate", "optimizer"]))
    lr, optimizer, accuracy = fig.data[0].dimensions
    np.testing.assert_allclose(lr.values, [-3, -1])  # 100 times apart: log10
    assert list(lr.ticktext) == ["0.001", "0.1"]
    assert list(optimizer.values) == [0, 1] and list(optimizer.ticktext) == ["adam", "sgd"]
    assert list(accuracy.values) == [0.8, 0.95]
    assert list(fig.data[0].line.color) == [0.8, 0.95]
    assert meta(fig)["summary"] == (
        "2 runs over learning_rate, optimizer: test accuracy from 80.0% to 95.0%; "
        "the best run (bob) had learning_rate = 0.1, optimizer = sgd."
    )
    assert [r["run"] for r in meta(fig)["table"]] == ["r1", "r2", "r3"]
    none = valid(parallel_coordinates_figure(rows[2:], ["optimizer"]))
    assert meta(none)["summary"] == "No run has a test accuracy yet."


@pytest.mark.parametrize("value", [True, 3, 0.5])
def test_a_single_value_still_gets_an_axis(value):
    rows = [{"run_id": "r", "x": value, "test_accuracy": 0.5}]
    fig = valid(parallel_coordinates_figure(rows, ["x"]))
    low, high = fig.data[0].dimensions[0].range
    assert low < high


def test_any_setting_of_a_run_can_be_an_axis():
    rows = [
        {"run_id": "r1", "zoom": [0.9, 1.1], "limit": None, "test_accuracy": 0.5},
        {"run_id": "r2", "zoom": [1.0, 1.0], "limit": 300, "test_accuracy": 0.7},
    ]
    fig = valid(parallel_coordinates_figure(rows, ["zoom", "limit"]))
    zoom, limit, _ = fig.data[0].dimensions
    assert list(zoom.ticktext) == ["[0.9, 1.1]", "[1.0, 1.0]"]
    assert list(limit.ticktext) == ["300", "none"] and list(limit.values) == [1, 0]
