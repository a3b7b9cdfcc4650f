"""AppTest drives the Export panel of Inspect and Predict on a really trained run.

Oracles: the run's Keras model (of the epoch shown) on the dataset's test split, and the
exported file run by its own runtime (`tf.lite.Interpreter`), never by cnnviz's code.
"""

import dataclasses
import io
import re
import sys
import warnings
import zipfile

import numpy as np
import pytest

import cnnviz.export
from cnnviz import export_formats
from cnnviz.data import load_dataset, rescale
from cnnviz.runs import list_runs, load_run
from tests.app.pages import capture_downloads, download_buttons, errors, open_page


def digits_test():
    return load_dataset("digits", limit=600).test  # the split the run was trained with


def litert_scores(archive: zipfile.ZipFile, pixels: np.ndarray) -> np.ndarray:
    """The exported model.tflite on raw pixels (N, H, W, C) 0-255, by TensorFlow Lite."""
    import tensorflow as tf

    with warnings.catch_warnings():  # its notice that it moves to the ai_edge_litert package
        warnings.simplefilter("ignore")
        interpreter = tf.lite.Interpreter(model_content=archive.read("model.tflite"))
    index = interpreter.get_input_details()[0]["index"]
    interpreter.resize_tensor_input(index, pixels.shape)
    interpreter.allocate_tensors()
    interpreter.set_tensor(index, pixels.astype(np.float32))
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def downloaded_zip(at, kept, key) -> zipfile.ZipFile:
    (button,) = download_buttons(at, key)
    return zipfile.ZipFile(io.BytesIO(kept[button.url]))


def assert_checked_on_every_test_image(at, n: int) -> None:
    (check,) = [s.value for s in at.success if s.value.startswith("Checked")]
    assert f"Checked on {n} test images" in check and f"on {n} of {n}" in check
    diff = float(re.search(r"at most ([0-9.e+-]+) \(max \|Δ\|", check).group(1))
    assert 0 <= diff <= 1e-4


def assert_litert_export_of(archive: zipfile.ZipFile, model, class_names) -> None:
    """The zip holds the model, its labels and README; the model answers as Keras does."""
    assert sorted(archive.namelist()) == ["README.md", "labels.txt", "model.tflite"]
    assert archive.read("labels.txt").decode("utf-8").splitlines() == list(class_names)
    assert "model.tflite" in archive.read("README.md").decode("utf-8")
    image = digits_test().images[:1]
    scores = litert_scores(archive, image)
    expected = model(rescale(image)).numpy()
    np.testing.assert_allclose(scores, expected, atol=1e-4)
    assert scores.argmax() == expected.argmax()


def test_inspect_exports_the_epoch_it_shows_to_litert_once(runs_with_model, monkeypatch):
    root, run_id = runs_with_model
    run = load_run(run_id, root)
    kept = capture_downloads(monkeypatch)
    at = open_page("inspect", timeout=120)
    at.select_slider(key="inspect_epoch").set_value(1).run()
    captions = [c.value for c in at.caption]
    assert "Exports the weights after epoch 1, the epoch shown above." in captions
    at.radio(key="inspect_export_format").set_value("litert").run()
    assert not download_buttons(at, "inspect_export_download")  # nothing before the click
    at.button(key="inspect_export_build").click().run(timeout=180)
    assert not at.exception and not at.error
    assert_checked_on_every_test_image(at, min(256, len(digits_test())))
    archive = downloaded_zip(at, kept, "inspect_export_download")
    assert_litert_export_of(archive, run.model(1), run.config["class_names"])
    # The weights of epoch 1, not the final model's (which answers otherwise after training).
    image = digits_test().images[:16]
    final = run.model()(rescale(image)).numpy()
    assert np.abs(litert_scores(archive, image) - final).max() > 1e-3

    # Reruns (another test image, a download click) find the export: it is not made again.
    made = []
    real = cnnviz.export.export_archive
    monkeypatch.setattr(
        cnnviz.export, "export_archive", lambda *a, **k: made.append(a) or real(*a, **k)
    )
    at.slider(key="inspect_image").set_value(3).run()
    at.run()
    assert download_buttons(at, "inspect_export_download") and not made
    # Another epoch is another export: asked for by a click again.
    at.select_slider(key="inspect_epoch").set_value(2).run()
    assert not download_buttons(at, "inspect_export_download")
    assert at.button(key="inspect_export_build").label == "Export as LiteRT (TensorFlow Lite)"


