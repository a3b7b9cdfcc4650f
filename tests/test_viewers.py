"""Viewing a run (issue 25): another desk's upload shows metrics and curves, not images
(unless shared); a run names only what a desk may open; viewing never downloads."""

import json
import shutil

import pytest

from cnnviz import desk_uploads, rundir, uploads
from cnnviz.coach import diagnose_run
from cnnviz.compare import compare_runs
from cnnviz.errors import CnnvizError
from cnnviz.evaluate import evaluate_run, run_dataset
from cnnviz.runs import Run, create_run
from cnnviz.viewers import Viewer, images_hidden, may_see_images
from tests.helpers_runs import SPEC, train_run
from tests.helpers_uploads import upload_run

ANN, BOB, TEACHER = Viewer("ann"), Viewer("bob"), Viewer("bob", teacher=True)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Desk ann's run on its upload, and a digits run, in one runs folder."""
    runs_dir = tmp_path_factory.mktemp("viewers") / "runs"
    return upload_run(runs_dir, "ann"), train_run(runs_dir, SPEC.to_dict(), epochs=1, limit=100)


def copied(run: Run, **config) -> Run:
    """A copy of `run` (a new run folder beside it) with some config entries changed."""
    target = rundir.new_run_dir("copy", runs_dir=run.dir.parent)
    shutil.rmtree(target)
    shutil.copytree(run.dir, target)
    document = json.loads((target / "config.json").read_text())
    (target / "config.json").write_text(json.dumps({**document, **config}))
    return Run.read(target)


def test_another_desk_sees_the_metrics_and_curves_but_not_the_images(trained):
    run, _ = trained
    assert may_see_images(run, ANN) and may_see_images(run, TEACHER) and may_see_images(run, None)
    assert not may_see_images(run, BOB) and not may_see_images(run, Viewer())
    assert run_dataset(run, viewer=ANN).info.id == run.config["dataset"]
    with pytest.raises(CnnvizError) as caught:
        evaluate_run(run, viewer=BOB)
    message = str(caught.value)
    assert "another desk's upload, pets.zip" in message and "unless the desk shares it" in message
    assert str(run.dir.parent) not in message and "ann" not in message  # hidden names hold
    assert run.history()["loss"] and run.metrics() is not None  # what every desk sees
    evaluate_run(run, viewer=TEACHER)
    evaluate_run(run)  # the command line


def test_sharing_lets_every_desk_see_them_until_it_is_taken_back(trained):
    run, _ = trained
    upload = run.config["dataset"]
    desk_uploads.share_upload(upload, desk="ann", runs_dir=run.dir.parent)
    try:
        assert may_see_images(run, BOB)
        assert len(run_dataset(run, viewer=BOB).test) > 0
    finally:
        desk_uploads.share_upload(upload, desk="ann", shared=False, runs_dir=run.dir.parent)
    assert images_hidden(run, BOB)


def test_compare_and_the_coach_keep_to_the_curves_for_another_desk(trained):
    run, digits_run = trained
    comparison = compare_runs(digits_run, run, viewer=BOB)
    assert "another desk's upload" in comparison.reason and not comparison.same_test_split
    assert comparison.histories[1]["loss"] == run.history()["loss"]
    assert comparison.test_accuracy[1] == run.test_accuracy
    findings = diagnose_run(run, viewer=BOB)
    (note,) = [f for f in findings if f.kind == "dataset_unavailable"]
    assert "another desk's upload" in note.evidence


def test_an_old_folder_id_of_an_upload_still_opens_for_its_desk(trained):
    run, _ = trained
    stored = uploads.find_upload(
        uploads.stored_name(run.config["dataset"]), desk="ann", runs_dir=run.dir.parent
    )
    old = copied(run, dataset=f"folder:{stored.resolve()}")  # as runs before issue 25 say
    assert len(run_dataset(old, viewer=ANN).test) == len(run_dataset(run, viewer=ANN).test)
    assert run_dataset(old).info.id == run.config["dataset"]  # the command line too
    with pytest.raises(CnnvizError, match="another desk's upload"):
        run_dataset(old, viewer=BOB)
    moved = copied(run, dataset=f"folder:/elsewhere/runs/_uploads/ann/{stored.name}")
    assert len(run_dataset(moved, viewer=ANN).test) > 0  # a runs folder mounted elsewhere


