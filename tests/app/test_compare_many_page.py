"""AppTest drives the Compare page on three to eleven runs: a small sweep trained for real
through `python -m cnnviz sweep` (learning rate 0.003 and 0.01, two repeats) and one run
of its first slot whose desk "ada" also changed the batch size (shown apart when grouped).

Oracles: how the runs were made (the settings that differ), each run's own files (its
history, its confusion matrix), numpy's mean and standard deviation.
"""

import json
import shutil

import numpy as np
import pytest

from cnnviz.rundir import MODEL_FILE
from cnnviz.runs import Run, create_run, list_runs
from cnnviz.runstatus import write_status
from tests.app.pages import open_page, shown, tables
from tests.helpers_sweep import trained_sweep

DIFFERING = ["desk", "learning rate", "batch size", "seed"]  # as the sweep made them


@pytest.fixture
def sweep(tmp_path, monkeypatch):
    """A private copy of the sweep's runs folder, set as CNNVIZ_RUNS_DIR: (its runs
    oldest first, the sweep's own runs, the run shown apart)."""
    trained = trained_sweep()
    copy = tmp_path / "runs"
    shutil.copytree(trained.root, copy)
    monkeypatch.setenv("CNNVIZ_RUNS_DIR", str(copy))
    runs = list_runs(copy)[::-1]
    own = {entry["run_id"] for entry in trained.document["runs"]}
    return runs, [r for r in runs if r.id in own], Run.read(copy / trained.apart.id)


def chart(at, key: str) -> dict:
    (element,) = [c for c in at.get("plotly_chart") if c.proto.id.endswith(key)]
    return json.loads(element.proto.spec)


def label(run) -> str:
    """How the page names a run when no desk is open: its id, and its desk if it has one."""
    return run.id if run.owner is None else f"{run.id} · desk {run.owner}"


