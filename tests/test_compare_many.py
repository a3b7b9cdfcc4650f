"""Two to ten runs compared, and `compare RUN RUN [RUN ...] [--group-by S]`: the settings
table, per-class accuracy from each run's metrics, and groups whose means and spreads
equal numpy's over the runs' test accuracies. Real runs of `python -m cnnviz sweep`."""

import json

import numpy as np
import pytest

from cnnviz.compare_many import compare_many
from cnnviz.errors import CnnvizError
from tests.helpers_sweep import run_main, trained_sweep


@pytest.fixture(scope="module")
def trained():
    return trained_sweep()


def test_the_settings_table_and_its_differences_only_view(trained):
    runs = [*trained.runs(), trained.apart]
    comparison = compare_many(runs)
    assert comparison.runs == tuple(r.id for r in runs)
    assert comparison.settings_diff == {
        "desk": [None, None, None, None, "ada"],
        "learning_rate": [0.003, 0.01, 0.003, 0.01, 0.003],
        "batch_size": [64, 64, 64, 64, 16],
        "seed": [0, 0, 1, 1, 0],
    }
    full, differing = comparison.table(), comparison.table(differences_only=True)
    assert [row["setting"] for row in differing] == list(comparison.settings_diff)
    assert len(full) > len(differing)
    by_name = {row["setting"]: row for row in full}
    assert by_name["conv2d.filters"][runs[0].id] == "4"
    assert by_name["conv2d_1.filters"][runs[0].id] == "64"
    assert by_name["parameters"][runs[0].id] == str(runs[0].report().total_params)
    assert by_name["learning_rate"][runs[1].id] == "0.01"


def test_per_class_accuracy_comes_from_each_runs_metrics(trained):
    runs = trained.runs()
    comparison = compare_many(runs)
    assert comparison.reason == ""
    expected = np.stack([run.metrics().recall for run in runs])
    np.testing.assert_array_equal(comparison.per_class_accuracy, expected)
    assert comparison.class_names == tuple(str(k) for k in range(10))
    assert [h["val_accuracy"] for h in comparison.histories] == [
        r.history()["val_accuracy"] for r in runs
    ]


def test_two_to_ten_runs_each_once(trained):
    runs = trained.runs()
    with pytest.raises(CnnvizError, match=r"2 to 10 runs.*Received: runs="):
        compare_many(runs[:1])
    with pytest.raises(CnnvizError, match=r"is named twice.*Received: runs="):
        compare_many([runs[0], runs[0], runs[1]])


@pytest.mark.parametrize("count", [2, 4, 5])
def test_compare_group_by_json_means_and_spreads_equal_numpy(trained, count):
    runs = [*trained.runs(), trained.apart][:count]
    code, out, err = run_main(
        "compare", *(r.id for r in runs), "--group-by", "learning_rate",
        "--runs-dir", trained.root, "--json",
    )  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    kept = [r for r in runs if r.id != trained.apart.id]
    values = sorted({r.config["training"]["learning_rate"] for r in kept})
    assert [g["value"] for g in document["groups"]] == values
    for group in document["groups"]:
        members = [r for r in kept if r.config["training"]["learning_rate"] == group["value"]]
        accuracies = np.array([r.test_accuracy for r in members])
        assert group["runs"] == [r.id for r in members]
        assert group["mean_test_accuracy"] == pytest.approx(np.mean(accuracies), rel=1e-12)
        assert group["std_test_accuracy"] == pytest.approx(np.std(accuracies), abs=1e-15)
    assert [a["run_id"] for a in document["apart"]] == ([trained.apart.id] if count == 5 else [])
    if count == 2:  # the two-run document, with the groups added
        assert list(document)[:4] == ["runs", "test_accuracy", "settings_diff", "layers_diff"]
    else:
        assert len(document["per_class_accuracy"]) == count


def test_compare_of_more_runs_prints_tables(trained):
    runs = trained.runs()
    code, out, err = run_main(
        "compare", *(r.id for r in runs), "--group-by", "lr", "--runs-dir", trained.root
    )
    assert code == 0, err
    assert "Settings that differ" in out and "Grouped by learning_rate" in out
    assert "Accuracy on each class's test images" in out


def test_compare_refuses_one_run_or_an_unknown_setting(trained):
    runs = trained.runs()
    code, out, err = run_main("compare", runs[0].id, "--runs-dir", trained.root)
    assert code == 2 and err.startswith("error: runs must be 2 to 10")
    code, out, err = run_main(
        "compare", runs[0].id, runs[1].id, "--group-by", "lern_rate", "--runs-dir", trained.root
    )
    assert code == 2 and "Did you mean 'learning_rate'?" in err and err.count("\n") == 1


def test_the_runs_as_rows_for_the_parallel_coordinates(trained):
    runs = [*trained.runs(), trained.apart]
    comparison = compare_many(runs)
    assert comparison.groupable == ["batch_size", "learning_rate", "seed"]  # not "desk"
    rows = comparison.run_rows()
    assert [row["run_id"] for row in rows] == [r.id for r in runs]
    assert rows[-1] == {
        "run_id": trained.apart.id,
        "label": f"ada: {trained.apart.id}",
        "learning_rate": 0.003,
        "batch_size": 16,
        "seed": 0,
        "test_accuracy": trained.apart.test_accuracy,
    }
