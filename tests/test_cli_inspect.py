"""`python -m cnnviz evaluate | predict | featuremaps` on a run trained here.

Oracles: scikit-learn on the model's own Keras predictions, the engine's
`predict` on the dataset's original pixels, and the spec's layer rows.
"""

import json

import numpy as np
import pytest
from PIL import Image
from sklearn import metrics as skm

from cnnviz.data import rescale
from cnnviz.features import feature_maps
from cnnviz.figures.pixels import layer_grid
from cnnviz.images import save_png
from cnnviz.predict import predict
from tests.helpers_inspect import run_cli, save_run, trained_digits


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    model, report, dataset, history = trained_digits()
    return save_run(model, report.spec, dataset, history, tmp_path_factory.mktemp("runs"))


def test_evaluate_json_is_the_designs_document_checked_against_sklearn(run, capsys):
    code, out, err = run_cli(capsys, "evaluate", run.id, "--runs-dir", run.dir.parent, "--json")
    assert code == 0, err
    document = json.loads(out)
    assert set(document) == {"test_accuracy", "class_names", "confusion_matrix", "per_class"}
    model, _, dataset, _ = trained_digits()
    labels = dataset.test.labels
    predicted = model.predict(rescale(dataset.test.images), verbose=0).argmax(axis=1)
    assert document["test_accuracy"] == pytest.approx(skm.accuracy_score(labels, predicted))
    assert document["confusion_matrix"] == skm.confusion_matrix(labels, predicted).tolist()
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        labels, predicted, zero_division=0
    )
    assert [row["support"] for row in document["per_class"]] == support.tolist()
    np.testing.assert_allclose([row["f1"] for row in document["per_class"]], f1)
    np.testing.assert_allclose([row["precision"] for row in document["per_class"]], precision)
    np.testing.assert_allclose([row["recall"] for row in document["per_class"]], recall)
    assert document["class_names"] == [str(i) for i in range(10)]


def test_evaluate_prints_a_table_by_run_directory(run, capsys):
    code, out, _ = run_cli(capsys, "evaluate", run.dir)
    assert code == 0
    assert f"Run {run.id}: test accuracy" in out
    assert "precision  recall  f1" in out and "Confusion matrix" in out


@pytest.fixture(scope="module")
def digit_files(tmp_path_factory):
    """Three test digits saved as a big RGB JPEG, an RGBA PNG and a grayscale PNG."""
    _, _, dataset, _ = trained_digits()
    folder = tmp_path_factory.mktemp("images")
    paths = []
    for i, (fmt, mode) in enumerate([("JPEG", "RGB"), ("PNG", "RGBA"), ("PNG", "L")]):
        picture = Image.fromarray(dataset.test.images[i, ..., 0], "L")
        if fmt == "JPEG":
            picture = picture.resize((64, 64), Image.Resampling.NEAREST)
        path = folder / f"digit{i}.{fmt.lower()}"
        picture.convert(mode).save(path, fmt, **({"quality": 95} if fmt == "JPEG" else {}))
        paths.append(path)
    return paths


def test_predict_json_answers_as_the_engine_does_on_the_original_pixels(run, digit_files, capsys):
    code, out, err = run_cli(capsys, "predict", run.dir, *digit_files, "--top", 2, "--json")
    assert code == 0, err
    entries = json.loads(out)["predictions"]
    model, _, dataset, _ = trained_digits()
    names = list(dataset.info.class_names)
    for i, (path, entry) in enumerate(zip(digit_files, entries, strict=True)):
        expected = predict(model, rescale(dataset.test.images[i]), names, top_k=2)
        assert entry["image"] == str(path)
        assert [t["index"] for t in entry["top"]] == [s.index for s in expected.top]
        assert [t["class"] for t in entry["top"]] == [s.name for s in expected.top]
        np.testing.assert_allclose(
            [t["probability"] for t in entry["top"]],
            [s.probability for s in expected.top],
            atol=0.02,
        )


def test_predict_prints_one_line_per_image(run, digit_files, capsys):
    code, out, _ = run_cli(capsys, "predict", run.dir, *digit_files[:2])
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"{digit_files[0]}: ")


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--top", "0"], "--top must be at least 1"),
        (["--runs-dir", "/nowhere"], "no run"),
    ],
)
def test_predict_mistakes_exit_2_with_one_error_line(run, digit_files, capsys, extra, message):
    target = run.id if "--runs-dir" in extra else run.dir
    code, out, err = run_cli(capsys, "predict", target, digit_files[0], *extra)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and len(err.splitlines()) == 1


def test_junk_files_exit_2_naming_the_file(run, tmp_path, capsys):
    junk = tmp_path / "notes.png"
    junk.write_text("not a picture")
    for argv in (["predict", run.dir, junk], ["featuremaps", run.dir, junk, "--out", tmp_path]):
        code, out, err = run_cli(capsys, *argv)
        assert code == 2 and out == ""
        assert err.startswith("error: ") and "notes.png" in err and "Traceback" not in err


def test_featuremaps_writes_one_png_per_layer(run, digit_files, tmp_path, capsys):
    out_dir = tmp_path / "maps"
    code, out, err = run_cli(capsys, "featuremaps", run.dir, digit_files[2], "--out", out_dir)
    assert code == 0, err
    rows = run.model().layers[1:]
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == [f"{i:02d}_{layer.name}.png" for i, layer in enumerate(rows, start=1)]
    assert len(out.strip().splitlines()) == len(rows)
    model, _, dataset, _ = trained_digits()
    first = feature_maps(model, rescale(dataset.test.images[2]))[0]
    written = np.asarray(Image.open(out_dir / names[0]))
    np.testing.assert_array_equal(written, layer_grid(first))


def test_featuremaps_refuses_a_file_as_output_folder(run, digit_files, tmp_path, capsys):
    target = save_png(np.zeros((2, 2), np.uint8), tmp_path / "taken.png")
    code, _, err = run_cli(capsys, "featuremaps", run.dir, digit_files[0], "--out", target)
    assert code == 2 and "--out must be a folder" in err
