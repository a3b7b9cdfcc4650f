"""AppTest drives the Train page: start a short training, poll it to the end, see the run."""

import time

import pytest

from tests.app.desks import TINY, submit
from tests.app.pages import errors, open_page, run_box, tables


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
    rows = tables(app)[0].value
    assert list(rows["status"]) == ["completed"]
    assert rows["test accuracy"].iloc[0].endswith("%")
    assert rows["epochs"].iloc[0] == "2/2"
    run_id = app.session_state.cnnviz_run
    assert (runs_dir / run_id / "model.keras").is_file()
    assert run_box(app, "train_current_run").value == run_id


def test_stop_training_keeps_a_stopped_run(app, runs_dir):
    app.number_input(key="train_epochs").set_value(200)
    app.button(key="train_start").click().run()
    time.sleep(1.0)
    app.run()
    app.button(key="train_stop").click().run()
    poll_until_done(app)
    rows = tables(app)[0].value
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


# --- desks: each follows, starts and stops only its own job ---------------------------


def test_a_desk_follows_and_stops_only_its_own_job_and_sees_where_it_waits(runs_dir, classroom):
    from cnnviz.runners import default_runner

    runner = default_runner()
    theirs = submit(runs_dir, "bob-train", epochs=500)  # one training at a time: it runs
    try:
        at = open_page("train", cnnviz_spec=TINY, cnnviz_desk="ada-train")
        assert not at.button(key="train_start").disabled  # bob's job does not block ada
        assert at.button(key="train_stop").disabled  # and is not ada's to stop
        assert any("Press **Start training**" in i.value for i in at.info)  # nor to watch
        assert not at.get("plotly_chart")
        at.number_input(key="train_epochs").set_value(2)
        at.button(key="train_start").click().run()
        mine = at.session_state.train_job
        assert mine and runner.status(mine)["owner"] == "ada-train"
        waiting = [w.value for w in at.warning]
        assert waiting and waiting[0].startswith("Waiting for a free slot: position 1 in")
        assert "starts in " in waiting[0]
        assert at.button(key="train_start").disabled and not at.button(key="train_stop").disabled
        at.button(key="train_stop").click().run()
        assert runner.status(mine)["status"] == "stopped"  # ada's job, before it started
        assert runner.status(theirs)["status"] == "running"  # bob's goes on
        assert not at.button(key="train_start").disabled
    finally:
        runner.stop(theirs)


def test_a_second_start_from_the_same_desk_says_where_the_first_job_is(runs_dir, classroom):
    from cnnviz.runners import default_runner

    runner = default_runner()
    first_tab = open_page("train", cnnviz_spec=TINY, cnnviz_desk="cyd-train")
    second_tab = open_page("train", cnnviz_spec=TINY, cnnviz_desk="cyd-train")
    first_tab.number_input(key="train_epochs").set_value(500)
    first_tab.button(key="train_start").click().run()
    job = first_tab.session_state.train_job
    try:
        second_tab.button(key="train_start").click().run()  # drawn before the first Start
        assert not second_tab.exception
        assert any(f"desk 'cyd-train' already has a job ({job}" in e for e in errors(second_tab))
        assert [j for j in runner.job_ids(owner="cyd-train") if j != job] == []
        refreshed = open_page("train", cnnviz_spec=TINY, cnnviz_desk="cyd-train")
        assert refreshed.session_state.train_job == job  # a refresh finds the desk's job
        assert not refreshed.button(key="train_stop").disabled
    finally:
        runner.stop(job)


def test_a_start_click_copies_no_training_image_in_the_server(runs_dir, monkeypatch):
    """Start checks the request from the dataset's info (`check_training`): the images
    are split and copied only where the job trains (here a job thread of the thread
    runner; in the app, a worker process). Oracle: every copy of a split (`Split.take`),
    and the thread that made it."""
    import threading

    from cnnviz.data.splits import Split

    copies: list[str] = []
    real_take = Split.take

    def take(self, indices):
        copies.append(threading.current_thread().name)
        return real_take(self, indices)

    monkeypatch.setattr(Split, "take", take)
    at = open_page("train", cnnviz_spec=TINY)
    copies.clear()  # loading the dataset for the page (its fixed test split) is not a Start
    at.number_input(key="train_epochs").set_value(1)
    at.button(key="train_start").click().run()
    assert not at.error, errors(at)
    assert at.session_state.train_job
    poll_until_done(at)
    assert copies, "the job splits its images"
    assert all(name.startswith("cnnviz-job") for name in copies), copies
