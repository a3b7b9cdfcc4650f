"""AppTest drives the Predict page: uploads, junk, bundles."""

import base64
import io
import json

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from cnnviz.data import load_dataset
from cnnviz.figures.predictions import gradcam_picture
from cnnviz.gradcam import grad_cam
from cnnviz.predict import predict, prepare_image
from cnnviz.runs import list_runs, load_run
from tests.app.pages import errors, open_page


def png(array: np.ndarray, size=(40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array.squeeze()).resize(size).convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def typed_array(value) -> np.ndarray:
    """An array as plotly's JSON carries it ({"dtype", "bdata", "shape"}), decoded."""
    if not isinstance(value, dict):
        return np.asarray(value)
    flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return flat.reshape([int(n) for n in str(value.get("shape", len(flat))).split(",")])


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
    charts = [go.Figure(json.loads(c.proto.spec)) for c in at.get("plotly_chart")]
    assert len(charts) == 3  # the bars, Grad-CAM beside them, the network below
    image = prepare_image(data, run.config["image_shape"])
    (heat,) = [t for t in charts[1].data if t.name == "Grad-CAM"]
    np.testing.assert_allclose(
        typed_array(heat.z), grad_cam(run.model(), image, class_index=expected.label), atol=1e-5
    )
    assert {"input", "conv2d channel 0", "conv2d_1 channel 0"} <= {t.name for t in charts[2].data}
    assert any(s.name == f"class {expected.name}" for s in charts[2].layout.shapes)


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


def drawing(array: np.ndarray) -> dict:
    """The canvas component's state after a stroke: the drawing as a PNG data URL."""
    data = png(array, size=(280, 280))
    return {"image": "data:image/png;base64," + base64.b64encode(data).decode("ascii")}


def test_each_drawing_gets_its_answer_and_the_first_convolutions_maps(runs_with_model):
    root, run_id = runs_with_model
    run = load_run(run_id, root)
    model, shape, names = run.model(), run.config["image_shape"], run.config["class_names"]
    digits = load_dataset("digits").test.images
    # Two test digits the model answers differently: the answer must follow the drawing.
    answers = [predict(model, prepare_image(png(d, (280, 280)), shape), names) for d in digits[:40]]
    first = 0
    second = next(i for i, a in enumerate(answers) if a.label != answers[first].label)
    at = open_page("predict", timeout=120)
    at.radio(key="predict_source").set_value("Draw").run()
    assert any("Give the model an image" in i.value for i in at.info)
    for index in (first, second):
        at.session_state["predict_canvas"] = drawing(digits[index])
        at.run()
        assert not at.exception and not at.error
        expected = answers[index]
        assert at.subheader[0].value == f"Prediction: {expected.name} · {expected.probability:.1%}"
        charts = [go.Figure(json.loads(c.proto.spec)) for c in at.get("plotly_chart")]
        assert len(charts) == 3  # bars, Grad-CAM, the first convolution's maps
        assert charts[2].layout.title.text.startswith("conv2d (Conv2D), output (8, 8, 32)")
    at.toggle(key="predict_draw_network").set_value(True).run()
    charts = [go.Figure(json.loads(c.proto.spec)) for c in at.get("plotly_chart")]
    assert len(charts) == 4 and "input" in {t.name for t in charts[3].data}  # the network
    at.session_state["predict_canvas"] = {"image": None}  # Clear
    at.run()
    assert any("Give the model an image" in i.value for i in at.info)


def camera_frame(array: np.ndarray, number: int) -> dict:
    """The live camera component's state after a frame: its number and a JPEG data URL."""
    buffer = io.BytesIO()
    Image.fromarray(array.squeeze()).resize((224, 224)).convert("RGB").save(buffer, "JPEG")
    url = "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return {"frame": {"id": number, "image": url}, "problem": None}


def test_the_live_camera_answers_each_frame_with_grad_cam_only(runs_with_model):
    """Issue 27: the answer and Grad-CAM follow the camera (no whole network per frame)."""
    root, run_id = runs_with_model
    run = load_run(run_id, root)
    model, shape, names = run.model(), run.config["image_shape"], run.config["class_names"]
    digits = load_dataset("digits").test.images
    at = open_page("predict", timeout=120)
    at.radio(key="predict_source").set_value("Camera").run()
    assert at.get("camera_input")  # a photo at first
    at.toggle(key="predict_live_on").set_value(True).run()
    assert not at.get("camera_input") and not at.exception
    for number, index in enumerate((0, 1, 2), start=1):
        state = camera_frame(digits[index], number)
        at.session_state["predict_live"] = state
        at.run()
        assert not at.exception and not at.error
        data = base64.b64decode(state["frame"]["image"].split(",", 1)[1])
        expected = predict(model, prepare_image(data, shape), names)
        assert at.subheader[0].value == f"Prediction: {expected.name} · {expected.probability:.1%}"
        keys = [c.key for c in at.get("plotly_chart")]
        assert [k.rsplit("-", 1)[-1] for k in keys] == ["predict_bars"]  # then one picture
        (picture,) = [i.proto.imgs[0] for i in at.image]
        heat = grad_cam(model, prepare_image(data, shape), class_index=expected.label)
        _, text = gradcam_picture(
            prepare_image(data, shape), heat, title=f"Where the model looked for '{expected.name}'"
        )
        assert picture.alt == text and "the heatmap is strongest in the" in text
    at.session_state["predict_live"] = {"frame": None, "problem": "denied"}
    at.run()
    assert any("The camera was refused: allow this site" in e for e in errors(at))
