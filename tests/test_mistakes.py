"""The images a model got wrong: by hand on a model whose weights are set by hand, and
against Keras's own probabilities, its cross-entropy and the confusion matrix."""

import numpy as np
import pytest

from cnnviz.data import rescale
from cnnviz.errors import CnnvizError
from cnnviz.evaluate import Evaluation, evaluate
from cnnviz.metrics import class_probabilities, classification_metrics, predicted_classes
from cnnviz.mistakes import EPSILON, cell_images, image_losses, mistakes, most_confused
from tests.helpers_inspect import BRIGHT, Y_TRUE, pixel_images, trained_digits


def test_mistakes_by_hand_and_one_confusion_matrix_cell(pixel_model):
    images = pixel_images(BRIGHT)
    answers = evaluate(pixel_model, images, Y_TRUE, ["a", "b", "c"])
    found = mistakes(images, Y_TRUE, answers, ["a", "b", "c"])
    assert [(m.index, m.true_name, m.predicted_name) for m in found] == [
        (2, "a", "b"),
        (6, "c", "a"),
    ]
    cell = mistakes(images, Y_TRUE, answers, ["a", "b", "c"], true="c", predicted=0)
    assert [m.index for m in cell] == [6]
    np.testing.assert_array_equal(cell[0].image, images[6])
    assert [s.name for s in cell[0].top] == ["a", "c", "b"]  # the tie goes to the later class
    assert cell[0].confidence == pytest.approx(np.exp(10) / (np.exp(10) + 2), rel=1e-5)
    assert mistakes(images, Y_TRUE, answers, ["a", "b", "c"], true=1) == []
    with pytest.raises(CnnvizError, match="class index 0..2 or a class name.*'z'"):
        mistakes(images, Y_TRUE, answers, ["a", "b", "c"], predicted="z")


def test_mistakes_come_worst_first_and_obey_the_limit():
    probabilities = np.array([[0.4, 0.6], [0.1, 0.9], [0.9, 0.1], [0.3, 0.7]])
    y_true = np.array([0, 0, 0, 0])
    predicted = predicted_classes(probabilities)
    answers = Evaluation(
        probabilities,
        probabilities,
        predicted,
        classification_metrics(y_true, predicted, ["x", "y"]),
    )
    found = mistakes(np.zeros((4, 1, 1, 1)), y_true, answers, ["x", "y"], top_k=1, limit=2)
    assert [m.index for m in found] == [1, 3]
    assert [len(m.top) for m in found] == [1, 1]


def keras_losses(labels: np.ndarray, outputs: np.ndarray) -> np.ndarray:
    """Each image's loss by Keras's own loss function (the one training used)."""
    import keras

    if outputs.shape[-1] == 1:
        return np.asarray(
            keras.losses.binary_crossentropy(labels[:, None].astype("float32"), outputs)
        )
    return np.asarray(keras.losses.sparse_categorical_crossentropy(labels, outputs))


def test_mistakes_of_a_trained_model_against_keras_and_the_confusion_matrix():
    model, _, dataset, _ = trained_digits()
    names = list(dataset.info.class_names)
    images, labels = rescale(dataset.test.images), dataset.test.labels
    result = evaluate(model, images, labels, names)
    outputs = model.predict(images, verbose=0)  # Keras's own probabilities
    found = mistakes(dataset.test.images, labels, result, names)
    matrix = result.metrics.confusion_matrix
    assert len(found) == matrix.sum() - np.trace(matrix)
    losses = keras_losses(labels, outputs)
    for m in found:
        assert m.true == labels[m.index] and m.predicted == outputs[m.index].argmax()
        assert m.p_true == pytest.approx(outputs[m.index, m.true], abs=1e-6)
        assert m.confidence == pytest.approx(outputs[m.index].max(), abs=1e-6)
        assert m.loss == pytest.approx(losses[m.index], rel=1e-4, abs=1e-5)
    assert [m.loss for m in found] == sorted((m.loss for m in found), reverse=True)
    pairs = most_confused(result.metrics)
    assert sum(p.count for p in pairs) == len(found)
    assert [p.count for p in pairs] == sorted((p.count for p in pairs), reverse=True)
    for pair in pairs:
        assert pair.count == matrix[pair.true, pair.predicted] and pair.true != pair.predicted
        cell = mistakes(
            dataset.test.images,
            labels,
            result,
            names,
            true=pair.true_name,
            predicted=str(pair.predicted),
        )  # a name, and an index as the CLI sends it
        assert len(cell) == pair.count
    first = found[0].to_dict()
    assert set(first) == {"index", "true", "predicted", "p_true", "confidence", "loss", "top"}
    assert first["top"][0] == {"class": first["predicted"], "probability": first["confidence"]}
    assert most_confused(result.metrics, true=pairs[0].true, limit=1)[0] == pairs[0]