def test_a_run_naming_a_server_folder_is_refused_to_a_desk(trained, tmp_path):
    run, _ = trained
    planted = copied(run, dataset="folder:/etc", owner="bob")  # imported before the fix
    for viewer in (BOB, TEACHER):
        with pytest.raises(CnnvizError) as caught:
            run_dataset(planted, viewer=viewer)
        message = str(caught.value)
        assert "a folder of the server" in message and "/etc" not in message
        assert "ignored" not in message


def test_a_deleted_upload_says_so_by_its_name(trained):
    run, _ = trained
    gone = copied(run, dataset="upload:0123456789abcdef-gone.zip")
    with pytest.raises(CnnvizError) as caught:
        run_dataset(gone, viewer=ANN)
    assert str(caught.value).startswith(
        f"run {gone.id} was trained on gone.zip, which is no longer on this machine"
    )


TFDS_CONFIG = {
    "dataset": "tfds:mnist",
    "data_dir": None,
    "image_shape": [28, 28, 1],
    "num_classes": 10,
    "class_names": [str(i) for i in range(10)],
}


def test_viewing_a_tfds_run_asks_the_loader_never_to_download(runs_dir):
    run = create_run(SPEC, TFDS_CONFIG, runs_dir=runs_dir, status="completed")
    calls = []

    def load(dataset_id, **options):
        calls.append((dataset_id, options))
        raise CnnvizError("not cached")

    for viewer in (None, ANN):
        with pytest.raises(CnnvizError, match="not cached"):
            run_dataset(run, load=load, viewer=viewer)
    assert [c[0] for c in calls] == ["tfds:mnist", "tfds:mnist"]
    assert all(options["download"] is False for _, options in calls)


def test_viewing_an_uncached_tfds_run_tries_no_network(runs_dir, tmp_path, monkeypatch):
    import tensorflow_datasets as tfds

    from cnnviz.data import tfds as tfds_data

    def no_network(*args, **kwargs):
        raise AssertionError("viewing a run tried the network")

    monkeypatch.setattr(tfds_data, "_reachable", no_network)
    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare", no_network)
    empty = tmp_path / "tfds-cache"
    run = create_run(
        SPEC, {**TFDS_CONFIG, "data_dir": str(empty)}, runs_dir=runs_dir, status="completed"
    )
    with pytest.raises(CnnvizError) as caught:
        run_dataset(run)
    assert "never downloads" in str(caught.value)
    assert not empty.exists() or not any(empty.rglob("*.tfrecord*"))


def test_in_classroom_mode_the_tfds_cache_is_the_servers_and_unnamed(
    runs_dir, tmp_path, monkeypatch
):
    import tensorflow_datasets as tfds

    from cnnviz.data import tfds as tfds_data
    from cnnviz.plan import TrainConfig
    from cnnviz.request import TrainRequest

    server, student = tmp_path / "server-tfds", tmp_path / "typed-by-a-student"
    monkeypatch.setenv("CNNVIZ_CLASS_CODE", "maths")
    monkeypatch.setenv("TFDS_DATA_DIR", str(server))
    monkeypatch.setattr(tfds_data, "_reachable", lambda *a, **k: True)  # even online
    monkeypatch.setattr(
        tfds.core.DatasetBuilder,
        "download_and_prepare",
        lambda *a, **k: pytest.fail("viewing a run downloaded"),
    )
    run = create_run(
        SPEC, {**TFDS_CONFIG, "data_dir": str(student)}, runs_dir=runs_dir, status="completed"
    )
    with pytest.raises(CnnvizError) as caught:
        run_dataset(run, data_dir=str(student), viewer=ANN)
    message = str(caught.value)
    assert "this server's TFDS cache" in message and "ask the teacher" in message
    assert str(tmp_path) not in message and not student.exists()
    request = TrainRequest(SPEC, "tfds:mnist", TrainConfig(), data_dir=str(student))
    assert request.data_dir is None and request.source()["data_dir"] is None


def test_a_run_whose_owner_is_a_path_reaches_no_folder(trained):
    run, _ = trained
    hostile = copied(run, owner="../../etc")  # a hand-edited config.json
    for viewer in (None, ANN):
        with pytest.raises(CnnvizError, match="desk must be a short name"):
            run_dataset(hostile, viewer=viewer)
