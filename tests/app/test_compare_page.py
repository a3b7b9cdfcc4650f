"""AppTest drives the Compare page on two runs trained here whose differences are known
(16 filters instead of 32 in the first Conv2D, learning rate 0.001 instead of 0.003).

Oracles: the runs' models answering through Keras, Keras's weight counts.
"""

import json
import shutil

import numpy as np
import pytest

from cnnviz import presets
from cnnviz.data import load_dataset, rescale
from cnnviz.rundir import MODEL_FILE
from cnnviz.runs import Run, create_run
from cnnviz.runstatus import write_status
from tests.app.pages import open_page, shown, tables
from tests.helpers_runs import train_run

LIMIT = 600


@pytest.fixture(scope="module")
def trained_pair(tmp_path_factory):
    root = tmp_path_factory.mktemp("pair") / "runs"
    narrow = presets.get("digits-small").to_dict()
    narrow["layers"][0]["filters"] = 16
    a = train_run(root, "digits-small", limit=LIMIT, epochs=3, learning_rate=0.003)
    b = train_run(root, {**narrow, "name": "narrow"}, limit=LIMIT, epochs=3, learning_rate=0.001)
    return root, a.id, b.id


@pytest.fixture
def pair(trained_pair, tmp_path, monkeypatch):
    """A private copy of the two runs, set as CNNVIZ_RUNS_DIR."""
    root, a, b = trained_pair
    copy = tmp_path / "runs"
    shutil.copytree(root, copy)
    monkeypatch.setenv("CNNVIZ_RUNS_DIR", str(copy))
    return copy, Run.read(copy / a), Run.read(copy / b)


def answers(run) -> np.ndarray:
    test = load_dataset("digits", limit=LIMIT).test
    return run.model().predict(rescale(test.images), verbose=0).argmax(axis=1), test.labels


def chart(at, key: str) -> dict:
    (element,) = [c for c in at.get("plotly_chart") if c.proto.id.endswith(key)]
    return json.loads(element.proto.spec)


def test_compare_shows_what_changed_and_what_it_changed(pair):
    _, a, b = pair
    at = open_page("compare", timeout=120)
    assert not at.error
    assert at.selectbox(key="compare_run_a").value == a.id  # the older of the two newest
    assert at.selectbox(key="compare_run_b").value == b.id
    (answers_a, labels), (answers_b, _) = answers(a), answers(b)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["A: test accuracy"] == f"{np.mean(answers_a == labels):.1%}"
    assert metrics["B: test accuracy"] == f"{np.mean(answers_b == labels):.1%}"
    assert metrics["Test images answered differently"] == f"{int((answers_a != answers_b).sum())}"

    settings = tables(at)[0].value
    assert settings.to_dict("records") == [{"setting": "learning rate", "A": "0.003", "B": "0.001"}]
    layers = tables(at)[1].value
    assert list(layers["change"]) == ["changed"] + ["same"] * 6
    assert layers["what changed"][0] == "filters 32 → 16; weights 320 → 160"
    assert layers["what changed"][2] == "its input changed; weights 18,496 → 9,280"
    totals = [run.model().count_params() for run in (a, b)]
    assert f"Weights in all: {totals[0]:,} in A, {totals[1]:,} in B." in [
        c.value for c in at.caption
    ]

    curves = chart(at, "compare_curves")
    names = {trace["name"] for trace in curves["data"]}
    assert {"A validation", "A training", "B validation", "B training"} <= names
    a_val = next(t for t in curves["data"] if t["name"] == "A validation" and t["yaxis"] == "y")
    np.testing.assert_allclose(a_val["y"], a.history()["val_loss"])
    confusion = chart(at, "compare_confusion")
    assert confusion["data"][0]["customdata"] is not None
    assert len(at.get("plotly_chart")) == 4


def test_runs_on_other_test_images_say_why_they_are_not_compared_image_by_image(pair):
    root, a, _ = pair
    other = create_run(a.spec, {**a.config, "limit": 500}, runs_dir=root, status="running")
    shutil.copy(a.dir / MODEL_FILE, other.dir / MODEL_FILE)
    write_status(other.dir, "completed", "copied")
    at = open_page("compare", timeout=120)
    assert at.selectbox(key="compare_run_b").value == other.id
    infos = [shown(i.value) for i in at.info]
    assert any("Not compared image by image: their test images differ (limit" in i for i in infos)
    assert len(at.get("plotly_chart")) == 1  # the curves only


def test_the_same_run_twice_or_a_single_run_asks_for_two(pair):
    root, a, b = pair
    at = open_page("compare", timeout=120)
    at.selectbox(key="compare_run_a").set_value(b.id).run()
    assert any("choose two different runs" in i.value for i in at.info)
    shutil.rmtree(a.dir)
    at = open_page("compare")
    assert any("Compare needs two trained runs" in i.value for i in at.info)
