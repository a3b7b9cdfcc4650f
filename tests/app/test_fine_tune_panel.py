"""AppTest drives Train's **Unfreeze and fine-tune** (issue 27): a second run from a frozen
squeezenet run's weights, more blocks trainable, only for the desk's own runs."""

import json

import pytest

from cnnviz import presets
from cnnviz.plan import TrainConfig
from cnnviz.request import TrainRequest, run_job
from cnnviz.rundir import create
from tests.app.pages import errors, open_page, run_box
from tests.app.test_train_page import poll_until_done


def frozen_run(runs_dir, owner=None) -> str:
    """A squeezenet-head run on 40 shapes, one epoch (really trained)."""
    spec = presets.get("squeezenet-head")
    request = TrainRequest(
        spec, "shapes", TrainConfig(epochs=1, batch_size=8), limit=40, owner=owner
    )
    run_dir = create(spec.to_dict(), request.source(), runs_dir=runs_dir)
    assert run_job(request, run_dir=run_dir).status == "completed"
    return run_dir.name


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    runs = tmp_path_factory.mktemp("fine") / "runs"
    return runs, frozen_run(runs)


@pytest.fixture
def runs(trained, tmp_path, monkeypatch):
    import shutil

    root, run_id = trained
    copy = tmp_path / "runs"
    shutil.copytree(root, copy)
    monkeypatch.setenv("CNNVIZ_RUNS_DIR", str(copy))
    return copy, run_id


def test_fine_tune_starts_a_second_run_from_the_first_ones_weights(runs):
    root, first = runs
    at = open_page("train", cnnviz_run=first, cnnviz_dataset="shapes")
    assert run_box(at, "train_current_run").value == first
    key = f"train_fine_tune_{first}"
    blocks = at.number_input(key=f"{key}_blocks")
    assert (blocks.value, blocks.min, blocks.max) == (2, 1, 9)  # squeezenet: 9 blocks
    assert at.number_input(key=f"{key}_lr").value == pytest.approx(1e-4)  # a tenth
    blocks.set_value(1)
    at.number_input(key=f"{key}_epochs").set_value(1)
    at.button(key=key).click().run()
    assert not at.error, errors(at)
    second = at.session_state.train_job
    assert second and second != first
    poll_until_done(at, seconds=240)
    config = json.loads((root / second / "config.json").read_text())
    spec = json.loads((root / second / "spec.json").read_text())
    assert config["init_from"] == first and config["training"]["learning_rate"] == 1e-4
    assert spec["layers"][0] == {"type": "Backbone", "name": "squeezenet", "trainable_blocks": 1}
    assert json.loads((root / second / "status.json").read_text())["status"] == "completed"


def test_no_fine_tune_for_a_model_without_a_backbone(runs_with_model):
    _, run_id = runs_with_model
    at = open_page("train", cnnviz_run=run_id)
    assert not [b for b in at.button if (b.key or "").startswith("train_fine_tune_")]


def test_no_fine_tune_of_another_desks_run(runs, classroom):
    root, first = runs
    config = json.loads((root / first / "config.json").read_text())
    (root / first / "config.json").write_text(json.dumps({**config, "owner": "bob"}))
    ada = open_page("train", cnnviz_desk="ada", cnnviz_everyone=True, cnnviz_run=first)
    assert run_box(ada, "train_current_run").value == first
    assert not [b for b in ada.button if (b.key or "").startswith("train_fine_tune_")]
    bob = open_page("train", cnnviz_desk="bob", cnnviz_run=first)
    assert [b for b in bob.button if b.key == f"train_fine_tune_{first}"]  # bob's own
