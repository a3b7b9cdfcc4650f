"""Lessons: the shipped ones read, state true numbers (checked against the engine and
against Keras itself) and say them in their text; broken lesson files are clear errors."""

import json

import pytest

from cnnviz import concepts
from cnnviz.errors import CnnvizError
from cnnviz.lessons import CONTROLS, PAGES, get_lesson, lessons_dir, read_lesson, read_lessons
from cnnviz.spec import validate

LESSONS, PROBLEMS = read_lessons()
FACTS = [
    pytest.param(lesson, step, fact, id=f"{lesson.id}-step{s}-fact{f}")
    for lesson in LESSONS
    for s, step in enumerate(lesson.steps, 1)
    for f, fact in enumerate(step.facts, 1)
]


def test_the_shipped_lessons_read_and_follow_the_lab():
    assert PROBLEMS == []
    assert len(LESSONS) >= 5
    ids = [lesson.id for lesson in LESSONS]
    assert ids[:5] == [
        "convolution-stride-padding",
        "pooling",
        "horses-or-humans",
        "overfitting-augmentation",
        "batchnorm-dropout",
    ]
    assert lessons_dir().parts[-2:] == ("assets", "lessons")
    kinds = {
        (lesson.id, row["type"])
        for lesson in LESSONS
        for row in lesson.experiment.spec.to_dict()["layers"]
    }
    assert ("batchnorm-dropout", "BatchNormalization") in kinds
    assert ("batchnorm-dropout", "Dropout") in kinds
    binary = get_lesson("horses-or-humans").experiment.spec.layers[-1].params
    assert binary == {"units": 1, "activation": "sigmoid"}
    assert not get_lesson("overfitting-augmentation").experiment.augment.is_identity
    for lesson in LESSONS:
        assert lesson.locked | lesson.hidden <= set(CONTROLS)
        assert all(step.page in PAGES for step in lesson.steps if step.page)
        assert sum(1 for step in lesson.steps if step.question) >= 3, lesson.id


def _report(fact):
    return validate(
        fact.inputs["model"],
        input_shape=fact.inputs["input_shape"],
        num_classes=fact.inputs["num_classes"],
    )


def renderings(value) -> list[str]:
    """How a lesson may write a number or a shape in its text."""
    if isinstance(value, tuple):
        inner = ", ".join(map(str, value))
        crossed = " × ".join(f"{v:,}" for v in value)
        return [
            f"({inner})",
            f"[{inner}]",
            crossed,
            f"{value[0]:,}" if len(value) == 1 else crossed,
        ]
    return [f"{value:,}", str(value)]


@pytest.mark.parametrize("lesson, step, fact", FACTS)
def test_every_number_a_lesson_states_is_the_engines_and_in_its_text(lesson, step, fact):
    text = " ".join(filter(None, [step.text, step.question, step.answer]))
    for claim, value in fact.claims.items():
        assert any(r in text for r in renderings(value)), (claim, value, text)
    if fact.kind == "output_size":
        i = fact.inputs
        size = concepts.output_size(
            i["size"], i["kernel"], stride=i["stride"], padding=i["padding"]
        )
        assert size == fact.claims["equals"]
        return
    report = _report(fact)
    if fact.kind == "layer":
        row = report.rows[fact.inputs["layer"] - 1]
        found = {
            "output_shape": row.output_shape,
            "params": row.total,
            "trainable": row.trainable,
            "non_trainable": row.non_trainable,
        }
    else:
        found = {
            "output_shape": report.output_shape,
            "total_params": report.total_params,
            "trainable_params": report.trainable_params,
        }
    assert {k: found[k] for k in fact.claims} == fact.claims


@pytest.mark.parametrize(
    "lesson, step, fact", [f for f in FACTS if f.values[2].kind != "output_size"]
)
def test_every_model_number_is_what_keras_itself_counts(lesson, step, fact, keras):
    from cnnviz.build import build_model, model_layers

    model = build_model(_report(fact))
    if fact.kind == "model":
        assert (
            "total_params" not in fact.claims or model.count_params() == fact.claims["total_params"]
        )
        if "trainable_params" in fact.claims:
            trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
            assert trainable == fact.claims["trainable_params"]
        if "output_shape" in fact.claims:
            assert tuple(model.output.shape[1:]) == fact.claims["output_shape"]
        return
    layer = model_layers(model)[fact.inputs["layer"] - 1]
    if "output_shape" in fact.claims:
        assert tuple(layer.output.shape[1:]) == fact.claims["output_shape"]
    if "params" in fact.claims:
        assert layer.count_params() == fact.claims["params"]
    if "trainable" in fact.claims:
        assert sum(int(w.numpy().size) for w in layer.trainable_weights) == fact.claims["trainable"]
    if "non_trainable" in fact.claims:
        frozen = sum(int(w.numpy().size) for w in layer.non_trainable_weights)
        assert frozen == fact.claims["non_trainable"]


def test_every_output_size_is_what_a_keras_conv2d_gives(keras):
    sizes = [f.values[2] for f in FACTS if f.values[2].kind == "output_size"]
    assert len(sizes) >= 5
    for fact in sizes:
        i = fact.inputs
        conv = keras.layers.Conv2D(1, i["kernel"], strides=i["stride"], padding=i["padding"])
        shape = conv.compute_output_shape((1, i["size"], i["size"], 1))
        assert shape[1:3] == (fact.claims["equals"],) * 2, fact


