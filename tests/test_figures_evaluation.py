"""Confusion matrix, per-class scores and mistakes, against metrics computed by hand."""

import numpy as np

from cnnviz.evaluate import Evaluation, mistakes
from cnnviz.figures.evaluation import (
    confusion_matrix_figure,
    mistakes_figure,
    per_class_metrics_figure,
)
from cnnviz.metrics import classification_metrics
from tests.helpers_figures import RNG, decoded, notes, shrunk, valid

Y_TRUE = [0, 0, 0, 1, 1, 2, 2, 2]


Y_PRED = [0, 0, 1, 1, 1, 2, 0, 2]


def test_confusion_matrix_figure_counts_and_row_shares_with_class_names():
    metrics = classification_metrics(Y_TRUE, Y_PRED, ["cat", "dog", "fox"])
    fig = valid(confusion_matrix_figure(metrics))
    (trace,) = fig.data
    np.testing.assert_array_equal(trace.z, [[2, 1, 0], [0, 2, 0], [1, 0, 2]])
    assert list(trace.x) == list(trace.y) == ["cat", "dog", "fox"]
    assert trace.text[2][0] == "1"
    custom = np.asarray(trace.customdata, dtype=float)
    np.testing.assert_allclose(custom[2, 0], [2, 0, 1, 1 / 3])  # true fox, predicted cat
    assert fig.layout.xaxis.title.text == "predicted class"
    assert fig.layout.yaxis.title.text == "true class"
    assert fig.layout.title.text == "Confusion matrix (counts), accuracy 75.0%"
    fig = valid(confusion_matrix_figure(metrics, normalized=True))
    np.testing.assert_allclose(fig.data[0].z, [[2 / 3, 1 / 3, 0], [0, 1, 0], [1 / 3, 0, 2 / 3]])
    assert fig.data[0].text[0][0] == "67%" and fig.data[0].zmax == 1
    names = [str(i) for i in range(30)]
    wide = confusion_matrix_figure(classification_metrics([0, 29], [0, 1], names))
    assert wide.data[0].text is None  # 30 classes: colour only


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
