"""AppTest drives the Class page: every desk's runs, the best first, and the queue."""

import json

from cnnviz.runs import load_run
from cnnviz.runstatus import write_status
from tests.app.desks import owned_copy, submit
from tests.app.pages import open_page, shown


def with_accuracy(root, run_id: str, accuracy: float, model: str | None = None) -> None:
    write_status(root / run_id, "completed", "", test_accuracy=accuracy, epochs_completed=3)
    if model:
        spec = json.loads((root / run_id / "spec.json").read_text())
        (root / run_id / "spec.json").write_text(json.dumps({**spec, "name": model}))


def cells(table) -> list[list[str]]:
    """An st.table's rows as the reader sees them (its cells are Markdown)."""
    frame = table.value
    return [[shown(str(v)) for v in row] for row in frame.itertuples(index=False)]


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