# --- broken lesson files ------------------------------------------------------------------

GOOD = {
    "id": "mine",
    "title": "Mine",
    "intro": "An intro.",
    "experiment": {"model": "digits-small"},
    "steps": [{"title": "One", "text": "Look."}],
}


def write(tmp_path, document, name="mine"):
    path = tmp_path / f"{name}.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def changed(**fields):
    document = json.loads(json.dumps(GOOD))
    for key, value in fields.items():
        if value is None:
            document.pop(key)
        else:
            document[key] = value
    return document


def step(**fields):
    return [{"title": "One", "text": "Look.", **fields}]


@pytest.mark.parametrize(
    "document, words",
    [
        ("{nope", "not valid JSON"),
        ("[" * 100 + "]" * 100, "levels deep"),
        ([], "must be an object"),
        (changed(colour="red"), "unknown key 'colour'"),
        (changed(titel="x"), "did you mean 'title'"),
        (changed(id="other"), "the file's name, 'mine'"),
        (changed(title=""), "title must be a non-empty text"),
        (changed(title="x" * 500), "at most 120 characters"),
        (changed(intro=None), "intro must be"),
        (changed(experiment=None), 'no "experiment"'),
        (changed(experiment={"model": "/etc/passwd"}), "is not a preset"),
        (changed(experiment={"model": "digits-small", "dataset": "nope"}), "unknown dataset"),
        (changed(locked=["train_epoch"]), "did you mean 'train_epochs'"),
        (changed(locked="train_epochs"), "a list of control names"),
        (changed(locked=["train_lr"], hidden=["train_lr"]), "both locked and hidden"),
        (changed(steps=[]), "a list of 1 to 40 steps"),
        (changed(steps=[{"title": "x"}] * 41), "a list of 1 to 40 steps"),
        (changed(steps=step(question="Why?")), 'needs an "answer"'),
        (changed(steps=step(page="kitchen")), "page must be one of"),
        (changed(steps=step(notes="x")), "unknown key 'notes'"),
        (changed(steps=step(facts=[{"kind": "guess"}])), "kind must be one of"),
        (
            changed(
                steps=step(
                    facts=[
                        {
                            "kind": "output_size",
                            "size": 6,
                            "kernel": 3,
                            "stride": 1,
                            "padding": "valid",
                        }
                    ]
                )
            ),
            "states nothing",
        ),
        (
            changed(
                steps=step(
                    facts=[
                        {
                            "kind": "output_size",
                            "size": 6,
                            "kernel": 3,
                            "stride": 0,
                            "padding": "valid",
                            "equals": 4,
                        }
                    ]
                )
            ),
            "stride must be",
        ),
        (
            changed(
                steps=step(
                    facts=[
                        {
                            "kind": "layer",
                            "input_shape": [8, 8],
                            "num_classes": 10,
                            "layer": 1,
                            "params": 1,
                        }
                    ]
                )
            ),
            "for grayscale images write [8, 8, 1]",
        ),
        (
            changed(
                steps=step(
                    facts=[
                        {
                            "kind": "model",
                            "input_shape": [8, 8, 1],
                            "num_classes": 10,
                            "output_shape": "big",
                        }
                    ]
                )
            ),
            "a list of whole numbers",
        ),
        (changed(order=-1), "order must be"),
    ],
)
def test_a_broken_lesson_file_is_a_clear_error_naming_the_file(tmp_path, document, words):
    path = write(tmp_path, document)
    with pytest.raises(CnnvizError) as caught:
        read_lesson(path)
    assert str(caught.value).startswith(str(path))
    assert words in str(caught.value)


def test_a_folder_with_a_broken_file_still_gives_the_good_lessons(tmp_path):
    write(tmp_path, GOOD)
    write(tmp_path, changed(id="bad", title=""), name="bad")
    lessons, problems = read_lessons(tmp_path)
    assert [lesson.id for lesson in lessons] == ["mine"]
    assert len(problems) == 1 and "bad.json" in problems[0]


def test_get_lesson_opens_only_a_lesson_file_by_its_id(tmp_path, monkeypatch):
    write(tmp_path, GOOD)
    (tmp_path / "secret.txt").write_text("{}")
    monkeypatch.setenv("CNNVIZ_LESSONS_DIR", str(tmp_path))
    assert get_lesson("mine").title == "Mine"
    for hostile in ("../mine", "mine.json", "secret", "MINE", "x" * 500, None, 3):
        with pytest.raises(CnnvizError, match="there is no lesson"):
            get_lesson(hostile)
    with pytest.raises(CnnvizError, match="Did you mean 'mine'"):
        get_lesson("mien")


def test_lessons_are_listed_by_order_then_id(tmp_path):
    write(tmp_path, changed(id="b", order=1), name="b")
    write(tmp_path, changed(id="a", order=2), name="a")
    write(tmp_path, changed(id="c", order=1), name="c")
    assert [lesson.id for lesson in read_lessons(tmp_path)[0]] == ["b", "c", "a"]
    assert read_lessons(tmp_path / "nowhere") == ([], [])
