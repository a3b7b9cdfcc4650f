"""Figures of several runs compared: curves overlaid, per-class accuracy side by side;
each with a one-sentence summary and its numbers as a table (`alt.text_of`)."""

import numpy as np

from cnnviz.figures.alt import text_of
from cnnviz.figures.compare_many import per_class_runs_figure, runs_curves_figure
from tests.helpers_figures import traces, valid

HISTORIES = [
    {"loss": [1.0, 0.5], "accuracy": [0.6, 0.8], "val_loss": [1.1, 0.6],
     "val_accuracy": [0.5, 0.75]},
    {"loss": [0.9, 0.4], "accuracy": [0.7, 0.9], "val_loss": [1.0, 0.5],
     "val_accuracy": [0.6, 0.85]},
    {"loss": [0.8], "accuracy": [0.7], "val_loss": [0.9], "val_accuracy": [0.65]},
]  # fmt: skip
LABELS = ["<b>ada</b>: run-1", "bob: run-2", "run-3"]


def test_curves_of_several_runs_are_overlaid_each_in_its_colour():
    fig = valid(runs_curves_figure(HISTORIES, LABELS))
    assert len(fig.data) == 3 * 4
    first = traces(fig, "&lt;b&gt;ada&lt;/b&gt;: run-1 validation")
    assert [list(t.y) for t in first] == [[1.1, 0.6], [0.5, 0.75]]
    colours = {t.line.color for t in traces(fig, "bob")}
    assert len(colours) == 1 and colours != {t.line.color for t in first}
    said, rows = text_of(fig)
    assert said == (
        "Validation accuracy of 3 runs, each at its last epoch: <b>ada</b>: run-1 75.0% "
        "(epoch 2), bob: run-2 85.0% (epoch 2), run-3 65.0% (epoch 1); highest: bob: run-2 "
        "(85.0%)."
    )
    assert len(rows) == 2 + 2 + 1  # the columns of `training.history_rows`, as for two runs
    assert rows[-1] == {
        "run": "run-3",
        "epoch": 1,
        "loss": 0.8,
        "accuracy": 0.7,
        "validation loss": 0.9,
        "validation accuracy": 0.65,
    }
    same = text_of(runs_curves_figure(HISTORIES[:2], LABELS[:2])).summary
    assert same.startswith("Validation accuracy of 2 runs, each after 2 epochs: <b>ada</b>")


def test_curves_before_an_epoch_say_so():
    fig = valid(runs_curves_figure([{}, {}], ["a", "b"]))
    assert text_of(fig).summary == "None of the 2 runs has finished an epoch yet."
    one = valid(runs_curves_figure([HISTORIES[2], {}], ["a", "b"]))
    assert text_of(one).summary.endswith("; no finished epoch yet: b.")


def test_per_class_accuracy_of_several_runs_side_by_side():
    per_class = np.array([[0.9, 0.5, 1.0], [0.8, 0.7, 1.0], [0.85, 0.2, 0.95]])
    names = ["cat", "<i>dog</i>", "bird"]
    fig = valid(per_class_runs_figure(per_class, names, LABELS))
    assert [t.name for t in fig.data] == ["&lt;b&gt;ada&lt;/b&gt;: run-1", "bob: run-2", "run-3"]
    assert list(fig.data[0].x) == ["cat", "&lt;i&gt;dog&lt;/i&gt;", "bird"]
    np.testing.assert_allclose([list(t.y) for t in fig.data], per_class)
    said, table = text_of(fig)
    assert said == (
        "Accuracy on each class's test images in 3 runs: <b>ada</b>: run-1 best on bird "
        "(100.0%), worst on <i>dog</i> (50.0%); bob: run-2 best on bird (100.0%), worst on "
        "<i>dog</i> (70.0%); run-3 best on bird (95.0%), worst on <i>dog</i> (20.0%); the "
        "runs differ most on <i>dog</i> (from 20.0% to 70.0%)."
    )
    assert len(table) == 9
    assert table[4] == {"class": "<i>dog</i>", "run": "bob: run-2", "accuracy": 0.7}
