"""A model's answers on labelled images: metrics, mistakes, a run's test split.

Oracles: scikit-learn's metrics on Keras's own predictions, and values computed by hand
on a model whose weights are set by hand."""

import numpy as np
import pytest
from sklearn import metrics as skm

from cnnviz.build import build_model
from cnnviz.data import load_dataset, rescale
from cnnviz.errors import CnnvizError
from cnnviz.evaluate import (
    EPSILON,
    Evaluation,
    cell_images,
    evaluate,
    image_losses,
    mistakes,
    most_confused,
    run_test_split,
)
from cnnviz.metrics import class_probabilities, classification_metrics, predicted_classes
from cnnviz.spec import ModelSpec
from tests.helpers_inspect import save_run, trained_digits


@pytest.fixture(scope="module")
def pixel_model():
    """2x2 images -> Flatten -> Dense(3, softmax), logits 10 * pixel k for class k."""
    spec = ModelSpec.from_dict(
        {
            "input_shape": [2, 2, 1],
            "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 3, "activation": "softmax"}],
        }
    )
    model = build_model(spec)
    kernel = np.zeros((4, 3), np.float32)
    kernel[[0, 1, 2], [0, 1, 2]] = 10.0
    model.get_layer("dense").set_weights([kernel, np.zeros(3, np.float32)])
    return model


def pixel_images(bright: list[int]) -> np.ndarray:
    images = np.zeros((len(bright), 2, 2, 1), np.float32)
    for i, k in enumerate(bright):
        images[i].reshape(-1)[k] = 1.0
    return images


Y_TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2])


BRIGHT = [0, 0, 1, 1, 1, 2, 0, 2]  # what the model predicts for each image


def test_evaluation_matches_the_confusion_matrix_and_metrics_computed_by_hand(pixel_model):
    result = evaluate(pixel_model, pixel_images(BRIGHT), Y_TRUE, ["a", "b", "c"])
    np.testing.assert_array_equal(result.predicted, BRIGHT)
    m = result.metrics
    np.testing.assert_array_equal(m.confusion_matrix, [[2, 1, 0], [0, 2, 0], [1, 0, 2]])
    assert m.accuracy == pytest.approx(6 / 8)
    np.testing.assert_allclose(m.precision, [2 / 3, 2 / 3, 1.0])
    np.testing.assert_allclose(m.recall, [2 / 3, 1.0, 2 / 3])
    np.testing.assert_allclose(m.f1, [2 / 3, 0.8, 0.8])
    np.testing.assert_array_equal(m.support, [3, 2, 3])
    np.testing.assert_allclose(m.normalized(), [[2 / 3, 1 / 3, 0], [0, 1, 0], [1 / 3, 0, 2 / 3]])
    assert m.class_names == ("a", "b", "c")
    big, small = np.exp(10) / (np.exp(10) + 2), 1 / (np.exp(10) + 2)
    np.testing.assert_allclose(result.probabilities[2], [small, big, small], rtol=1e-5)


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


def test_evaluation_of_a_trained_model_agrees_with_sklearn_on_keras_predictions():
    model, _, dataset, _ = trained_digits()
    images, labels = rescale(dataset.test.images), dataset.test.labels
    result = evaluate(model, images, labels, list(dataset.info.class_names), batch_size=100)
    predicted = model.predict(images, verbose=0).argmax(axis=1)
    np.testing.assert_array_equal(result.predicted, predicted)
    np.testing.assert_array_equal(
        result.metrics.confusion_matrix, skm.confusion_matrix(labels, predicted)
    )
    assert result.metrics.accuracy == pytest.approx(skm.accuracy_score(labels, predicted))
    assert result.metrics.accuracy > 0.8
    wrong = mistakes(dataset.test.images, labels, result, list(dataset.info.class_names))
    assert len(wrong) == int((predicted != labels).sum())
    for true, guess in [(m.true, m.predicted) for m in wrong[:5]]:
        cell = mistakes(
            dataset.test.images,
            labels,
            result,
            list(dataset.info.class_names),
            true=true,
            predicted=guess,
        )
        assert len(cell) == result.metrics.confusion_matrix[true, guess]


def test_a_runs_test_split_is_reloaded_from_its_config(runs_dir):
    model, report, dataset, history = trained_digits()
    run = save_run(model, report.spec, dataset, history, runs_dir)
    test = run_test_split(run)
    np.testing.assert_array_equal(test.images, load_dataset("digits").test.images)
    run.config["class_names"] = [f"digit {i}" for i in range(10)]
    with pytest.raises(CnnvizError, match="cannot be evaluated"):
        run_test_split(run)


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
