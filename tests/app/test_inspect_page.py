"""AppTest drives the Inspect page on a really trained run."""

import numpy as np
import pytest
from sklearn import metrics as skm

from cnnviz.data import load_dataset, rescale
from cnnviz.metrics import classification_metrics
from cnnviz.runs import load_run
from tests.app.pages import open_page, run_box, shown, tables


def test_inspect_shows_the_run_and_its_mistakes(runs_with_model):
    root, run_id = runs_with_model
    at = open_page("inspect", timeout=120)
    assert not at.error
    assert run_box(at, "inspect_run").value == run_id
    # Oracle: the run's model on the dataset's test split, scored by sklearn.
    run = load_run(run_id, root)
    test = load_dataset("digits", limit=600).test
    predicted = np.argmax(run.model()(rescale(test.images)).numpy(), axis=1)
    expected = classification_metrics(test.labels, predicted, run.config["class_names"])
    assert at.metric[0].value == f"{expected.accuracy:.1%}"
    table = tables(at)[0].value
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


def test_the_keyboards_way_to_a_cell_is_two_boxes_that_follow_the_click(runs_with_model):
    """The cell's true and predicted class in two select boxes write the pick a click
    writes; a click (or a pair's button) moves the boxes; one box alone waits."""
    root, run_id = runs_with_model
    at = open_page("inspect", timeout=120)
    true_box, predicted_box = "inspect_cell_true", "inspect_cell_predicted"
    assert at.selectbox(key=true_box).label == "True class of the cell"
    assert at.selectbox(key=true_box).value is None
    at.selectbox(key=true_box).set_value(4).run()
    assert "inspect_cell" not in at.session_state  # the other box is still to choose
    assert at.selectbox(key=true_box).value == 4
    at.selectbox(key=predicted_box).set_value(4).run()
    assert at.session_state["inspect_cell"] == (run_id, 4, 4)
    assert any(shown(s.value).startswith("4 recognised: ") for s in at.subheader)
    at.session_state["inspect_cell"] = (run_id, 2, 7)  # as the chart's click stores it
    at.run()
    assert (at.selectbox(key=true_box).value, at.selectbox(key=predicted_box).value) == (2, 7)
    at.selectbox(key=predicted_box).set_value(1).run()
    assert at.session_state["inspect_cell"] == (run_id, 2, 1)
    assert any(shown(s.value).startswith("true 2, predicted 1: ") for s in at.subheader)


def test_the_keyboards_way_to_a_pixel_is_a_row_and_a_column_box(runs_with_model):
    root, run_id = runs_with_model
    _, model, _, _ = keras_answers(root, run_id)
    _, height, width, _ = model.get_layer("conv2d_1").output.shape
    at = open_page("inspect", timeout=120)
    at.selectbox(key="inspect_layer").set_value("conv2d_1").run()
    at.selectbox(key="inspect_trace_channel").set_value(5).run()
    assert at.selectbox(key="inspect_trace_row").options == [str(r) for r in range(height)]
    assert at.selectbox(key="inspect_trace_col").options == [str(c) for c in range(width)]
    at.selectbox(key="inspect_trace_row").set_value(2).run()
    at.selectbox(key="inspect_trace_col").set_value(3).run()
    assert at.session_state["inspect_trace_pick"] == ("conv2d_1", 5, 2, 3)  # as a click's
    (metric,) = [m for m in at.metric if m.label.startswith("conv2d_1[")]
    assert metric.label == "conv2d_1[row 2, column 3, channel 5]"
    # Another channel: no pick there, so the boxes are cleared, not left showing one.
    at.selectbox(key="inspect_trace_channel").set_value(6).run()
    assert at.selectbox(key="inspect_trace_row").value is None
    assert not [m for m in at.metric if m.label.startswith("conv2d_1[")]


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


