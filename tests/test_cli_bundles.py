"""`export` and `import` on the command line: the Predict page's bundle round trip, with
the same checks and the same messages (the engine's own `import_bundle` is the oracle)."""

import io
import zipfile

import numpy as np
import pytest

from cnnviz import bundle
from cnnviz.cli import main
from cnnviz.errors import CnnvizError
from cnnviz.runs import list_runs
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
    for argv, words in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("error: ") and words in err and err.count("\n") == 1, err
