"""The teacher's results: one row per run of real trainings (digits, 1 epoch), checked
against the runs (Keras's parameter count, sklearn's recall), as CSV, and the same CSV
from `python -m cnnviz results --csv`; `python -m cnnviz delete RUN`."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import recall_score

from cnnviz import files, runs, runstatus
from cnnviz.cli import main
from cnnviz.metrics import classification_metrics
from cnnviz.results import COLUMNS, result_rows, results, results_csv, settings_summary
from cnnviz.spec import ModelSpec
from tests.helpers_runs import CONFIG, SPEC, train_run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """A runs folder with two trained runs of two desks, one queued run and one of no
    desk on an uploaded dataset, stopped before it read its data."""
    folder = tmp_path_factory.mktemp("runs")
    train_run(folder, "digits-small", limit=300, epochs=1, owner="alice", seed=1)
    train_run(folder, "digits-small", limit=300, epochs=1, owner="bob", batch_size=16)
    runs.create_run(SPEC, {**CONFIG, "owner": "alice"}, runs_dir=folder)
    upload = f"folder:{folder}/_uploads/carol/0123456789abcdef-pets.zip"
    spec = ModelSpec.from_dict({**SPEC.to_dict(), "name": "=HYPERLINK(1)"})
    runs.create_run(spec, {"dataset": upload}, runs_dir=folder, status="stopped")
    return folder


def sklearn_recall(confusion: np.ndarray) -> np.ndarray:
    """Recall per class by sklearn, from the labels a confusion matrix counts."""
    n = len(confusion)
    y_true = np.repeat(np.arange(n), confusion.sum(axis=1))
    y_pred = np.concatenate([np.repeat(np.arange(n), row) for row in confusion])
    return recall_score(y_true, y_pred, labels=range(n), average=None, zero_division=0)


def test_one_row_per_run_matching_the_runs(classroom):
    listed = runs.list_runs(classroom)
    rows = results(runs_dir=classroom)
    assert [row["run_id"] for row in rows] == [run.id for run in listed]
    recall_columns = [f"recall_{c}" for c in range(10)]
    assert all(list(row) == [*COLUMNS, *recall_columns] for row in rows)
    trained = 0
    for run, row in zip(listed, rows):
        assert row["desk"] == (run.owner or "") and row["status"] == run.state
        assert row["model"] == run.spec.name and row["settings"] == settings_summary(run.config)
        metrics = run.metrics()
        if metrics is None:
            assert row["test_accuracy"] is None and row["epochs"] == 0
            assert all(row[c] is None for c in recall_columns)
            continue
        trained += 1
        assert row["dataset"] == "digits" and row["epochs"] == 1
        assert row["parameters"] == run.report().total_params == run.model().count_params()
        assert row["test_accuracy"] == pytest.approx(metrics.accuracy)
        got = [row[c] for c in recall_columns]
        np.testing.assert_allclose(got, sklearn_recall(metrics.confusion_matrix))
    assert trained == 2
    owners = {row["desk"] for row in rows}
    assert owners == {"alice", "bob", ""}
    upload = next(row for row in rows if row["desk"] == "")
    assert upload["dataset"] == "pets.zip" and upload["parameters"] is None  # no server path
    bob = next(row for row in rows if row["desk"] == "bob")
    assert bob["settings"].startswith("adam, lr ") and bob["settings"].endswith(", batch 16")


def test_the_csv_holds_the_rows(classroom):
    rows = results(runs_dir=classroom)
    parsed = list(csv.DictReader(io.StringIO(results_csv(rows))))
    assert len(parsed) == len(rows)
    for row, line in zip(rows, parsed):
        assert list(line) == list(row)
        for column, value in row.items():
            if isinstance(value, float):
                assert float(line[column]) == pytest.approx(value, abs=5e-5)
            elif column != "model":
                assert line[column] == ("" if value is None else str(value))
    models = {line["model"] for line in parsed}
    assert "'=HYPERLINK(1)" in models  # a spreadsheet shows it, never runs it


def test_the_cli_prints_the_same_csv(classroom, capsys):
    assert main(["results", "--runs-dir", str(classroom), "--csv"]) == 0
    assert capsys.readouterr().out == results_csv(results(runs_dir=classroom))
    assert main(["results", "--runs-dir", str(classroom), "--owner", "Alice", "--csv"]) == 0
    alice = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(alice) == 2 and {line["desk"] for line in alice} == {"alice"}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "cnnviz", "results", "--runs-dir", str(classroom), "--csv"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == results_csv(results(runs_dir=classroom))


def test_the_cli_table_and_its_mistakes(classroom, tmp_path, capsys):
    assert main(["results", "--runs-dir", str(classroom)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == [c for c in COLUMNS if c != "settings"]
    assert "alice" in out and "%" in out
    assert main(["results", "--runs-dir", str(tmp_path / "none")]) == 0
    assert "no runs in" in capsys.readouterr().out
    assert main(["results", "--runs-dir", str(tmp_path / "none"), "--csv"]) == 0
    assert capsys.readouterr().out == ",".join(COLUMNS) + "\n"  # a header, no rows
    assert main(["results", "--owner", "../x", "--csv"]) == 2
    assert capsys.readouterr().err.startswith("error: --owner must be a short name")


def test_rows_of_runs_with_other_classes_get_their_own_columns(tmp_path):
    made = []
    for names in (["cat", "dog"], ["dog", "bird"]):
        config = {**CONFIG, "class_names": names, "num_classes": 2}
        run = runs.create_run(SPEC, config, runs_dir=tmp_path, status="completed")
        metrics = classification_metrics(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), names)
        files.write_json(run.dir / "metrics.json", metrics.to_dict())
        made.append(runs.load_run(run.id, tmp_path))
    rows = result_rows(made)
    recall = ["recall_cat", "recall_dog", "recall_bird"]
    assert all(list(row)[len(COLUMNS) :] == recall for row in rows)  # first seen first
    assert [rows[0][c] for c in recall] == [0.5, 1.0, None]
    assert [rows[1][c] for c in recall] == [None, 0.5, 1.0]


def test_settings_summary_names_the_main_hyper_parameters():
    config = {"training": {"optimizer": "sgd", "learning_rate": 0.1, "batch_size": 8}}
    assert settings_summary(config) == "sgd, lr 0.1, batch 8"
    assert (
        settings_summary({**config, "augment": {"flip": True}}) == "sgd, lr 0.1, batch 8, augmented"
    )
    assert settings_summary({}) == "?, lr ?, batch ?"


def test_delete_removes_a_stopped_run_and_refuses_a_running_one(tmp_path, capsys):
    done = runs.create_run(SPEC, CONFIG, runs_dir=tmp_path, status="stopped")
    busy = runs.create_run(SPEC, CONFIG, runs_dir=tmp_path, status="running")
    assert main(["delete", done.id, "--runs-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"deleted run {done.id}\n" and not done.dir.exists()
    assert main(["delete", busy.id, "--runs-dir", str(tmp_path)]) == 2
    assert "still running; stop it" in capsys.readouterr().err and busy.dir.exists()
    runstatus.write_status(busy.dir, "stopped", "stopped by the teacher")
    assert main(["delete", busy.id[:-2], "--runs-dir", str(tmp_path)]) == 0
    assert runs.list_runs(tmp_path) == []
    assert main(["delete", "nope", "--runs-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err.count("\n") == 1  # one line, no traceback


def test_delete_with_an_owner_and_every_replicas_jobs(tmp_path, capsys):
    """Issue 25: `delete RUN --owner` deletes only that desk's runs; `jobs` lists every
    replica's queued and running jobs from the claims in the runs folder."""
    from cnnviz.claims import Claims, desk_claim, slot_claim

    theirs = runs.create_run(SPEC, {**CONFIG, "owner": "bob"}, runs_dir=tmp_path, status="stopped")
    assert main(["delete", theirs.id, "--owner", "ann", "--runs-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: run ") and "another desk" in err and theirs.dir.exists()
    assert main(["delete", theirs.id, "--owner", "bob", "--runs-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"deleted run {theirs.id} of desk bob\n"
    assert main(["jobs", "--runs-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("no job queued or running")
    replica = Claims()
    replica.take(tmp_path, desk_claim("ann"), "run-a", desk="ann")
    replica.take(tmp_path, slot_claim(0), "run-a")
    try:
        assert main(["jobs", "--runs-dir", str(tmp_path), "--json"]) == 0
        (job,) = json.loads(capsys.readouterr().out)["jobs"]
        assert (job["run_id"], job["desk"], job["status"]) == ("run-a", "ann", "running")
        assert main(["jobs", "--runs-dir", str(tmp_path)]) == 0
        assert "run-a  running  ann" in capsys.readouterr().out
    finally:
        replica.release_job("run-a")
