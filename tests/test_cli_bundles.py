"""`export` and `import` on the command line: the Predict page's bundle round trip, with
the same checks and the same messages (the engine's own `import_bundle` is the oracle)."""

import io
import json
import shutil
import sys
import zipfile

import numpy as np
import pytest

from cnnviz import bundle
from cnnviz.cli import main
from cnnviz.errors import CnnvizError
from cnnviz.runs import create_run, list_runs
from tests.helpers_inspect import save_run, trained_digits


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    model, report, dataset, history = trained_digits()
    return save_run(model, report.spec, dataset, history, tmp_path_factory.mktemp("runs"))


def test_export_then_import_is_the_same_run(run, tmp_path, capsys):
    out = tmp_path / "shared.zip"
    assert main(["export", str(run.dir), "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"exported run {run.id} to {out} (")
    with zipfile.ZipFile(out) as archive:
        assert "model.weights.h5" in archive.namelist()
    other = tmp_path / "other"
    assert main(["import", str(out), "--runs-dir", str(other)]) == 0
    [imported] = list_runs(other)
    assert capsys.readouterr().out == (
        f"imported shared.zip as run {imported.id} (completed) in {imported.dir}\n"
    )
    assert imported.config["imported_from"] == run.id and imported.spec == run.spec
    for a, b in zip(run.model().get_weights(), imported.model().get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def broken(kind: str, good: bytes) -> bytes:
    if kind == "junk":
        return b"not a zip"
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    if kind == "extra":
        files["evil.py"] = b"import os"
    elif kind == "no weights":
        del files["model.weights.h5"]
    elif kind == "bad weights":
        files["model.weights.h5"] = b"\x89HDF\r\n\x1a\n garbage"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["junk", "extra", "no weights", "bad weights", "empty"])
def test_a_broken_bundle_gets_the_pages_message(run, tmp_path, capsys, kind):
    good = bundle.export_bundle(run)
    data = b"" if kind == "empty" else broken(kind, good)
    path = tmp_path / "up.zip"
    path.write_bytes(data)
    with pytest.raises(CnnvizError) as page:  # what the Predict page shows for this upload
        bundle.import_bundle(data, runs_dir=tmp_path / "page", name="up.zip")
    assert main(["import", str(path), "--runs-dir", str(tmp_path / "cli")]) == 2
    assert capsys.readouterr().err == f"error: {page.value}\n"
    assert list_runs(tmp_path / "cli") == []


def test_export_and_import_mistakes_are_one_line(run, tmp_path, capsys, read_only):
    cases = [
        (["export", str(run.dir), "--out", str(tmp_path)], "is a folder; give a file name"),
        (["export", str(run.dir), "--out", str(tmp_path / "x.tar")], "must end in .zip"),
        (["export", "nope", "--out", str(tmp_path / "x.zip")], "no run 'nope'"),
        (["import", str(tmp_path / "missing.zip")], "no such file:"),
        (["import", str(tmp_path)], "is a folder; choose a .zip bundle"),
    ]
    frozen = read_only(tmp_path / "frozen")
    good = tmp_path / "good.zip"
    good.write_bytes(bundle.export_bundle(run))
    cases.append((["import", str(good), "--runs-dir", str(frozen)], "is read-only"))
    cases.append((["export", str(run.dir), "--out", str(frozen / "x.zip")], "cannot write"))
    for fmt in ("litert", "onnx"):  # a folder, and a zip
        target = frozen / ("m" if fmt == "litert" else "m.zip")
        cases.append(
            (["export", str(run.dir), "--format", fmt, "--out", str(target)], "cannot write")
        )
    for argv, words in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("error: ") and words in err and err.count("\n") == 1, err
    assert list(frozen.iterdir()) == []


def test_export_json_is_the_documented_document_and_stderr_stays_empty(run, tmp_path, capfd):
    out = tmp_path / "phone"
    assert main(["export", str(run.dir), "--format", "litert", "--out", str(out), "--json"]) == 0
    printed, err = capfd.readouterr()
    assert err == ""  # not even LiteRT's "INFO: Created TensorFlow Lite XNNPACK delegate"
    document = json.loads(printed)
    assert list(document) == [
        "path",
        "format",
        "bytes",
        "max_abs_diff",
        "argmax_agreement",
        "images_checked",
    ]
    assert document["path"] == str(out) and document["format"] == "litert"
    assert document["images_checked"] == 256 and document["argmax_agreement"] == 1.0
    assert 0 <= document["max_abs_diff"] <= 1e-4
    assert document["bytes"] == sum(p.stat().st_size for p in out.iterdir())
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "labels.txt", "model.tflite"]


def test_export_says_what_it_wrote_and_how_it_was_checked(run, tmp_path, capsys):
    out = tmp_path / "model.zip"
    argv = ["export", run.id, "--runs-dir", str(run.dir.parent), "--format", "ONNX"]
    assert main([*argv, "--out", str(out)]) == 0
    first, second = capsys.readouterr().out.splitlines()
    assert first.startswith(f"exported run {run.id} as ONNX to {out} (")
    assert second.startswith("checked against Keras on 256 test images: outputs differ by at most")
    assert second.endswith("same answer for 100%")
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["README.md", "labels.txt", "model.onnx"]


def test_export_mistakes_are_one_line_and_write_nothing(run, tmp_path, capfd, monkeypatch):
    broken = tmp_path / "runs" / run.id
    shutil.copytree(run.dir, broken)
    (broken / "model.keras").write_bytes(b"not a model")
    (tmp_path / "runs" / "bad").mkdir()
    (tmp_path / "runs" / "bad" / "status.json").write_text('{"status": "completed"}')
    untrained = create_run(run.spec, run.config, runs_dir=tmp_path / "runs", status="stopped")
    out = tmp_path / "out"
    out.mkdir()
    cases = [
        (
            [str(run.dir), "--format", "onx"],
            "format must be one of litert, saved_model, onnx, bundle (did you mean 'onnx'?). "
            'Received: format="onx"',
        ),
        ([str(broken), "--format", "litert"], "model file is damaged"),
        ([str(tmp_path / "runs" / "bad"), "--format", "litert"], "spec.json is missing"),
        ([str(untrained.dir), "--format", "saved_model"], "has no trained model"),
        ([str(run.dir), "--format", "bundle", "--epoch", "1"], "a bundle holds the run's"),
    ]
    for argv, words in cases:
        target = out / ("m.zip" if "bundle" in argv else "m")
        assert main(["export", *argv, "--out", str(target)]) == 2, argv
        err = capfd.readouterr().err
        assert err.startswith("error: ") and words in err and err.count("\n") == 1, err
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if it were not installed
    assert main(["export", str(run.dir), "--format", "onnx", "--out", str(out / "m")]) == 2
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "`pip install onnx tf2onnx onnxruntime`" in err
    assert list(out.iterdir()) == []


def with_dataset(good: bytes, dataset: str) -> bytes:
    """The bundle `good` with its config.json naming `dataset`."""
    import json

    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    files["config.json"] = json.dumps({**json.loads(files["config.json"]), "dataset": dataset})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "dataset", ["folder:/etc", "folder:/etc/", "folder:../../../../etc", "upload:../../etc"]
)
def test_a_bundle_naming_a_server_folder_exits_2_naming_no_file(run, tmp_path, capsys, dataset):
    """Issue 25: such a bundle imported fine, and Inspect listed /etc's files."""
    import os

    path = tmp_path / "evil.zip"
    path.write_bytes(with_dataset(bundle.export_bundle(run), dataset))
    runs = tmp_path / "runs"
    assert main(["import", str(path), "--runs-dir", str(runs)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("error: config.json in evil.zip names ")
    assert err.count("\n") == 1 and "/etc" not in err and "file(s)" not in err
    assert not [name for name in os.listdir("/etc") if len(name) >= 6 and name in err]
    assert list_runs(runs) == []


def test_a_desk_imports_a_bundle_of_its_upload_into_its_own_uploads(run, runs_dir, capsys):
    from cnnviz.evaluate import run_dataset
    from tests.helpers_uploads import upload_run

    trained = upload_run(runs_dir, "ann")
    data = bundle.export_bundle(trained)
    mine = bundle.import_bundle(data, runs_dir=runs_dir, owner="ann")
    assert mine.owner == "ann" and mine.config["dataset"] == trained.config["dataset"]
    assert len(run_dataset(mine).test) == len(run_dataset(trained).test)
    theirs = bundle.import_bundle(data, runs_dir=runs_dir, owner="bob")  # metrics and curves
    assert theirs.history() == trained.history()
    with pytest.raises(
        CnnvizError, match="pets.zip, which is no longer on this machine among desk bob's"
    ):
        run_dataset(theirs)  # looked for among bob's own uploads: not there
    capsys.readouterr()
    assert main(["import", str(_saved(data, runs_dir)), "--owner", "Bad Name!"]) == 2
    assert "owner must be a short name" in capsys.readouterr().err


def _saved(data: bytes, folder) -> str:
    path = folder.parent / "bundle.zip"
    path.write_bytes(data)
    return str(path)


def test_an_exported_bundle_of_an_upload_run_holds_no_absolute_path(runs_dir, tmp_path):
    """Issue 25: exports carried `folder:/.../runs/_uploads/alice/...-alice_pets.zip`."""
    import json

    from cnnviz.runs import Run
    from tests.helpers_uploads import upload_run

    trained = upload_run(runs_dir, "alice")
    legacy = json.loads((trained.dir / "config.json").read_text())  # as older runs say
    stored = runs_dir.resolve() / "_uploads" / "alice" / trained.config["dataset"][7:]
    legacy.update(dataset=f"folder:{stored}", data_dir=str(tmp_path / "tfds"))
    legacy["model"] = str(tmp_path / "specs" / "mine.json")
    (trained.dir / "config.json").write_text(json.dumps(legacy))
    data = bundle.export_bundle(Run.read(trained.dir))
    texts = [data]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        texts += [archive.read(name) for name in archive.namelist()]
        config = json.loads(archive.read("config.json"))
    for text in texts:
        for path in (tmp_path, tmp_path.resolve(), runs_dir, "_uploads"):
            assert str(path).encode() not in text
    assert config["dataset"] == trained.config["dataset"] and config["data_dir"] is None
    assert config["model"] == "mine.json"