def test_predict_exports_the_final_model_and_a_bundle_that_imports_again(
    runs_with_model, monkeypatch
):
    root, run_id = runs_with_model
    run = load_run(run_id, root)
    kept = capture_downloads(monkeypatch)
    at = open_page("predict", timeout=120)
    radio = at.radio(key="predict_export_format")
    assert radio.options == [f.title for f in export_formats.FORMATS.values()]
    assert "Exports the final model, as it was at the end of training." in [
        c.value for c in at.caption
    ]
    radio.set_value("litert").run()
    at.button(key="predict_export_build").click().run(timeout=180)
    assert not at.exception and not at.error
    assert_checked_on_every_test_image(at, min(256, len(digits_test())))
    archive = downloaded_zip(at, kept, "predict_export_download")
    assert_litert_export_of(archive, run.model(), run.config["class_names"])

    # The bundle goes back into cnnviz: imported on the same page, it is a new run.
    at.radio(key="predict_export_format").set_value("bundle").run()
    at.button(key="predict_export_build").click().run(timeout=180)
    assert not at.exception and not at.error
    (button,) = download_buttons(at, "predict_export_download")
    at.file_uploader(key="predict_import").set_value(
        ("shared.zip", kept[button.url], "application/zip")
    )
    at.run()
    at.button(key="predict_import_button").click().run()
    assert any("Imported as run" in s.value for s in at.success)
    assert len(list_runs(root)) == 2


def test_onnx_without_its_packages_says_what_to_install(runs_with_model, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # `import onnx` fails, as if not installed
    at = open_page("predict", timeout=120)
    at.radio(key="predict_export_format").set_value("onnx").run()
    at.button(key="predict_export_build").click().run(timeout=180)
    assert not at.exception
    (message,) = errors(at)
    assert "needs the optional packages onnx, tf2onnx, onnxruntime" in message
    assert "pip install onnx tf2onnx onnxruntime" in message
    assert not download_buttons(at, "predict_export_download")


def test_an_export_that_does_not_match_keras_is_refused_with_the_engines_words(
    runs_with_model, monkeypatch
):
    """A converter whose model answers a little off Keras (by 0.01): nothing to download."""
    litert = export_formats.FORMATS["litert"]

    def off_by_a_little(path):
        real = litert.load(path)
        return lambda pixels: real(pixels) + 0.01

    broken = dataclasses.replace(litert, load=off_by_a_little)
    monkeypatch.setitem(export_formats.FORMATS, "litert", broken)
    at = open_page("inspect", timeout=120)
    at.button(key="inspect_export_build").click().run(timeout=180)
    assert not at.exception
    (message,) = errors(at)
    assert "does not match the Keras model" in message and "nothing was written" in message
    assert not download_buttons(at, "inspect_export_download")
    # A bundle holds the final model only: asked for epoch 1, the engine says so.
    at.select_slider(key="inspect_epoch").set_value(1).run()
    at.radio(key="inspect_export_format").set_value("bundle").run()
    at.button(key="inspect_export_build").click().run()
    assert not at.exception
    assert any("a bundle holds the run's final model" in text for text in errors(at))


@pytest.mark.parametrize("name", list(export_formats.FORMATS))
def test_every_format_says_what_it_is_for(name):
    from app_pages.panels.export import PURPOSES

    assert PURPOSES[name].startswith(("For ", "Back into cnnviz"))
