"""`python -m cnnviz sweep`: one real run per combination and repeat, read back from the
run folders; bad input is one line on stderr, exit 2, and no run."""

import itertools

import pytest

from cnnviz.runs import list_runs
from tests.helpers_sweep import QUESTION, REPEATS, run_main, trained_sweep


def test_sweep_trains_one_run_per_combination_and_repeat_with_exactly_the_settings_named():
    trained = trained_sweep()
    entries = trained.document["runs"]
    assert len(entries) == 2 * 1 * REPEATS
    expected = itertools.product(range(REPEATS), [0.003, 0.01], [4])
    assert [
        (e["repeat"], e["settings"]["learning_rate"], e["settings"]["conv2d.filters"])
        for e in entries
    ] == list(expected)
    runs = trained.runs()
    assert {r.id for r in runs} | {trained.apart.id} == {r.id for r in list_runs(trained.root)}
    ids = set()
    for entry, run in zip(entries, runs, strict=True):  # read back from the run folders
        record = run.config["experiment"]
        assert record["settings"] == entry["settings"]  # exactly the settings named
        assert set(record["settings"]) == {"learning_rate", "conv2d.filters"}
        assert record["question"] == QUESTION and record["repeat"] == entry["repeat"]
        ids.add(record["id"])
        assert run.config["training"]["learning_rate"] == entry["settings"]["learning_rate"]
        assert run.spec.layers[0].params["filters"] == 4
        assert run.spec.layers[2].params["filters"] == 64  # the other Conv2D is kept
        assert run.config["seed"] == entry["repeat"] and run.config["limit"] == 300
        assert run.config["training"]["epochs"] == 1
        assert run.state == "completed" and run.test_accuracy == entry["test_accuracy"]
        assert run.epochs() == [1]
    assert ids == {trained.document["experiment"]["id"]}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--vary", "lerning_rate=0.1"], "Did you mean 'learning_rate'?"),
        (["--vary", "lr=fast"], 'Received: learning_rate="fast"'),
        (["--vary", "epochs=1.5"], 'Received: epochs="1.5"'),
        (["--vary", "dropout=0,0.5"], "has no Dropout layer"),
        (["--vary", "lr=0.1,0.2", "--repeat", "33"], "Received: runs=66"),
        (["--vary", "lr"], 'Received: vary="lr"'),
        (["--vary", "batch_size=400"], "batch_size 400 is larger than the"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_no_run(tmp_path, argv, message):
    code, out, err = run_main(
        "sweep", "--data", "digits", "--model", "digits-small", "--limit", 300,
        "--runs-dir", tmp_path, *argv,
    )  # fmt: skip
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1
    assert message in err
    assert not list(tmp_path.iterdir())  # checked before any run folder is made
