"""AppTest drives the Predict page: uploads, junk, bundles."""

import io

import numpy as np
from PIL import Image

from cnnviz.data import load_dataset
from cnnviz.predict import predict, prepare_image
from cnnviz.runs import list_runs, load_run
from tests.app.pages import errors, open_page


def png(array: np.ndarray, size=(40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array.squeeze()).resize(size).convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def test_upload_predicts_like_the_engine(runs_with_model):
    root, run_id = runs_with_model
    at = open_page("predict", timeout=120)
    assert at.radio(key="predict_source").options == ["Upload", "Camera", "Draw"]
    digit = load_dataset("digits").test.images[0]
    data = png(digit)
    at.file_uploader(key="predict_upload").set_value(("seven.png", data, "image/png")).run()
    assert not at.exception and not at.error
    run = load_run(run_id, root)
    expected = predict(
        run.model(), prepare_image(data, run.config["image_shape"]), run.config["class_names"]
    )
    assert at.subheader[0].value == f"Prediction: {expected.name} · {expected.probability:.1%}"
    assert len(at.get("plotly_chart")) == 1


def test_junk_upload_is_a_clear_error(runs_with_model):
    at = open_page("predict", timeout=120)
    at.file_uploader(key="predict_upload").set_value(("x.png", b"not an image", "image/png"))
    at.run()
    assert not at.exception
    assert any("x.png is not an image cnnviz can read" in text for text in errors(at))


def test_bundle_import_adds_a_run_and_junk_bundle_is_refused(runs_with_model):
    root, run_id = runs_with_model
    from cnnviz.bundle import export_bundle

    bundle = export_bundle(load_run(run_id, root))
    at = open_page("predict", timeout=120)
    at.file_uploader(key="predict_import").set_value(("m.zip", bundle, "application/zip"))
    at.run()
    at.button(key="predict_import_button").click().run()
    assert not at.exception
    assert any("Imported as run" in s.value for s in at.success)
    assert len(list_runs(root)) == 2
    at.file_uploader(key="predict_import").set_value(("bad.zip", b"PK junk", "application/zip"))
    at.run()
    at.button(key="predict_import_button").click().run()
    assert any("bad.zip" in text for text in errors(at))