def compare(ids) -> object:
    at = open_page("compare", timeout=120)
    at.multiselect(key="compare_runs").set_value(list(ids)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_five_runs_show_the_settings_that_differ_and_their_curves_overlaid(sweep):
    runs, _, _ = sweep
    assert len(runs) == 5
    at = compare(r.id for r in runs)
    assert at.toggle(key="compare_differences_only").value is True
    table = tables(at)[0].value
    assert list(table.columns) == ["setting", *(label(r) for r in runs)]
    first, *settings = table["setting"]
    assert first == "test accuracy" and sorted(settings) == sorted(DIFFERING)
    by_setting = table.set_index("setting")
    for run in runs:
        confusion = run.metrics().confusion_matrix
        accuracy = np.trace(confusion) / confusion.sum()
        assert by_setting.loc["test accuracy", label(run)] == f"{accuracy:.1%}"
        learning_rate = run.config["training"]["learning_rate"]
        assert by_setting.loc["learning rate", label(run)] == f"{learning_rate:g}"
        assert by_setting.loc["batch size", label(run)] == str(run.config["training"]["batch_size"])

    at.toggle(key="compare_differences_only").set_value(False).run()
    every = tables(at)[0].value.set_index("setting")
    assert {"model", "optimizer", "epochs", "conv2d.filters", *DIFFERING} <= set(every.index)
    for setting, row in every.iterrows():  # what is not shown as differing is the same
        if setting not in DIFFERING and setting != "test accuracy":
            assert row.nunique() == 1, setting

    curves = chart(at, "compare_many_curves")
    validation = [t for t in curves["data"] if t["name"].endswith(" validation")]
    losses = [t for t in validation if t["yaxis"] == "y"]
    assert [t["name"] for t in losses] == [f"{label(r)} validation" for r in runs]
    for trace, run in zip(losses, runs):
        np.testing.assert_allclose(trace["y"], run.history()["val_loss"])
    per_class = chart(at, "compare_many_per_class")
    assert [t["name"] for t in per_class["data"]] == [label(r) for r in runs]
    np.testing.assert_allclose(per_class["data"][0]["y"], runs[0].metrics().recall)


def group_means(at) -> tuple[list, list]:
    (mean,) = [t for t in chart(at, "compare_grouped")["data"] if t["name"] == "mean and spread"]
    return mean["y"], mean["error_y"]["array"]


def test_grouped_by_a_setting_one_group_per_value_with_numpys_means(sweep):
    runs, own, apart = sweep
    at = compare(r.id for r in runs)
    assert at.selectbox(key="compare_group_by").value == "learning_rate"  # what the sweep varied
    for setting, read in [
        ("learning_rate", lambda r: r.config["training"]["learning_rate"]),
        ("seed", lambda r: r.config["training"]["seed"]),
    ]:
        at.selectbox(key="compare_group_by").set_value(setting).run()
        values = sorted({read(r) for r in own})
        groups = tables(at)[1].value
        assert list(groups[setting.replace("_", " ")]) == [f"{v:g}" for v in values]
        accuracies = [np.array([r.test_accuracy for r in own if read(r) == v]) for v in values]
        assert list(groups["runs"]) == [len(a) for a in accuracies]
        means, spreads = group_means(at)
        np.testing.assert_allclose(means, [np.mean(a) for a in accuracies], rtol=1e-12)
        np.testing.assert_allclose(spreads, [np.std(a) for a in accuracies], atol=1e-15)
        np.testing.assert_allclose(groups["mean test accuracy"], means, rtol=1e-12)
        curves = chart(at, "compare_group_curves")["data"]
        assert sum(t["name"].endswith("(mean)") for t in curves) == len(values)
        captions = [shown(c.value) for c in at.caption]
        assert any(c.startswith("Shown apart") and label(apart) in c for c in captions)


def test_two_runs_still_show_the_pair_and_a_sweep_is_one_click_away(sweep):
    runs, _, _ = sweep
    at = open_page("compare", timeout=120)
    newest = [r.id for r in runs[-2:]]
    assert sorted(at.multiselect(key="compare_runs").value) == sorted(newest)
    assert at.selectbox(key="compare_run_a").value == newest[0]  # the older of the two
    assert at.selectbox(key="compare_run_b").value == newest[1]
    assert "Test images answered differently" in [m.label for m in at.metric]
    assert [s.value for s in at.subheader][-2:] == ["Layer by layer", "On the same test images"]
    assert chart(at, "compare_curves")["data"]  # today's two-run page

    at.button(key="compare_sweep").click().run()
    assert sorted(at.multiselect(key="compare_runs").value) == sorted(r.id for r in runs)
    assert at.selectbox(key="compare_group_by").value == "learning_rate"
    at.multiselect(key="compare_runs").set_value([runs[0].id, runs[2].id]).run()
    assert at.selectbox(key="compare_run_a").value == runs[0].id
    assert at.selectbox(key="compare_run_b").value == runs[2].id
    assert "A: test accuracy" in [m.label for m in at.metric]
    assert len(at.selectbox(key="compare_run_b").options) == 5  # any run, one box away
    at.selectbox(key="compare_run_b").set_value(runs[1].id).run()
    assert sorted(at.multiselect(key="compare_runs").value) == sorted([runs[0].id, runs[1].id])
    assert at.selectbox(key="compare_run_a").value == runs[0].id
    assert at.selectbox(key="compare_run_b").value == runs[1].id


def test_eleven_runs_are_refused_with_a_message_and_ten_are_compared(sweep):
    runs, _, _ = sweep
    first = runs[0]
    for rate in (0.02, 0.03, 0.04, 0.05, 0.06, 0.07):  # copies with another learning rate
        config = {**first.config, "training": {**first.config["training"], "learning_rate": rate}}
        copy = create_run(first.spec, config, runs_dir=first.dir.parent, status="running")
        shutil.copy(first.dir / MODEL_FILE, copy.dir / MODEL_FILE)
        write_status(copy.dir, "completed", "copied")
    newest = list_runs(first.dir.parent)
    assert len(newest) == 11
    at = compare(r.id for r in newest)
    assert any("at most 10 runs at once, and 11 are picked" in w.value for w in at.warning)
    assert not at.get("plotly_chart") and not at.dataframe

    ten = newest[:10][::-1]  # as the page shows them: the oldest first
    at.multiselect(key="compare_runs").set_value([r.id for r in ten]).run()
    assert not at.warning
    table = tables(at)[0].value.set_index("setting")
    assert list(table.columns) == [label(r) for r in ten]
    rates = [f"{r.config['training']['learning_rate']:g}" for r in ten]
    assert list(table.loc["learning rate"]) == rates
    assert any("has no test results" in shown(i.value) for i in at.info)  # the copies
