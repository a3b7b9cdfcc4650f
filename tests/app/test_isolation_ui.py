"""What crosses between desks on the pages (AppTest, classroom mode): a run trained on a
desk's upload shows another desk its numbers, never its images, until the desk shares
the upload; a desk deletes its own runs only; the Data page lists the desk's uploads.

Oracles: a real run trained on a real upload (the command line), the run folders.
"""

import contextlib
import io
import json

import pytest

from cnnviz.cli import main
from cnnviz.runs import list_runs, load_run
from cnnviz.uploads import store, upload_id
from tests.app.pages import open_page, shown
from tests.app.test_data_page import pets_zip


@pytest.fixture
def ada_run(runs_dir):
    """A run of desk ada, trained on ada's own upload (pets.zip)."""
    path = store(pets_zip(cats=8, dogs=8), "pets.zip", owner="ada")
    argv = [
        "train",
        "--data",
        upload_id(path),
        "--model",
        "digits-small",
        "--epochs",
        "1",
        "--batch-size",
        "4",
    ]
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = main([*argv, "--owner", "ada", "--runs-dir", str(runs_dir), "--json"])
    assert code == 0, out.getvalue()
    return json.loads(out.getvalue())["run_id"], upload_id(path)


def test_another_desk_sees_numbers_not_images_until_it_is_shared(ada_run, classroom):
    from cnnviz.desk_uploads import share_upload

    run_id, upload = ada_run
    state = {"cnnviz_everyone": True, "cnnviz_run": run_id}
    bob = open_page("inspect", timeout=120, cnnviz_desk="bob", **state)
    assert not bob.exception and not bob.error
    said = " ".join(shown(i.value) for i in bob.info)
    assert "trained on another desk's upload, pets.zip" in said
    assert [m.value for m in bob.metric][0].endswith("%")  # its test accuracy
    keys = {c.key for c in bob.get("plotly_chart")}
    assert "inspect_summary_curves" in keys and "inspect_overview" not in keys  # no images
    ada = open_page("inspect", timeout=120, cnnviz_desk="ada", **state)
    assert {c.key for c in ada.get("plotly_chart")} >= {"inspect_overview"}  # its own
    share_upload(upload, desk="ada")
    bob = open_page("inspect", timeout=120, cnnviz_desk="bob", **state)
    assert "inspect_overview" in {c.key for c in bob.get("plotly_chart")}  # shared


def test_a_desk_deletes_its_own_runs_only(ada_run, classroom, runs_dir):
    run_id, _ = ada_run
    bob = open_page("train", cnnviz_desk="bob", cnnviz_everyone=True, cnnviz_run=run_id)
    assert not [b for b in bob.button if b.label == "Delete"]  # not bob's to delete
    ada = open_page("train", cnnviz_desk="ada", cnnviz_run=run_id)
    next(b for b in ada.button if b.label == "Delete").click().run()
    assert not ada.exception
    notices = [shown(text) for _, text, _ in ada.session_state.cnnviz_notices]
    assert f"Deleted run {run_id}." in notices  # said above the page
    assert run_id not in [run.id for run in list_runs(runs_dir)]


def test_the_data_page_lists_the_desks_uploads_to_share_or_delete(ada_run, classroom):
    from cnnviz.desk_uploads import desk_uploads

    run_id, upload = ada_run
    at = open_page("data", cnnviz_desk="ada")
    toggle = at.toggle(key="data_share_0")
    assert toggle.label == "Share with every desk" and toggle.value is False
    toggle.set_value(True).run()
    assert desk_uploads("ada")[0].shared
    assert open_page("data", cnnviz_desk="bob").get("toggle") == []  # bob has none
    next(b for b in at.button if b.key == "data_delete_0").click().run()
    assert desk_uploads("ada") == []
    assert load_run(run_id).test_accuracy is not None  # its run keeps its numbers
