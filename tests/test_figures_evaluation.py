"""Confusion matrix, per-class scores, mistakes and a cell's images, against metrics
computed by hand."""

import numpy as np
import pytest

from cnnviz.evaluate import Evaluation, cell_images, mistakes
from cnnviz.figures.colors import PREDICTED_COLOR, WRONG_COLOR
from cnnviz.figures.evaluation import (
    cell_images_figure,
    confusion_matrix_figure,
    mistakes_figure,
    per_class_metrics_figure,
)
from cnnviz.metrics import classification_metrics
from tests.helpers_figures import RNG, decoded, notes, shrunk, valid

Y_TRUE = [0, 0, 0, 1, 1, 2, 2, 2]


Y_PRED = [0, 0, 1, 1, 1, 2, 0, 2]


def test_confusion_matrix_is_one_clickable_square_per_cell_with_counts_and_row_shares():
    metrics = classification_metrics(Y_TRUE, Y_PRED, ["cat", "dog", "fox"])
    fig = valid(confusion_matrix_figure(metrics))
    (trace,) = fig.data
    assert trace.type == "scatter" and trace.marker.symbol == "square"  # clicks select points
    matrix = np.zeros((3, 3))
    matrix[list(trace.y), list(trace.x)] = trace.marker.color
    np.testing.assert_array_equal(matrix, [[2, 1, 0], [0, 2, 0], [1, 0, 2]])
    assert trace.text[6] == "1" and (trace.y[6], trace.x[6]) == (2, 0)  # row-major
    custom = np.asarray(trace.customdata, dtype=float)
    np.testing.assert_allclose(custom[6], [2, 0, 1, 1 / 3])  # true fox, predicted cat
    assert isinstance(trace.customdata[6], (list, tuple))  # not a dict in the browser
    assert trace.hovertext[6] == "true fox, predicted cat"
    assert (
        list(fig.layout.xaxis.ticktext) == list(fig.layout.yaxis.ticktext) == ["cat", "dog", "fox"]
    )
    assert fig.layout.yaxis.range == (2.5, -0.5)  # the first true class at the top
    assert fig.layout.xaxis.title.text == "predicted class"
    assert fig.layout.yaxis.title.text == "true class"
    assert fig.layout.title.text == "Confusion matrix (counts), accuracy 75.0%"
    # the squares fill the cells of the fixed-size plot area
    side = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    assert trace.marker.size == pytest.approx(side / 3 * 0.95)
    assert trace.unselected.marker.opacity == 1 and not fig.layout.shapes
    fig = valid(confusion_matrix_figure(metrics, normalized=True, picked=(2, 0)))
    np.testing.assert_allclose(fig.data[0].marker.color[:3], [2 / 3, 1 / 3, 0])
    assert fig.data[0].text[0] == "67%" and fig.data[0].marker.cmax == 1
    (outline,) = fig.layout.shapes
    assert (outline.name, outline.x0, outline.x1, outline.y0, outline.y1) == (
        "picked",
        -0.5,
        0.5,
        1.5,
        2.5,
    )
    names = [str(i) for i in range(30)]
    wide = confusion_matrix_figure(classification_metrics([0, 29], [0, 1], names))
    assert wide.data[0].text is None and len(wide.data[0].x) == 900  # 30 classes: colour only


def test_cell_images_figure_shows_each_image_beside_its_grad_cam_with_its_top_classes():
    images = RNG.integers(0, 255, size=(8, 6, 6, 1), dtype=np.uint8)
    probabilities = np.eye(3)[Y_PRED] * 0.8 + 0.2 / 3
    metrics = classification_metrics(Y_TRUE, Y_PRED, ["cat", "dog", "fox"])
    answers = Evaluation(probabilities, probabilities, np.array(Y_PRED), metrics)
    wrong = cell_images(
        images, np.array(Y_TRUE), answers, ["cat", "dog", "fox"], true=2, predicted=0
    )
    heat = RNG.random((6, 6))
    fig = valid(cell_images_figure(wrong, [heat], title="fox taken for cat"))
    assert [t.name for t in fig.data] == ["test image 6", "6 under Grad-CAM", "Grad-CAM 6"]
    np.testing.assert_array_equal(shrunk(decoded(fig.data[0]), (6, 6))[..., 0], images[6, ..., 0])
    np.testing.assert_allclose(fig.data[2].z, heat)
    assert fig.data[2].x0 > fig.data[1].x0 - 1 and fig.data[2].zmax == 1
    texts = notes(fig)
    assert "test image 6, true <b>fox</b>" in texts
    assert "cat: 86.7%" in texts and "<b>fox</b>: 6.7%" in texts
    answer = next(a for a in fig.layout.annotations if a.text == "cat: 86.7%")
    assert answer.font.color == WRONG_COLOR
    right = cell_images(
        images, np.array(Y_TRUE), answers, ["cat", "dog", "fox"], true=1, predicted=1
    )
    fig = valid(cell_images_figure(right, [heat, heat], title="dog"))
    assert len(fig.data) == 6
    answer = next(a for a in fig.layout.annotations if a.text == "<b>dog</b>: 86.7%")
    assert answer.font.color == PREDICTED_COLOR
    empty = valid(cell_images_figure([], [], title="none"))
    assert empty.data == () and "No test images" in notes(empty)[0]


def test_per_class_metrics_figure_has_precision_recall_and_f1_bars():
    metrics = classification_metrics(Y_TRUE, Y_PRED, ["cat", "dog", "fox"])
    fig = valid(per_class_metrics_figure(metrics))
    assert [t.name for t in fig.data] == ["precision", "recall", "F1"]
    np.testing.assert_allclose(fig.data[0].y, [2 / 3, 2 / 3, 1])
    np.testing.assert_allclose(fig.data[1].y, [2 / 3, 1, 2 / 3])
    np.testing.assert_allclose(fig.data[2].y, [2 / 3, 0.8, 0.8])
    assert list(fig.data[0].customdata) == [3, 2, 3]  # support
    assert fig.layout.title.text == "Per-class scores, accuracy 75.0%"


def test_mistakes_figure_captions_each_image_true_and_predicted():
    images = RNG.integers(0, 255, size=(8, 6, 6, 1), dtype=np.uint8)
    probabilities = np.eye(3)[Y_PRED] * 0.8 + 0.2 / 3
    metrics = classification_metrics(Y_TRUE, Y_PRED, ["cat", "dog", "fox"])
    answers = Evaluation(probabilities, probabilities, np.array(Y_PRED), metrics)
    found = mistakes(images, np.array(Y_TRUE), answers, ["cat", "dog", "fox"])
    fig = valid(mistakes_figure(found))
    assert [t.name for t in fig.data] == ["mistake 2", "mistake 6"]
    assert "true <b>cat</b>" in notes(fig) and "→ dog (87%)" in notes(fig)
    pixels = shrunk(decoded(fig.data[1]), (6, 6))
    np.testing.assert_array_equal(pixels[..., 0], images[6, ..., 0])
    assert "fox: 6.7%" in fig.data[0].hovertemplate
    fig = valid(mistakes_figure(found, max_images=1))
    assert len(fig.data) == 1 and fig.layout.title.text.startswith("Mistakes: 1 of 2")
    empty = valid(mistakes_figure([]))
    assert empty.data == () and "every image was classified correctly" in notes(empty)[0]
