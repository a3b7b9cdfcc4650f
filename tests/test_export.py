"""Exports of real trained runs, each read back by its own runtime here, not by cnnviz:
tf.lite.Interpreter one image at a time, the SavedModel's serving signature, an ONNX
Runtime session. Keras's `predict` on the test images divided by 255 is the oracle."""

import contextlib
import io
import re
import shutil
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cnnviz import export_check
from cnnviz.data import load_dataset
from cnnviz.errors import CnnvizError
from cnnviz.export import TOLERANCE, compare, export_archive, export_run
from cnnviz.export_formats import get
from cnnviz.export_readme import example
from cnnviz.runs import Run, create_run, load_run
from tests.helpers_runs import train_run

FORMATS = ["litert", "saved_model", "onnx"]
MODEL_FILE = {"litert": "model.tflite", "saved_model": "saved_model", "onnx": "model.onnx"}
NORMED = {
    "name": "normed",
    "layers": [
        {"type": "Conv2D", "filters": 8, "kernel_size": 3, "padding": "same"},
        {"type": "BatchNormalization"},
        {"type": "Activation", "activation": "relu"},
        {"type": "MaxPooling2D", "pool_size": 2},
        {"type": "Dropout", "rate": 0.3},
        {"type": "Flatten"},
        {"type": "Dense", "units": 16, "activation": "relu"},
        {"type": "Dropout", "rate": 0.5},
        {"type": "Dense", "units": "num_classes", "activation": "softmax"},
    ],
}
BINARY = {
    "name": "zero or one",
    "layers": [
        {"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu"},
        {"type": "Flatten"},
        {"type": "Dense", "units": 1, "activation": "sigmoid"},
    ],
}


def zeros_and_ones(root) -> str:
    """The digits 0 and 1 as colour PNGs in class folders "zero" and "one": a folder
    dataset of two classes, in RGB (3 channels)."""
    digits = load_dataset("digits")
    images = np.concatenate([digits.train.images, digits.test.images])[..., 0]
    labels = np.concatenate([digits.train.labels, digits.test.labels])
    tint = np.array([1.0, 0.7, 0.4])
    for label, name in [(0, "zero"), (1, "one")]:
        (root / name).mkdir(parents=True)
        for i, pixels in enumerate(images[labels == label]):
            colour = np.round(pixels[..., None] * tint).astype(np.uint8)
            Image.fromarray(colour).save(root / name / f"{i}.png")
    return f"folder:{root}"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three runs trained for real: the digits default, a binary sigmoid head on a colour
    folder dataset, and a model with BatchNormalization and Dropout."""
    root = tmp_path_factory.mktemp("runs")
    folder = zeros_and_ones(tmp_path_factory.mktemp("data") / "zeros-and-ones")
    return {
        "digits": train_run(root, "digits-small", limit=600, epochs=3),
        "binary": train_run(
            root, BINARY, folder, image_size=(8, 8), epochs=3, batch_size=16, learning_rate=0.01
        ),
        "normed": train_run(root, NORMED, limit=600, epochs=3, learning_rate=0.01),
    }


def split_images(run: Run) -> np.ndarray:
    """The run's test split, up to 256 images, uint8 (N, H, W, C), loaded here."""
    config = run.config
    size = config.get("image_size")
    dataset = load_dataset(
        config["dataset"],
        limit=config["limit"],
        seed=config["seed"],
        image_size=size and tuple(size),
    )
    return dataset.test.images[:256]


def keras_outputs(run: Run, images: np.ndarray, epoch=None) -> np.ndarray:
    return run.model(epoch).predict(images.astype(np.float32) / 255.0, verbose=0)


def answers(outputs: np.ndarray) -> np.ndarray:
    """The predicted class: a sigmoid's p >= 0.5, else the most probable class."""
    return (outputs[:, 0] >= 0.5).astype(int) if outputs.shape[1] == 1 else outputs.argmax(1)


