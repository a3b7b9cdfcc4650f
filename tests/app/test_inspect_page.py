"""AppTest drives the Inspect page on a really trained run."""

import numpy as np
import pytest
from sklearn import metrics as skm

from cnnviz.data import load_dataset, rescale
from cnnviz.metrics import classification_metrics
from cnnviz.runs import load_run
from tests.app.pages import open_page, shown


def test_inspect_shows_the_run_and_its_mistakes(runs_with_model):
    root, run_id = runs_with_model
    at = open_page("inspect", timeout=120)
    assert not at.error
    assert at.selectbox(key="inspect_run").value == run_id
    # Oracle: the run's model on the dataset's test split, scored by sklearn.
    run = load_run(run_id, root)
    test = load_dataset("digits", limit=600).test
    predicted = np.argmax(run.model()(rescale(test.images)).numpy(), axis=1)
    expected = classification_metrics(test.labels, predicted, run.config["class_names"])
    assert at.metric[0].value == f"{expected.accuracy:.1%}"
    table = at.dataframe[0].value
    assert list(table["support"]) == [int(s) for s in expected.support]
    overview = at.get("plotly_chart")
    assert len(overview) >= 5
    wrong = int((predicted != test.labels).sum())
    assert any(c.value == f"{wrong} misclassified test images" for c in at.caption)
    at.selectbox(key="inspect_true").set_value("3").run()
    wrong_3 = int(((predicted != test.labels) & (test.labels == 3)).sum())
    assert any(c.value == f"{wrong_3} misclassified test images" for c in at.caption)
    at.slider(key="inspect_image").set_value(7).run()
    truth = run.config["class_names"][test.labels[7]]
    assert any(f"True class **{truth}**" in m.value for m in at.markdown)
    at.selectbox(key="inspect_cam_class").set_value("0").run()
    assert not at.exception


def test_inspect_without_runs_says_what_to_do(runs_dir):
    at = open_page("inspect")
    assert any("train one on the **Train** page" in i.value for i in at.info)


def keras_answers(root, run_id):
    """Oracle: the run's model through Keras on the dataset's test split."""
    run = load_run(run_id, root)
    test = load_dataset("digits", limit=600).test
    model = run.model()
    probabilities = model(rescale(test.images)).numpy()
    return run, model, test, probabilities


def test_a_confusion_cell_and_a_most_confused_pair_open_their_images(runs_with_model):
    root, run_id = runs_with_model
    run, _, test, probabilities = keras_answers(root, run_id)
    predicted = probabilities.argmax(axis=1)
    matrix = skm.confusion_matrix(test.labels, predicted, labels=range(10))
    at = open_page("inspect", timeout=120)
    assert any("Click a cell of the matrix" in i.value for i in at.info)
    off = matrix - np.diag(np.diag(matrix))
    true, guess = np.unravel_index(off.argmax(), off.shape)
    assert off[true, guess] > 0, "the 3-epoch run should make some mistakes"
    # The most-confused list: one button per pair, the most mistakes first.
    first = at.button(key=f"inspect_pair_{true}_{guess}")
    assert first.label == f"{true} → {guess}: {off[true, guess]}"
    first.click().run()
    assert not at.exception
    heading = f"true {true}, predicted {guess}: {off[true, guess]} images, most confidently wrong"
    assert any(heading in shown(s.value) for s in at.subheader)
    assert at.session_state["inspect_cell"] == (run_id, true, guess)
    # A click on a diagonal cell (as the chart's callback stores it): the correct ones.
    at.session_state["inspect_cell"] = (run_id, 4, 4)
    at.run()
    heading = f"4 recognised: {matrix[4, 4]} images, least confident first"
    heading += " (the first 12)" if matrix[4, 4] > 12 else ""
    assert any(shown(s.value) == heading for s in at.subheader)
    # A pick made on another run is not this run's cell.
    at.session_state["inspect_cell"] = ("another-run", 1, 2)
    at.run()
    assert any("Click a cell of the matrix" in i.value for i in at.info)


def test_a_clicked_feature_map_pixel_shows_its_arithmetic_equal_to_keras(runs_with_model):
    import keras

    root, run_id = runs_with_model
    run, model, test, _ = keras_answers(root, run_id)
    at = open_page("inspect", timeout=120)
    at.selectbox(key="inspect_layer").set_value("conv2d_1").run()
    assert any("Click a pixel of the map" in i.value for i in at.info)
    at.selectbox(key="inspect_trace_channel").set_value(5).run()
    at.session_state["inspect_trace_pick"] = ("conv2d_1", 5, 2, 3)  # as the click stores it
    at.run()
    assert not at.exception and not at.error
    cut = keras.Model(model.inputs[0], model.get_layer("conv2d_1").output)
    expected = float(cut(rescale(test.images[:1]))[0, 2, 3, 5])
    (metric,) = [m for m in at.metric if m.label.startswith("conv2d_1[")]
    assert metric.label == "conv2d_1[row 2, column 3, channel 5]"
    assert float(metric.value) == pytest.approx(expected, abs=1e-4)
    # The pick follows the image: the same pixel of another test image.
    at.slider(key="inspect_image").set_value(9).run()
    expected = float(cut(rescale(test.images[9:10]))[0, 2, 3, 5])
    (metric,) = [m for m in at.metric if m.label.startswith("conv2d_1[")]
    assert float(metric.value) == pytest.approx(expected, abs=1e-4)
    # Another channel has no pick yet; a layer without a kernel has no trace panel.
    at.selectbox(key="inspect_trace_channel").set_value(6).run()
    assert not [m for m in at.metric if m.label.startswith("conv2d_1[")]
    at.selectbox(key="inspect_layer").set_value("max_pooling2d").run()
    assert not any(s.value == "Trace one value" for s in at.subheader)
