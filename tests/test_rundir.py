"""The one writer of run folders: the runs root, atomic files, status words, and runs
whose process died.

Oracles: processes started and ended here, files read back by hand."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cnnviz import files, rundir, runs, runstatus
from cnnviz.errors import CnnvizError
from tests.helpers_runs import CONFIG, SPEC


def dead_pid() -> int:
    """The pid of a process that has already exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_runs_root_precedence(tmp_path, monkeypatch):
    monkeypatch.delenv("CNNVIZ_RUNS_DIR", raising=False)
    assert rundir.runs_root() == Path("runs")
    monkeypatch.setenv("CNNVIZ_RUNS_DIR", str(tmp_path / "env"))
    assert rundir.runs_root() == tmp_path / "env"
    assert rundir.runs_root(tmp_path / "arg") == tmp_path / "arg"


def test_a_run_whose_process_died_reads_interrupted(runs_dir):
    run = runs.create_run(SPEC, CONFIG)
    runstatus.write_status(run.dir, "running", "training")
    status_file = run.dir / "status.json"
    document = json.loads(status_file.read_text())
    document["pid"] = dead_pid()
    status_file.write_text(json.dumps(document))
    listed = runs.list_runs()[0]
    assert listed.state == "interrupted"
    assert str(document["pid"]) in listed.status["message"]
    assert json.loads(status_file.read_text())["status"] == "interrupted"  # saved so


def test_a_reused_pid_does_not_keep_a_run_alive(runs_dir):
    run = runs.create_run(SPEC, CONFIG, status="running")
    status_file = run.dir / "status.json"
    document = json.loads(status_file.read_text())
    document.update(pid=1, proc_start="not-the-start-of-pid-1")  # pid 1 lives, another
    status_file.write_text(json.dumps(document))
    assert runs.load_run(run.id).state == "interrupted"


def test_runs_of_this_process_and_finished_runs_keep_their_status(runs_dir):
    running = runs.create_run(SPEC, CONFIG, status="running")
    assert runs.load_run(running.id).state == "running"
    done = runs.create_run(SPEC, CONFIG)
    runstatus.write_status(done.dir, "completed", "trained 2 epochs", test_accuracy=0.5)
    document = json.loads((done.dir / "status.json").read_text())
    document["pid"] = dead_pid()
    (done.dir / "status.json").write_text(json.dumps(document))
    loaded = runs.load_run(done.id)
    assert loaded.state == "completed" and loaded.test_accuracy == 0.5


def test_write_status_keeps_earlier_fields_and_refuses_unknown_words(runs_dir):
    run = runs.create_run(SPEC, CONFIG)
    runstatus.write_status(run.dir, "running", "epoch 1", epochs_completed=1)
    document = runstatus.write_status(run.dir, "stopped", "stopped on request")
    assert document["epochs_completed"] == 1 and document["status"] == "stopped"
    with pytest.raises(ValueError, match="status must be one of"):
        runstatus.write_status(run.dir, "paused")


def test_unreadable_status_reads_failed(runs_dir):
    run = runs.create_run(SPEC, CONFIG)
    (run.dir / "status.json").write_text("{not json")
    loaded = runs.load_run(run.id)
    assert loaded.state == "failed" and "not a valid status file" in loaded.status["message"]


def test_write_json_is_atomic_and_leaves_no_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "doc.json"
    files.write_json(path, {"a": 1})

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(json, "dump", full_disk)
    with pytest.raises(OSError):
        files.write_json(path, {"a": 2})
    assert json.loads(path.read_text()) == {"a": 1}  # the old document survives
    assert [p.name for p in tmp_path.iterdir()] == ["doc.json"]


