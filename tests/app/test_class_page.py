"""AppTest drives the Class page: every desk's runs, the best first, and the queue."""

import json
import re
import shutil

import numpy as np

from cnnviz.class_experiment import opened, start_class_experiment, take_combination
from cnnviz.classstate import read_class_state, update_class_state
from cnnviz.links import Experiment
from cnnviz.runs import list_runs, load_run
from cnnviz.runstatus import write_status
from cnnviz.spec import ModelSpec
from cnnviz.sweep import Sweep
from tests.app.desks import TINY, give_to, owned_copy, submit
from tests.app.pages import errors, open_page, shown
from tests.helpers_sweep import REPEATS, preset, trained_sweep


def with_accuracy(root, run_id: str, accuracy: float, model: str | None = None) -> None:
    write_status(root / run_id, "completed", "", test_accuracy=accuracy, epochs_completed=3)
    if model:
        spec = json.loads((root / run_id / "spec.json").read_text())
        (root / run_id / "spec.json").write_text(json.dumps({**spec, "name": model}))


def cells(table) -> list[list[str]]:
    """An st.table's rows as the reader sees them (its cells are Markdown)."""
    frame = table.value
    return [[shown(str(v)) for v in row] for row in frame.itertuples(index=False)]


def chart(at, key: str) -> dict:
    (element,) = [c for c in at.get("plotly_chart") if c.proto.id.endswith(key)]
    return json.loads(element.proto.spec)


def test_every_desks_runs_best_first_and_the_queue(runs_with_model):
    root, run_id = runs_with_model
    ada = owned_copy(root, run_id, "ada", "a")
    bob = owned_copy(root, run_id, "bob", "b")
    cyd = owned_copy(root, run_id, "cyd", "c")
    with_accuracy(root, ada, 0.91)
    with_accuracy(root, bob, 0.97, model="**bob's** <b>net</b>")
    with_accuracy(root, cyd, 0.85)  # and the CLI run of no desk: ~0.79
    at = open_page("class_", cnnviz_desk="teacher")
    assert [t.value for t in at.title] == ["Class"]
    board = cells(at.table[-1])
    columns = list(at.table[-1].value.columns)
    assert columns == [
        "#",
        "desk",
        "test accuracy",
        "model",
        "parameters",
        "dataset",
        "epochs",
        "status",
        "settings",
        "open",
    ]
    desks = [row[1] for row in board]
    assert desks == ["bob", "ada", "cyd", "no desk"]  # the best test accuracy first
    assert board[0][3] == "**bob's** <b>net</b>"  # a typed name is shown as text
    assert board[0][2] == "**97.0%**"
    assert board[0][4] == f"{load_run(bob, root).model().count_params():,}"  # Keras's count
    assert board[0][0] == "1" and board[0][6] == "3/3" and board[0][7] == "completed"
    assert board[0][8] == "adam, lr 0.003, batch 64"  # the preset's, from config.json
    assert board[0][9] == f"[Inspect](inspect?run={bob})"  # the URL names no desk
    assert any(m.label == "Desks" and m.value == "3" for m in at.metric)
    assert any("Nobody is training" in i.value for i in at.info)
    assert at.button(key="class_refresh")  # nothing runs: no self-refresh, a button


def test_a_damaged_run_keeps_its_row_with_an_unknown_parameter_count(runs_with_model):
    root, run_id = runs_with_model
    config = json.loads((root / run_id / "config.json").read_text())
    config["image_shape"] = [2, 2, 1]  # too small for the model's convolutions
    (root / run_id / "config.json").write_text(json.dumps(config))
    at = open_page("class_", cnnviz_desk="teacher")
    assert not at.exception
    assert [row[4] for row in cells(at.table[-1])] == ["?"]


def test_the_queue_shows_who_trains_and_who_waits(runs_dir):
    from cnnviz.runners import default_runner

    runner = default_runner()
    first = submit(runs_dir, "dee-class", epochs=500)
    second = submit(runs_dir, "eve-class", epochs=2)
    try:
        at = open_page("class_", cnnviz_desk="teacher")
        queue = cells(at.table[0])
        assert [row[0] for row in queue] == ["dee-class", "eve-class"]
        assert queue[0][3].startswith("**training**")  # then " · epoch N/500" once begun
        assert queue[1][3] == "waiting · position 1" and queue[1][4].startswith("starts in ")
        assert any(m.label == "Waiting" and m.value == "1" for m in at.metric)
        assert not at.get("button")  # it refreshes itself while the queue is not empty
        waiting = next(row for row in cells(at.table[-1]) if row[1] == "eve-class")
        assert waiting[4] == ""  # its images are not read yet: no parameter count
    finally:
        runner.stop(second)
        runner.stop(first)


