"""A model's answers on labelled images: metrics, a run's test split.

Oracles: scikit-learn's metrics on Keras's own predictions, and values computed by hand
on a model whose weights are set by hand."""

import numpy as np
import pytest
from sklearn import metrics as skm

from cnnviz.data import load_dataset, rescale
from cnnviz.errors import CnnvizError
from cnnviz.evaluate import evaluate, run_test_split
from cnnviz.mistakes import mistakes
from tests.helpers_inspect import BRIGHT, Y_TRUE, pixel_images, save_run, trained_digits


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
    with pytest.raises(CnnvizError, match="cannot be evaluated") as caught:
        run_test_split(run)
    text = str(caught.value)  # only the names differ: the message says so, not "10 classes"
    assert "now has the classes ['0', '1', '2'" in text
    assert "was trained on the classes ['digit 0', 'digit 1'" in text


def test_a_run_whose_uploaded_data_was_deleted_says_so(runs_dir):
    model, report, dataset, history = trained_digits()
    gone = runs_dir / "_uploads" / "0123456789abcdef-pets.zip"
    run = save_run(model, report.spec, dataset, history, runs_dir, dataset_id=f"folder:{gone}")
    with pytest.raises(CnnvizError) as caught:
        run_test_split(run)
    assert str(caught.value).startswith(
        f"run {run.id} was trained on pets.zip, which is no longer on this machine"
    )
    assert str(gone) not in str(caught.value)