def run_litert(path, pixels):
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    given, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    assert given["dtype"] == np.float32 and list(given["shape"][1:]) == list(pixels.shape[1:])
    rows = []
    for image in pixels:  # the exported input shape is (1, H, W, C): one image a call
        interpreter.set_tensor(given["index"], image[None])
        interpreter.invoke()
        rows.append(interpreter.get_tensor(out["index"])[0].copy())
    return np.stack(rows)


def run_saved_model(path, pixels):
    import tensorflow as tf

    serving = tf.saved_model.load(str(path)).signatures["serving_default"]
    [output] = serving(pixels=tf.constant(pixels)).values()
    return output.numpy()


def run_onnx(path, pixels):
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    [given] = session.get_inputs()
    assert given.type == "tensor(float)" and given.shape[1:] == list(pixels.shape[1:])
    return session.run(None, {given.name: pixels})[0]


pytestmark = pytest.mark.filterwarnings("ignore:.*tf.lite.Interpreter is deprecated")
RUNTIMES = {"litert": run_litert, "saved_model": run_saved_model, "onnx": run_onnx}


def assert_matches_keras(run, fmt, folder, images, epoch=None):
    """The written model, read by its own runtime, gives Keras's outputs and answers."""
    expected = keras_outputs(run, images, epoch)
    got = RUNTIMES[fmt](folder / MODEL_FILE[fmt], images.astype(np.float32))
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() <= TOLERANCE
    np.testing.assert_array_equal(answers(got), answers(expected))
    return float(np.abs(got - expected).max())


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", ["digits", "binary", "normed"])
def test_each_format_round_trips_against_keras(runs, tmp_path, kind, fmt):
    run = runs[kind]
    out = tmp_path / "export"
    result = export_run(run, fmt, out)
    images = split_images(run)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["README.md", "labels.txt", MODEL_FILE[fmt]]
    )
    diff = assert_matches_keras(run, fmt, out, images)
    assert result.path == str(out) and result.format == fmt
    assert result.images_checked == len(images) > 0
    assert result.argmax_agreement == 1.0 and result.max_abs_diff <= TOLERANCE
    assert result.max_abs_diff == pytest.approx(diff, abs=1e-6)  # what it reports is true
    assert result.bytes == sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    labels = (out / "labels.txt").read_text(encoding="utf-8").splitlines()
    assert labels == run.config["class_names"]
    text = " ".join((out / "README.md").read_text(encoding="utf-8").split())
    height, width, channels = run.config["image_shape"]
    assert f"float32 of shape (N, {height}, {width}, {channels})" in text
    assert "raw pixel values 0-255" in text and str(tmp_path) not in text
    if kind == "binary":  # the folders in name order: class 0 "one", class 1 "zero"
        assert labels == ["one", "zero"]
        assert "`zero` when it is at least 0.5, else `one`" in text


def readme_code(folder) -> str:
    text = (folder / "README.md").read_text(encoding="utf-8")
    [code] = re.findall(r"```python\n(.*?)```", text, re.S)
    return code


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", ["digits", "binary"])
def test_the_readme_example_classifies_an_image(runs, tmp_path, monkeypatch, kind, fmt):
    run = runs[kind]
    out = tmp_path / "export"
    export_run(run, fmt, out)
    images = split_images(run)[:12]
    expected = answers(keras_outputs(run, images))
    monkeypatch.chdir(out)
    for image, label in zip(images, expected):
        Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save("image.png")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(readme_code(out), {})
        assert printed.getvalue() == run.config["class_names"][label] + "\n"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_zip_holds_the_same_files(runs, tmp_path, fmt):
    run = runs["digits"]
    result = export_run(run, fmt, tmp_path / "model.zip")
    data, archived = export_archive(run, fmt)
    assert result.bytes == (tmp_path / "model.zip").stat().st_size
    assert archived.path == f"{run.id}-{fmt}.zip" and archived.bytes == len(data)
    assert archived.max_abs_diff == result.max_abs_diff
    assert archived.images_checked == result.images_checked == len(split_images(run))
    for i, source in enumerate([tmp_path / "model.zip", io.BytesIO(data)]):
        with zipfile.ZipFile(source) as zf:
            names = {n.split("/")[0] for n in zf.namelist()}
            assert names == {"README.md", "labels.txt", MODEL_FILE[fmt]}
            zf.extractall(tmp_path / f"x{i}")
        assert_matches_keras(run, fmt, tmp_path / f"x{i}", split_images(run))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.zip", "x0", "x1"]