# --- the class experiment: the teacher's form, and the answer on the projector -------


def teacher_page(**state):
    """The Class page as the signed-in teacher sees it (classroom mode)."""
    return open_page("class_", cnnviz_teacher=True, cnnviz_spec=TINY, **state)


def start_with(at, settings: list[str], values: dict[str, str], question: str = ""):
    """Fill the teacher's class experiment form and press Start class experiment."""
    at.multiselect(key="class_exp_settings").set_value(settings).run()
    for name, typed in values.items():
        at.text_input(key=f"class_exp_values_{name}").input(typed)
    at.text_input(key="class_exp_question").input(question)
    at.button(key="class_exp_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_teachers_form_refuses_bad_input_with_a_clear_message(runs_dir, classroom):
    at = teacher_page()
    options = at.multiselect(key="class_exp_settings").options
    assert "learning rate (learning_rate)" in options and "filters of the Conv2D layer" in (
        " ".join(options)
    )
    assert not any("Dropout" in option for option in options)  # the model has none
    at.button(key="class_exp_start").click().run()
    assert errors(at) == ["choose one or two settings to vary. Received: settings=[]"]
    start_with(at, ["lernin_rate"], {"lernin_rate": "0.1"})
    assert any(
        "'lernin_rate' is not a setting a sweep may vary. Did you mean 'learning_rate'?" in e
        for e in errors(at)
    )
    start_with(at, ["dropout"], {"dropout": "0, 0.3"})
    assert any("the model 'tiny' has no Dropout layer: add one on Build" in e for e in errors(at))
    nine = ", ".join(f"0.00{k}" for k in range(1, 10))
    eight = ", ".join(str(8 * k) for k in range(1, 9))
    start_with(at, ["learning_rate", "batch_size"], {"learning_rate": nine, "batch_size": eight})
    assert any("9 × 8 values, 1 × each: 72 runs (at most 64)" in shown(c.value) for c in at.caption)
    assert errors(at) == [
        "runs must be at most 64 (values 9 x 8, 1 repeat); use fewer values or repeats. "
        "Received: runs=72"
    ]
    start_with(at, ["learning_rate"], {"learning_rate": "0.001, , 0.01"})
    assert any("type the values of learning_rate to try" in e for e in errors(at))
    start_with(at, ["epochs"], {"epochs": "3, 600"})  # more than the Train page offers
    assert errors(at) == [
        "epochs must be from 1 to 500, what the Train page offers. Received: epochs=600"
    ]
    assert read_class_state().experiment is None  # nothing was started


def test_the_teacher_starts_and_ends_a_class_experiment(runs_dir, classroom):
    at = teacher_page()
    question = "Does the <b>rate</b> matter?"
    values = {"learning_rate": "0.003, 0.01", "batch_size": "16, 32"}
    start_with(at, ["learning_rate", "batch_size"], values, question)
    assert not at.error, errors(at)
    started = read_class_state().experiment
    assert started.open and started.desks == ()
    sweep, base = opened(started)
    assert sweep.question == question and sweep.settings == ("learning_rate", "batch_size")
    assert [v.values for v in sweep.varied] == [(0.003, 0.01), (16, 32)]
    assert base.spec == ModelSpec.from_dict(TINY) and base.dataset == "digits"
    (running,) = [shown(s.value) for s in at.success]
    assert running.startswith(f"Running: {question} (learning_rate 0.003, 0.01 x batch_size")
    assert "0 desks have a combination" in running
    take_combination("ada")
    take_combination("bob")
    at.run()
    desks = at.table[0].value
    assert [shown(d) for d in desks["desk"]] == ["ada", "bob"]
    assert [shown(c) for c in desks["combination"]] == [
        "learning_rate = 0.003, batch_size = 16",
        "learning_rate = 0.003, batch_size = 32",
    ]
    assert any("No run yet" in i.value for i in at.info)  # the answer waits for runs
    at.button(key="class_exp_end").click().run()
    assert not read_class_state().experiment.open
    assert at.button(key="class_exp_start")  # the form again, for the next question


def lr(run) -> float:
    return run.config["training"]["learning_rate"]


def test_the_answer_is_grouped_by_each_setting_with_numpys_means(tmp_path, monkeypatch):
    trained = trained_sweep()
    root = tmp_path / "runs"
    shutil.copytree(trained.root, root)
    monkeypatch.setenv("CNNVIZ_RUNS_DIR", str(root))
    own = trained.runs()
    for run, desk in zip(own, ["bee-q", "cyd-q", "dee-q", "eve-q"], strict=True):
        give_to(root, run.id, desk)
    record = own[0].config["experiment"]
    sweep = Sweep.from_dict(
        {"id": record["id"], "question": record["question"], "repeats": REPEATS,
         "vary": {"learning_rate": [0.003, 0.01], "conv2d.filters": [4]}},
        preset(),
    )  # fmt: skip
    start_class_experiment(sweep, Experiment(preset(), "digits"))
    at = open_page("class_", timeout=120)
    grouped = [chart(at, f"class_grouped_{k}") for k in range(2)]
    runs = {run.id: run for run in list_runs(root)}
    filters = lambda r: r.spec.layers[0].params["filters"]  # noqa: E731
    for figure, read in zip(grouped, [lr, filters], strict=True):
        values = sorted({read(runs[r.id]) for r in own})
        accuracies = [
            np.array([r.test_accuracy for r in own if read(runs[r.id]) == v]) for v in values
        ]
        (means,) = [t for t in figure["data"] if t["name"] == "mean and spread"]
        np.testing.assert_allclose(means["y"], [np.mean(a) for a in accuracies], rtol=1e-12)
        np.testing.assert_allclose(
            means["error_y"]["array"], [np.std(a) for a in accuracies], atol=1e-15
        )
        dots = [t for t in figure["data"] if t["name"].startswith("runs: ")]
        assert [len(t["y"]) for t in dots] == [len(a) for a in accuracies]  # each desk a dot
    assert {
        d[0] for t in grouped[0]["data"] if t["name"].startswith("runs: ") for d in t["customdata"]
    } == {"bee-q", "cyd-q", "dee-q", "eve-q"}
    by_rate = [np.mean([r.test_accuracy for r in own if lr(r) == v]) for v in (0.003, 0.01)]
    assert sorted({lr(r) for r in own}) == [0.003, 0.01]
    best = int(np.argmax(by_rate))
    assert [shown(m.value) for m in at.markdown if "mattered most" in m.value] == [
        f"**Learning rate mattered most**: its groups' mean test accuracies are "
        f"{(max(by_rate) - min(by_rate)) * 100:.1f} points apart (best: {(0.003, 0.01)[best]:g}, "
        f"{by_rate[best]:.1%} on average); conv2d.filters: one value with results so far."
    ]
    assert chart(at, "class_curves_0") and chart(at, "class_parallel")
    assert len(chart(at, "class_parallel")["data"][0]["dimensions"]) == 3
    assert any(
        shown(c.value).startswith("Shown apart") and "ada" in shown(c.value) for c in at.caption
    )

    update_class_state(hide_names=True)  # the projected page then names no desk
    at.run()
    page = json.dumps([json.loads(c.proto.spec) for c in at.get("plotly_chart")])
    page += " ".join(m.value for m in [*at.markdown, *at.caption])
    for desk in ("ada", "bee-q", "cyd-q", "dee-q", "eve-q"):
        assert not re.search(rf"\b{desk}\b", page), desk
    assert "(hidden)" in page and trained.apart.id in page  # the run apart named by its id


def test_the_answer_in_words_as_results_come_in(tmp_path, monkeypatch):
    trained = trained_sweep()
    root = tmp_path / "runs"
    shutil.copytree(trained.root, root)
    monkeypatch.setenv("CNNVIZ_RUNS_DIR", str(root))
    own = trained.runs()
    record = own[0].config["experiment"]
    sweep = Sweep.from_dict(
        {"id": record["id"], "repeats": REPEATS, "vary": {"learning_rate": [0.003, 0.01]}},
        preset(),
    )
    start_class_experiment(sweep, Experiment(preset(), "digits"))
    fast = [run for run in own if lr(run) == 0.01]
    for run in fast:  # still training: no test accuracy yet
        write_status(root / run.id, "running", "", test_accuracy=None)
    at = open_page("class_", timeout=120)
    slow = np.mean([run.test_accuracy for run in own if lr(run) == 0.003])
    said = [shown(m.value) for m in at.markdown if "So far" in m.value]
    assert said == [
        f"So far only learning rate = 0.003 has results ({slow:.1%} on average): "
        "the others are still training."
    ]
    for run in fast:
        write_status(root / run.id, "completed", "", test_accuracy=run.test_accuracy)
    at.run()
    means = {0.003: slow, 0.01: np.mean([run.test_accuracy for run in fast])}
    best = max(means, key=means.get)
    said = [shown(m.value) for m in at.markdown if "The best" in m.value]
    assert said == [
        f"**The best learning rate: {best:g}, {means[best]:.1%} on average**, "
        f"{abs(means[0.01] - means[0.003]) * 100:.1f} points above the lowest."
    ]