def test_a_runs_root_that_is_a_file_is_said_so_everywhere(tmp_path, capsys, monkeypatch):
    from cnnviz.cli import main

    root = tmp_path / "runs.txt"
    root.write_text("not a folder")
    for call in (
        lambda: rundir.create(SPEC.to_dict(), CONFIG, runs_dir=root),
        lambda: runs.list_runs(root),
        lambda: runs.load_run("abc", root),
    ):
        with pytest.raises(CnnvizError, match=f"the runs folder {root} is a file, not a folder"):
            call()
    assert "is a file" in rundir.root_problem(root)
    for argv in (["train", "--data", "digits", "--model", "digits-small"], ["runs"]):
        assert main([*argv, "--runs-dir", str(root)]) == 2
        err = capsys.readouterr().err
        assert err == f"error: the runs folder {root} is a file, not a folder; {rundir.ELSEWHERE}\n"
    assert root.read_text() == "not a folder"
    monkeypatch.setenv("CNNVIZ_RUNS_DIR", str(root))  # the same through the environment
    assert main(["runs"]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_a_runs_root_inside_a_file_cannot_be_created(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert f"{blocker} is a file" in rundir.root_problem(blocker / "runs")
    with pytest.raises(CnnvizError, match="cannot be a folder"):
        rundir.create(SPEC.to_dict(), CONFIG, runs_dir=blocker / "runs")


def test_a_read_only_runs_root_is_refused_before_anything_is_written(tmp_path, read_only):
    root = read_only(tmp_path / "runs")
    assert rundir.root_problem(root) == (
        f"the runs folder {root} is read-only: no run, upload or import can be saved; "
        + rundir.ELSEWHERE
    )
    with pytest.raises(CnnvizError, match="is read-only: no run, upload or import can be saved"):
        rundir.create(SPEC.to_dict(), CONFIG, runs_dir=root)
    assert list(root.iterdir()) == []
    assert rundir.root_problem(tmp_path / "new" / "runs") is None  # can be created


def test_a_full_disk_while_creating_a_run_leaves_nothing(runs_dir, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(json, "dump", full_disk)
    with pytest.raises(CnnvizError, match="no space left on the disk to write"):
        rundir.create(SPEC.to_dict(), CONFIG)
    assert list(runs_dir.iterdir()) == []


def test_files_shipped_from_another_machine_land_whole_and_stay_inside(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    files = {"status.json": b'{"status": "completed"}', "epochs/epoch-0001.weights.h5": b"w1"}
    rundir.write_files(run_dir, files)
    assert (run_dir / "epochs" / "epoch-0001.weights.h5").read_bytes() == b"w1"
    assert json.loads((run_dir / "status.json").read_text()) == {"status": "completed"}
    assert sorted(p.name for p in run_dir.rglob("*")) == [
        "epoch-0001.weights.h5",
        "epochs",
        "status.json",
    ]
    with pytest.raises(CnnvizError, match="is not a file inside the run folder"):
        rundir.write_files(run_dir, {"../escape.txt": b"x"})
    assert not (tmp_path / "escape.txt").exists()


def test_config_json_has_one_writer(tmp_path, capsys):
    """Whoever makes a run (a training job, a bundle import), config.json is written by
    `cnnviz.rundir` and nothing else. Oracle: Python's audit events of every file opened
    for writing, and the module that asked for each."""
    from cnnviz.bundle import export_bundle, import_bundle
    from cnnviz.cli import main

    writers: set[str] = set()
    watching = [True]

    def hook(event, args):
        if not watching[0] or event != "open" or not isinstance(args[0], (str, Path)):
            return
        path, mode = str(args[0]), args[1] or ""
        if "config.json" not in Path(path).name or not set(mode) & set("wax+"):
            return
        frame = sys._getframe(1)
        while frame is not None:
            module = frame.f_globals.get("__name__", "")
            if module.startswith("cnnviz.") and module != "cnnviz.files":
                writers.add(module)
                break
            frame = frame.f_back

    sys.addaudithook(hook)
    try:
        root = tmp_path / "runs"
        command = ["train", "--data", "digits", "--model", "digits-small", "--epochs", "1"]
        assert main([*command, "--limit", "200", "--runs-dir", str(root), "--json"]) == 0
        (run,) = runs.list_runs(root)
        import_bundle(export_bundle(run), runs_dir=root, owner="ada")
    finally:
        watching[0] = False
    capsys.readouterr()
    assert len(runs.list_runs(root)) == 2
    assert writers == {"cnnviz.rundir"}
