"""The Lessons page and a lesson followed through the router: every shipped lesson opens
from its link, steps move between pages, answers show on request, locked controls are
disabled and hidden ones are not drawn (and training still works without them)."""

import json
import time

import pytest

from cnnviz.lessons import read_lessons
from tests.app.pages import errors, shown
from tests.app.test_url import go, router, url

LESSONS = {lesson.id: lesson for lesson in read_lessons()[0]}
TINY = {
    "name": "tiny",
    "layers": [
        {"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu"},
        {"type": "Flatten"},
        {"type": "Dense", "units": "num_classes", "activation": "softmax"},
    ],
}


def test_the_lessons_page_lists_every_lesson_with_a_start_button(runs_dir):
    at = go(router(), "lessons")
    assert at.title[0].value == "Lessons"
    for lesson_id in LESSONS:
        assert at.button(key=f"lessons_start_{lesson_id}").label == "Start lesson"
    assert not at.warning


@pytest.mark.parametrize("lesson_id", list(LESSONS))
def test_every_shipped_lesson_opens_from_its_link(lesson_id, runs_dir):
    at = router({"lesson": lesson_id})
    lesson = LESSONS[lesson_id]
    assert at.title[0].value == "Lessons"
    assert lesson.title in shown(at.success[0].value)
    assert at.session_state.cnnviz_spec == lesson.experiment.spec.to_dict()
    assert url(at)["lesson"] == lesson_id and url(at)["step"] == "1"
    assert not errors(at)
    for index, step in enumerate(lesson.steps):  # the intro, then each step on its page
        if index:
            at.button(key="lesson_next").click().run()
        assert not at.exception, [e.value for e in at.exception]
        if step.page and index:
            assert at.title[0].value.lower() == step.page
        if step.question:
            assert any(step.question in shown(i.value) for i in at.info)


def test_a_step_asks_first_and_answers_on_request(runs_dir):
    at = router({"lesson": "pooling"})
    at.button(key="lessons_start_convolution-stride-padding").click().run()
    assert at.title[0].value == "Concepts"
    first = LESSONS["convolution-stride-padding"].steps[0]
    assert not any(first.answer in shown(s.value) for s in at.success)
    at.button(key="lesson_reveal").click().run()
    assert any(first.answer in shown(s.value) for s in at.success)
    at.button(key="lesson_next").click().run()  # step 2 is on Concepts too
    assert url(at)["step"] == "2"
    assert not any(first.answer in shown(s.value) for s in at.success)
    at.button(key="lesson_end").click().run()
    assert "lesson" not in url(at) and at.session_state.cnnviz_lesson is None


def test_a_refresh_keeps_the_lesson_its_step_and_the_learners_edits(runs_dir):
    at = router({"lesson": "overfitting-augmentation"})
    at.button(key="lesson_next").click().run()
    at.button(key="lesson_next").click().run()
    assert at.title[0].value == "Augment" and url(at)["step"] == "3"
    again = router(url(at))
    assert again.title[0].value == "Concepts"  # the page is the address's path, not asked
    assert again.session_state.cnnviz_lesson_step == 2
    assert again.session_state.cnnviz_spec["name"] == "overfit-me"


def test_locked_controls_are_disabled_and_hidden_ones_not_drawn(runs_dir):
    at = router({"lesson": "overfitting-augmentation"})
    go(at, "train")
    for key in ("train_epochs", "train_batch_size", "train_lr", "train_val_split", "train_seed"):
        assert at.number_input(key=key).disabled, key
    assert at.selectbox(key="train_optimizer").disabled
    assert not at.checkbox(key="train_use_augment").disabled  # the one thing to change
    assert at.number_input(key="train_epochs").value == 40
    go(at, "build")
    assert at.selectbox(key="build_preset").disabled and at.button(key="build_load").disabled
    assert at.button(key="build_add").disabled
    layer_widgets = [
        w for w in at.number_input if w.key.startswith("build_") and w.key[6].isdigit()
    ]
    assert layer_widgets and all(w.disabled for w in layer_widgets)
    assert not at.get("file_uploader")  # build_import is hidden
    at.button(key="lesson_end").click().run()
    go(at, "build")
    assert not at.selectbox(key="build_preset").disabled and at.get("file_uploader")


def test_training_works_with_a_hidden_seed_and_locked_settings(runs_dir):
    at = router({"lesson": "batchnorm-dropout"})
    go(at, "train")
    keys = {n.key for n in at.number_input}
    assert "train_seed" not in keys and "train_epochs" in keys
    assert at.number_input(key="train_lr").disabled
    at.session_state["cnnviz_spec"] = TINY  # a tiny model, so that the test is quick
    at.number_input(key="train_epochs").set_value(1).run()
    at.button(key="train_start").click().run()
    assert not errors(at)
    deadline = time.monotonic() + 180
    while at.session_state.train_job and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    config = json.loads((runs_dir / at.session_state.cnnviz_run / "config.json").read_text())
    training = config["training"]
    assert config["dataset"] == "shapes"
    assert (training["epochs"], training["seed"], training["learning_rate"]) == (1, 0, 0.001)


def test_a_lesson_link_that_does_not_exist_says_so(runs_dir):
    at = router({"lesson": "../../etc/passwd"})
    assert "there is no lesson" in errors(at)[0]
    assert at.session_state.cnnviz_lesson is None and "lesson" not in url(at)