def test_the_weights_of_an_epoch_are_exported(runs, tmp_path):
    run = runs["digits"]
    (tmp_path / "e1").mkdir()  # an empty folder is filled
    export_run(run, "litert", tmp_path / "e1", epoch=1)
    diff = assert_matches_keras(run, "litert", tmp_path / "e1", split_images(run), epoch=1)
    final = keras_outputs(run, split_images(run))
    got = run_litert(tmp_path / "e1" / "model.tflite", split_images(run).astype(np.float32))
    assert diff <= TOLERANCE < np.abs(got - final).max()  # epoch 1's model, not the last


def test_a_bundle_is_checked_and_imports_again(runs, tmp_path):
    from cnnviz.bundle import import_bundle

    run = runs["normed"]
    result = export_run(run, "bundle", tmp_path / "run.zip")
    assert result.to_dict() == {
        "path": str(tmp_path / "run.zip"),
        "format": "bundle",
        "bytes": (tmp_path / "run.zip").stat().st_size,
        "max_abs_diff": 0.0,
        "argmax_agreement": 1.0,
        "images_checked": len(split_images(run)),
    }
    copy = import_bundle(tmp_path / "run.zip", runs_dir=tmp_path / "other")
    images = split_images(run)
    np.testing.assert_array_equal(keras_outputs(copy, images), keras_outputs(run, images))


def test_compare_refuses_a_changed_answer_or_a_difference_beyond_the_tolerance():
    softmax = np.array([[0.6, 0.4], [0.2, 0.8]], np.float32)
    assert compare(softmax, softmax + 1e-5, what="x") == (pytest.approx(1e-5, rel=0.05), 1.0)
    tied = np.array([[0.5, 0.5], [0.2, 0.8]], np.float32)
    flipped = tied + np.array([[-1e-6, 1e-6], [0, 0]], np.float32)  # within 1e-4, not the answer
    with pytest.raises(CnnvizError, match=r"1 of 2 answers changed; nothing was written"):
        compare(tied, flipped, what="the LiteRT export of run r")
    sigmoid = np.array([[0.5], [0.9]], np.float32)  # class 1 at exactly the threshold
    with pytest.raises(CnnvizError, match="argmax_agreement=0.5"):
        compare(sigmoid, sigmoid - np.float32(1e-6), what="x")
    with pytest.raises(CnnvizError, match=r"differ by up to 2.0e-03 \(at most 1e-04"):
        compare(softmax, softmax + 2e-3, what="x")
    with pytest.raises(CnnvizError, match="Received: max_abs_diff=nan"):
        compare(softmax, softmax * np.nan, what="x")
    with pytest.raises(CnnvizError, match=r"outputs of shape \[2, 1\] where Keras returns"):
        compare(softmax, sigmoid, what="x")


def test_an_export_beyond_the_tolerance_writes_nothing(runs, tmp_path, monkeypatch):
    monkeypatch.setattr(export_check, "TOLERANCE", -1.0)  # every difference is too large
    for fmt, out in [("litert", tmp_path / "m"), ("onnx", tmp_path / "m.zip")]:
        with pytest.raises(CnnvizError, match="does not match the Keras model on 150 test images"):
            export_run(runs["digits"], fmt, out)
    assert list(tmp_path.iterdir()) == []


def test_formats_resolve_by_name_or_alias_and_a_near_miss_is_named():
    assert get("tflite").name == "litert" and get("SavedModel").name == "saved_model"
    assert get("tf-saved-model").name == "saved_model" and get("ONNX").name == "onnx"
    with pytest.raises(CnnvizError, match=r"\(did you mean 'onnx'\?\)\. Received: format=\"onx\""):
        get("onx")


