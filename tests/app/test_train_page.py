"""AppTest drives the Train page: start a short training, poll it to the end, see the run."""

import time

import pytest

from tests.app.pages import errors, open_page

TINY = {
    "name": "tiny",
    "layers": [
        {"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu"},
        {"type": "Flatten"},
        {"type": "Dense", "units": "num_classes", "activation": "softmax"},
    ],
}


@pytest.fixture
def app(runs_dir):
    return open_page("train", cnnviz_spec=TINY)


def poll_until_done(at, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
        assert not at.exception
        if not at.session_state.train_job and at.session_state.cnnviz_run:
            return
    raise AssertionError("training did not finish")


def test_start_training_and_poll_to_completion(app, runs_dir):
    assert app.button(key="train_start").label == "Start training"
    assert app.button(key="train_stop").label == "Stop training"
    assert app.button(key="train_stop").disabled
    app.number_input(key="train_epochs").set_value(2)
    app.button(key="train_start").click().run()
    assert not app.error, errors(app)
    assert app.session_state.train_job
    assert app.button(key="train_start").disabled
    poll_until_done(app)
    rows = app.dataframe[0].value
    assert list(rows["status"]) == ["completed"]
    assert rows["test accuracy"].iloc[0].endswith("%")
    assert rows["epochs"].iloc[0] == "2/2"
    run_id = app.session_state.cnnviz_run
    assert (runs_dir / run_id / "model.keras").is_file()
    assert app.selectbox(key="train_current_run").value == run_id


def test_stop_training_keeps_a_stopped_run(app, runs_dir):
    app.number_input(key="train_epochs").set_value(200)
    app.button(key="train_start").click().run()
    time.sleep(1.0)
    app.run()
    app.button(key="train_stop").click().run()
    poll_until_done(app)
    rows = app.dataframe[0].value
    assert rows["status"].iloc[0] == "stopped"


def test_a_model_that_does_not_fit_the_data_is_an_error(app):
    app.session_state.cnnviz_spec = {
        "name": "bad",
        "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 3, "activation": "softmax"}],
    }
    app.run()
    app.button(key="train_start").click().run()
    assert any("outputs 3 values but the dataset has 10 classes" in text for text in errors(app))
    assert "train_job" not in app.session_state or not app.session_state.train_job


def test_augmentation_from_the_augment_page_goes_into_the_run(app, runs_dir):
    import json

    app.session_state.cnnviz_augment = {"rotation_degrees": 15.0, "flip_left_right": True}
    app.run()
    box = app.checkbox(key="train_use_augment")
    assert "rotation degrees 15.0" in box.label and not box.disabled
    box.check()
    app.number_input(key="train_epochs").set_value(1)
    app.button(key="train_start").click().run()
    poll_until_done(app)
    run_id = app.session_state.cnnviz_run
    config = json.loads((runs_dir / run_id / "config.json").read_text())
    assert config["augment"]["rotation_degrees"] == 15.0
    assert config["augment"]["flip_left_right"] is True


def test_the_data_pages_image_size_goes_into_the_run(app, runs_dir):
    import json

    app.session_state.cnnviz_dataset = "shapes"
    app.session_state.cnnviz_image_size = (16, 16)
    app.run()
    app.number_input(key="train_epochs").set_value(1)
    app.button(key="train_start").click().run()
    assert not app.error, errors(app)
    poll_until_done(app)
    config = json.loads((runs_dir / app.session_state.cnnviz_run / "config.json").read_text())
    assert config["image_size"] == [16, 16] and config["image_shape"] == [16, 16, 3]