def test_a_cell_gives_mistakes_most_confident_first_and_correct_answers_least_confident_first():
    probabilities = np.array(
        [
            [0.2, 0.7, 0.1],
            [0.45, 0.5, 0.05],
            [0.9, 0.05, 0.05],
            [0.6, 0.4, 0.0],
            [0.1, 0.8, 0.1],
            [0.0, 0.1, 0.9],
        ]
    )
    y_true = np.array([0, 0, 0, 0, 0, 2])
    predicted = predicted_classes(probabilities)
    answers = Evaluation(
        probabilities,
        probabilities,
        predicted,
        classification_metrics(y_true, predicted, ["a", "b", "c"]),
    )
    images = np.zeros((6, 1, 1, 1))
    wrong = cell_images(images, y_true, answers, ["a", "b", "c"], true="a", predicted="b")
    assert [m.index for m in wrong] == [4, 0, 1]  # confidence 0.8, 0.7, 0.5
    # by loss: p_true 0.1 (image 4), 0.2 (image 0), 0.45 (image 1): the same order here,
    # but image 1's 0.5 confidence with its true class at 0.45 is the mildest mistake.
    by_loss = mistakes(images, y_true, answers, ["a", "b", "c"])
    assert [m.index for m in by_loss] == [4, 0, 1]
    right = cell_images(images, y_true, answers, ["a", "b", "c"], true=0, predicted=0)
    assert [m.index for m in right] == [3, 2] and all(m.correct for m in right)
    assert right[0].confidence == pytest.approx(0.6) and right[0].loss == pytest.approx(
        -np.log(0.6)
    )
    sure = cell_images(images, y_true, answers, ["a", "b", "c"], true=2, predicted=2)
    assert sure[0].loss == pytest.approx(-np.log(0.9))
    assert image_losses(np.array([0.0]))[0] == pytest.approx(-np.log(EPSILON))  # finite
    pairs = most_confused(answers.metrics)
    assert [(p.true_name, p.predicted_name, p.count) for p in pairs] == [("a", "b", 3)]
    assert pairs[0].to_dict() == {"true": "a", "predicted": "b", "count": 3}
    with pytest.raises(CnnvizError, match="order must be one of loss, confidence"):
        mistakes(images, y_true, answers, ["a", "b", "c"], order="worst")


def test_loss_ranks_differently_from_confidence_and_binary_models_alike():
    # image 0: answer 0.5, true class 0.05 (loss 3.0); image 1: answer 0.9, true 0.1 (2.3)
    probabilities = np.array([[0.05, 0.5, 0.45], [0.1, 0.9, 0.0]])
    y_true = np.array([0, 0])
    predicted = predicted_classes(probabilities)
    answers = Evaluation(
        probabilities,
        probabilities,
        predicted,
        classification_metrics(y_true, predicted, ["a", "b", "c"]),
    )
    images = np.zeros((2, 1, 1, 1))
    assert [m.index for m in mistakes(images, y_true, answers, ["a", "b", "c"])] == [0, 1]
    by_confidence = mistakes(images, y_true, answers, ["a", "b", "c"], order="confidence")
    assert [m.index for m in by_confidence] == [1, 0]
    # A one-unit sigmoid head: p_true is 1 - p for class 0, and the loss is Keras's BCE.
    outputs = np.array([[0.8], [0.3], [0.999], [0.5]], np.float32)
    labels = np.array([0, 1, 0, 0])
    guess = predicted_classes(outputs)
    binary = Evaluation(
        outputs,
        class_probabilities(outputs),
        guess,
        classification_metrics(labels, guess, ["cat", "dog"]),
    )
    found = mistakes(np.zeros((4, 1, 1, 1)), labels, binary, ["cat", "dog"])
    assert [m.index for m in found] == [2, 0, 1, 3]  # p_true 0.001, 0.2, 0.3, 0.5
    expected = keras_losses(labels, outputs)
    np.testing.assert_allclose([m.loss for m in found], expected[[2, 0, 1, 3]], rtol=1e-4)
    assert found[0].p_true == pytest.approx(0.001, abs=1e-6)


def test_a_large_cell_builds_only_the_records_it_shows(monkeypatch):
    """A CIFAR-10 diagonal cell holds ~1,000 images; a page shows 12: only 12 records
    are built (the cell's count comes from the confusion matrix)."""
    import cnnviz.mistakes as module

    rng = np.random.default_rng(0)
    probabilities = rng.dirichlet([5, 1], size=1000)
    y_true = np.zeros(1000, np.int64)
    predicted = predicted_classes(probabilities)
    answers = Evaluation(
        probabilities,
        probabilities,
        predicted,
        classification_metrics(y_true, predicted, ["x", "y"]),
    )
    built = []
    real = module.Mistake

    class Counted(real):
        def __init__(self, *args):
            built.append(args[0])
            super().__init__(*args)

    monkeypatch.setattr(module, "Mistake", Counted)
    shown = cell_images(
        np.zeros((1000, 1, 1, 1)), y_true, answers, ["x", "y"], true=0, predicted=0, limit=12
    )
    in_cell = int(answers.metrics.confusion_matrix[0, 0])
    assert in_cell > 900 and len(shown) == 12 and len(built) == 12
    ranked = np.flatnonzero(predicted == 0)
    least_sure = ranked[np.argsort(probabilities[ranked, 0], kind="stable")][:12]
    assert [m.index for m in shown] == list(least_sure)