def test_onnx_without_its_packages_says_what_to_install(runs, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tf2onnx", None)  # as if it were not installed
    with pytest.raises(CnnvizError) as caught:
        export_run(runs["digits"], "onnx", tmp_path / "m")
    assert "tf2onnx cannot be imported here" in str(caught.value)
    assert "`pip install onnx tf2onnx onnxruntime`" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def damaged(run: Run, tmp_path, how: str) -> Run:
    """A copy of the run with one file broken."""
    copy = tmp_path / "runs" / run.id
    shutil.copytree(run.dir, copy)
    if how == "weights":
        (copy / "model.keras").write_bytes(b"PK\x03\x04 not a model")
        for path in (copy / "epochs").iterdir():
            path.write_bytes(b"garbage")
    return load_run(copy)


def test_runs_that_cannot_be_exported_leave_nothing(runs, tmp_path, read_only):
    broken = damaged(runs["digits"], tmp_path, "weights")
    untrained = create_run(
        broken.spec, broken.config, runs_dir=tmp_path / "runs", status="failed", message="boom"
    )
    running = create_run(broken.spec, broken.config, runs_dir=tmp_path / "runs", status="running")
    frozen = read_only(tmp_path / "frozen")
    full = tmp_path / "full"
    (full / "old").mkdir(parents=True)
    out = tmp_path / "out"
    out.mkdir()
    cases = [
        (broken, "litert", out / "m", {}, "model file is damaged"),
        (untrained, "saved_model", out / "m", {}, "has no trained model (failed: boom)"),
        (running, "litert", out / "m.zip", {}, "is still running; export it once it has ended"),
        (runs["digits"], "litert", frozen / "m", {}, f"cannot write {frozen / 'm'}"),
        (runs["digits"], "onnx", frozen / "m.zip", {}, f"cannot write {frozen / 'm.zip'}"),
        (runs["digits"], "bundle", frozen / "m.zip", {}, f"cannot write {frozen / 'm.zip'}"),
        (runs["digits"], "litert", full, {}, "already exists; give a new folder name"),
        (runs["digits"], "litert", out / "no" / "m", {}, "the folder"),
        (runs["digits"], "bundle", out / "m.tar", {}, "must end in .zip"),
        (runs["digits"], "bundle", out / "m.zip", {"epoch": 1}, "a bundle holds the run's"),
        (runs["digits"], "litert", out / "m", {"epoch": 9}, "has no weights after epoch 9"),
        (runs["digits"], "tf-lite", out / "m", {}, "did you mean 'tflite'"),
    ]
    for run, fmt, target, options, words in cases:
        with pytest.raises(CnnvizError) as caught:
            export_run(run, fmt, target, **options)
        assert words in str(caught.value), (fmt, target, caught.value)
    assert list(out.iterdir()) == [] and list(frozen.iterdir()) == []
    assert [p.name for p in full.iterdir()] == ["old"]


def test_a_dataset_gone_from_this_machine_is_named_and_a_bundle_still_goes(tmp_path):
    from cnnviz.desk_uploads import remove_upload
    from tests.helpers_runs import as_upload, noise_folder

    folder = as_upload(noise_folder(tmp_path / "gone", (12, 12)), tmp_path / "runs")
    shutil.rmtree(tmp_path / "gone")
    run = train_run(tmp_path / "runs", BINARY, folder, image_size=(8, 8), epochs=1, batch_size=8)
    remove_upload(folder, desk=None, runs_dir=tmp_path / "runs")  # the upload is gone
    with pytest.raises(CnnvizError, match="an export is checked on the run's test images, and"):
        export_run(run, "litert", tmp_path / "m")
    result = export_run(run, "bundle", tmp_path / "m.zip")  # a bundle still goes: its weights
    assert (result.images_checked, result.max_abs_diff, result.argmax_agreement) == (0, None, None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.zip", "runs"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_projects_readme_shows_the_tested_example(fmt):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"```python\n{example(get(fmt), [8, 8, 1], 10)}\n```" in readme