def test_the_epoch_scrubber_replays_the_run_after_any_kept_epoch(runs_with_model):
    """Oracle: `evaluate --epoch` of the same run, and its history.csv."""
    import json

    from cnnviz.evaluate import evaluate_run

    root, run_id = runs_with_model
    run = load_run(run_id, root)
    assert run.epochs() == [1, 2, 3]
    at = open_page("inspect", timeout=120)
    slider = at.select_slider(key="inspect_epoch")
    assert slider.options == ["epoch 1", "epoch 2", "epoch 3", "final model"]
    assert at.metric[0].label == "Test accuracy"
    slider.set_value(1).run()
    assert not at.exception
    _, after_one = evaluate_run(run, epoch=1)
    assert at.metric[0].label == "Test accuracy after epoch 1"
    assert at.metric[0].value == f"{after_one.metrics.accuracy:.1%}"
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    (curves,) = [c for c in charts if "each class" in c["layout"].get("title", {}).get("text", "")]
    assert [t["name"] for t in curves["data"]] == [str(i) for i in range(10)]
    history = run.history()
    assert curves["data"][3]["y"] == history["val_accuracy_class_3"]
    assert curves["layout"]["shapes"][0]["x0"] == 1  # the shown epoch is marked


def test_a_runs_images_are_read_once_for_every_epoch_the_coach_and_the_session(
    runs_with_model, monkeypatch
):
    """Each epoch's evaluation and the coach reload the run's dataset: through the app's
    one dataset cache they share a single load (CIFAR-10 is 60,000 images)."""
    import cnnviz.data
    from app_pages.server.datasets import _load

    loads = []
    real = cnnviz.data.load_dataset

    def counted(dataset_id, **options):
        loads.append((dataset_id, tuple(sorted(options.items()))))
        return real(dataset_id, **options)

    _load.clear()
    monkeypatch.setattr(cnnviz.data, "load_dataset", counted)
    root, run_id = runs_with_model
    at = open_page("inspect", timeout=120)
    for epoch in (1, 2, 3, "final model"):
        at.select_slider(key="inspect_epoch").set_value(epoch).run()
        assert not at.exception
    assert at.get("expander") and any("Coach" in e.label for e in at.get("expander"))
    assert loads and len(loads) == len(set(loads)), loads  # never the same load twice
    assert load_run(run_id, root).config["dataset"] in [dataset for dataset, _ in loads]


def test_a_large_confusion_cell_builds_only_what_it_shows(runs_with_model, monkeypatch):
    """A cell of 1,000 test images (CIFAR-10's diagonal has about that): its 12 shown
    records are built, its count comes from the matrix, and the 12 Grad-CAMs are one
    batch for their known classes (no forward pass to find each one's class)."""
    import app_pages.panels.inspect_confusion as panel
    import app_pages.server.runs as server_runs
    import cnnviz.gradcam as gradcam
    import cnnviz.mistakes as mistakes_module
    from cnnviz.data.splits import Split
    from cnnviz.evaluate import Evaluation

    root, run_id = runs_with_model
    names = load_run(run_id, root).config["class_names"]
    images = np.random.default_rng(0).integers(0, 17, (1000, 8, 8, 1), dtype=np.uint8)
    labels = np.zeros(1000, np.int64)
    probabilities = np.full((1000, 10), 0.01)
    probabilities[:, 0] = np.linspace(0.5, 0.91, 1000)
    predicted = np.zeros(1000, np.int64)
    result = Evaluation(
        probabilities, probabilities, predicted, classification_metrics(labels, predicted, names)
    )
    monkeypatch.setattr(
        server_runs, "evaluation", lambda run, epoch=None: (Split(images, labels), result)
    )
    built, batches, finding = [], [], []
    real_mistake, real_cams, real_call = (
        mistakes_module.Mistake,
        panel.grad_cams,
        gradcam.model_call,
    )

    class Counted(real_mistake):
        def __init__(self, *args):
            built.append(args[0])
            super().__init__(*args)

    def cams(model, batch, classes, **kw):
        batches.append(list(classes))
        return real_cams(model, batch, classes, **kw)

    def call(model):  # what grad_cam runs to find a class it was not given
        finding.append(model)
        return real_call(model)

    monkeypatch.setattr(mistakes_module, "Mistake", Counted)
    monkeypatch.setattr(panel, "grad_cams", cams)
    monkeypatch.setattr(gradcam, "model_call", call)
    at = open_page("inspect", timeout=120, inspect_cell=(run_id, 0, 0))
    assert not at.exception and not at.error
    assert any(
        "0 recognised: 1000 images, least confident first (the first 12)" in shown(s.value)
        for s in at.subheader
    )
    assert len(built) <= 12 + 24  # the cell's 12, and at most the Mistakes tab's own
    assert batches == [[0] * 12]  # one batch of the 12, each for its own known class
    assert finding == []  # no forward pass to find a class
