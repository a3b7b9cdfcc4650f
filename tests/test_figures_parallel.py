"""Parallel coordinates: every run one line through its settings to its test accuracy,
with a one-sentence summary and its numbers as a table (`alt.text_of`)."""

import numpy as np
import pytest

from cnnviz.figures.alt import text_of
from cnnviz.figures.parallel import parallel_coordinates_figure
from tests.helpers_figures import valid


def meta(fig) -> dict:
    """The figure's text alternative, as the page reads it (names as typed)."""
    said, table = text_of(fig)
    return {"summary": said, "table": table}


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
        "the best run, bob (95.0%), had learning_rate = 0.1, optimizer = sgd; "
        "1 run not tested yet."
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
