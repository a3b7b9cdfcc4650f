"""Test metrics against values worked out by hand, and the evaluate --json document."""

import json

import numpy as np
import pytest

from cnnviz.errors import CnnvizError
from cnnviz.metrics import (
    ClassificationMetrics,
    class_probabilities,
    classification_metrics,
    predicted_classes,
)

NAMES = ("cat", "dog", "fox")
# true:  cat cat dog fox fox fox
# pred:  cat dog dog fox cat fox
Y_TRUE = [0, 0, 1, 2, 2, 2]
Y_PRED = [0, 1, 1, 2, 0, 2]


def test_hand_computed_example():
    m = classification_metrics(Y_TRUE, Y_PRED, NAMES)
    assert m.accuracy == pytest.approx(4 / 6)
    assert m.class_names == NAMES
    np.testing.assert_array_equal(m.confusion_matrix, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert m.confusion_matrix.dtype.kind == "i"
    # precision = correct / predicted as the class; recall = correct / truly the class
    np.testing.assert_allclose(m.precision, [1 / 2, 1 / 2, 2 / 2])
    np.testing.assert_allclose(m.recall, [1 / 2, 1 / 1, 2 / 3])
    np.testing.assert_allclose(m.f1, [0.5, 2 * 0.5 * 1 / 1.5, 2 * 1 * (2 / 3) / (5 / 3)])
    np.testing.assert_array_equal(m.support, [2, 1, 3])


def test_normalized_rows_and_an_absent_class():
    m = classification_metrics([0, 0, 2], [0, 2, 2], NAMES)  # no dog at all
    np.testing.assert_allclose(m.normalized(), [[0.5, 0, 0.5], [0, 0, 0], [0, 0, 1]])
    assert m.support[1] == 0 and m.precision[1] == 0 and m.recall[1] == 0
    assert m.confusion_matrix.shape == (3, 3)


def test_empty_input_gives_zeros():
    m = classification_metrics([], [], NAMES)
    assert m.accuracy == 0.0
    assert m.confusion_matrix.sum() == 0
    np.testing.assert_array_equal(m.normalized(), np.zeros((3, 3)))


def test_document_matches_design_and_round_trips():
    m = classification_metrics(Y_TRUE, Y_PRED, NAMES)
    doc = json.loads(json.dumps(m.to_dict()))  # plain JSON types only
    assert set(doc) == {"test_accuracy", "class_names", "confusion_matrix", "per_class"}
    assert doc["confusion_matrix"] == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert doc["per_class"][2] == {
        "precision": 1.0,
        "recall": pytest.approx(2 / 3),
        "f1": pytest.approx(0.8),
        "support": 3,
    }
    back = ClassificationMetrics.from_dict(doc)
    assert back.to_dict() == m.to_dict()
    assert back.support.dtype.kind == "i"


@pytest.mark.parametrize(
    "doc, words",
    [
        ({"class_names": ["a"]}, "test_accuracy"),
        (
            {
                "test_accuracy": 1,
                "class_names": ["a", "b"],
                "confusion_matrix": [[1]],
                "per_class": [{"precision": 1, "recall": 1, "f1": 1, "support": 1}],
            },
            "2 class names",
        ),
    ],
)
def test_from_dict_refuses_broken_documents(doc, words):
    with pytest.raises(CnnvizError, match=words):
        ClassificationMetrics.from_dict(doc)


def test_mismatched_or_out_of_range_labels_are_refused():
    with pytest.raises(CnnvizError, match="same length"):
        classification_metrics([0, 1], [0], NAMES)
    with pytest.raises(CnnvizError, match="outside 0..2"):
        classification_metrics([0, 3], [0, 1], NAMES)


def test_predicted_classes_softmax_and_sigmoid():
    softmax = np.array([[0.1, 0.7, 0.2], [0.6, 0.3, 0.1]])
    np.testing.assert_array_equal(predicted_classes(softmax), [1, 0])
    sigmoid = np.array([[0.5], [0.49], [0.93]])
    np.testing.assert_array_equal(predicted_classes(sigmoid), [1, 0, 1])
    np.testing.assert_array_equal(predicted_classes(np.array([0.2, 0.8])), [0, 1])
    assert predicted_classes(softmax).dtype == np.int64
    with pytest.raises(CnnvizError, match="shape"):
        predicted_classes(np.zeros((2, 3, 4)))


def test_one_sigmoid_unit_gives_two_class_probabilities_with_the_half_threshold():
    outputs = np.array([[0.2], [0.5], [0.9]])
    probabilities = class_probabilities(outputs)
    np.testing.assert_allclose(probabilities, [[0.8, 0.2], [0.5, 0.5], [0.1, 0.9]])
    np.testing.assert_array_equal(predicted_classes(outputs), [0, 1, 1])
