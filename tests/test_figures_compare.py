"""Figures of two runs compared: what is drawn where, re-validated by plotly."""

import numpy as np

from cnnviz.compare import Disagreement
from cnnviz.figures.colors import RIGHT_COLOR, RUN_A_COLOR, RUN_B_COLOR, WRONG_COLOR
from cnnviz.figures.compare import (
    compare_curves,
    confusion_diff_figure,
    disagreements_figure,
    per_class_change_figure,
)
from cnnviz.metrics import ClassScore
from tests.helpers_figures import decoded, notes, shrunk, valid

A = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.6, 0.5], "accuracy": [0.6, 0.8, 0.9]}
A["val_accuracy"] = [0.55, 0.75, 0.8]
B = {"loss": [0.9, 0.4], "val_loss": [1.0, 0.45], "accuracy": [0.65, 0.85]}
B["val_accuracy"] = [0.6, 0.82]


def test_curves_of_both_runs_are_overlaid_in_their_colours():
    fig = valid(compare_curves([A, B]))
    drawn = {(t.name, t.yaxis): list(t.y) for t in fig.data}
    assert drawn[("A validation", "y")] == A["val_loss"]
    assert drawn[("B training", "y2")] == B["accuracy"]
    assert len(drawn) == 8
    colours = {t.name: t.line.color for t in fig.data}
    assert colours["A validation"] == colours["A training"] == RUN_A_COLOR
    assert colours["B validation"] == RUN_B_COLOR
    assert {t.line.dash for t in fig.data if "training" in t.name} == {"dot"}
    assert list(next(t for t in fig.data if t.name == "B training").x) == [1, 2]
    assert notes(fig) == ["<b>Loss</b>", "<b>Accuracy</b>"]


def test_a_loss_that_blew_up_does_not_flatten_the_other_curves():
    blown = {**A, "loss": [348.0, 2.3, 2.3]}
    fig = valid(compare_curves([blown, B]))
    top = fig.layout.yaxis.range[1]
    losses = [*blown["loss"], *A["val_loss"], *B["loss"], *B["val_loss"]]
    assert top == 5 * np.median(losses)
    assert any("off the chart" in text for text in notes(fig))
    assert valid(compare_curves([A, B])).layout.yaxis.range is None


def test_the_confusion_difference_is_coloured_by_what_it_means_for_b():
    diff = np.array([[2, -2, 0], [0, 0, 0], [1, 0, -1]])
    fig = valid(confusion_diff_figure(diff, ["cat", "dog", "fox"]))
    (trace,) = fig.data
    better = np.array(trace.z)
    assert better[0, 0] == 2 and better[0, 1] == 2  # one more right, one fewer mistake
    assert better[2, 0] == -1 and better[2, 2] == -1  # one more mistake, one fewer right
    assert [list(row) for row in trace.text] == [["+2", "-2", ""], ["", "", ""], ["+1", "", "-1"]]
    assert (trace.zmin, trace.zmax) == (-2, 2)
    assert "B minus A" in fig.layout.title.text


def test_per_class_accuracy_of_both_runs_side_by_side():
    per_class = np.array([[0.5, 1.0], [0.75, 0.9]])
    fig = valid(per_class_change_figure(per_class, ["x", "y"]))
    assert [t.name for t in fig.data] == ["A", "B"]
    assert list(fig.data[1].y) == [0.75, 0.9]
    np.testing.assert_allclose(fig.data[0].customdata, [25.0, -10.0])
    assert [t.marker.color for t in fig.data] == [RUN_A_COLOR, RUN_B_COLOR]


def test_each_disagreement_shows_the_image_and_both_answers():
    image = np.zeros((8, 8, 1), np.uint8)
    image[2:6, 3] = 255
    items = [
        Disagreement(7, image, "1", ClassScore(7, "7", 0.8), ClassScore(1, "1", 0.6)),
        Disagreement(9, image, "2", ClassScore(2, "2", 0.9), ClassScore(3, "3", 0.55)),
    ]
    fig = valid(disagreements_figure(items, total=5))
    assert [t.name for t in fig.data] == ["test image 7", "test image 9"]
    np.testing.assert_array_equal(shrunk(decoded(fig.data[0]), (8, 8))[..., 0], image[..., 0])
    captions = {a.text: a.font.color for a in fig.layout.annotations}
    assert captions["A: 7 (80%) ✗"] == WRONG_COLOR and captions["B: 1 (60%) ✓"] == RIGHT_COLOR
    assert captions["A: 2 (90%) ✓"] == RIGHT_COLOR and "true <b>2</b>" in captions
    assert fig.layout.title.text == "Test images the two answer differently: 5 (the first 2)"
    empty = valid(disagreements_figure([]))
    assert notes(empty) == ["The two runs give the same answer on every test image"]
