"""Predict: ask a trained model about an image you upload, photograph, film or draw."""

import streamlit as st

from app_pages.frame.desk import current_desk
from app_pages.frame.feedback import plain, show_error
from app_pages.frame.state import init_state
from app_pages.panels.export import export_panel
from app_pages.panels.live_camera import live_camera
from app_pages.panels.predict_why import live_drawing, show_reasons
from app_pages.panels.run_picker import pick_run
from app_pages.server.datasets import IMAGE_TYPES
from app_pages.server.runs import run_and_model
from cnnviz.bundle import import_bundle
from cnnviz.errors import CnnvizError

DRAWABLE = ("digits", "tfds:mnist")  # grayscale digits: a drawn digit looks like them

init_state()
st.title("Predict")
st.caption(
    "The image is resized and rescaled exactly as the training images were. Beside the "
    "answer: where the model looked (Grad-CAM), and the whole network for the image."
)

run_id = pick_run("predict_run")
if run_id is None:
    st.stop()
try:
    run, model = run_and_model(run_id)
except CnnvizError as err:
    show_error(err)
    st.stop()
shape, names = run.config["image_shape"], list(run.config["class_names"])

sources = ["Upload", "Camera", *(["Draw"] if run.config.get("dataset") in DRAWABLE else [])]
source = st.radio("Image from", sources, horizontal=True, key="predict_source")
live = source == "Camera" and st.toggle(
    "Live: the answer follows the camera", key="predict_live_on", help="Off: one photo."
)
if source == "Draw":
    live_drawing(model, shape, names)
elif live:
    live_camera(model, shape, names)
else:
    left, right = st.columns([1, 2], gap="large")
    with left:
        if source == "Upload":
            upload = st.file_uploader(
                "An image (PNG, JPEG, WebP, GIF, BMP)", key="predict_upload", type=IMAGE_TYPES
            )
            data, label = (upload.getvalue(), upload.name) if upload else (None, None)
        else:
            photo = st.camera_input("Take a photo", key="predict_camera")
            data, label = (photo.getvalue(), "camera photo") if photo else (None, None)
    show_reasons(right, model, data, label, shape, names)

with st.expander("Share this model: export it, or import a run bundle"):
    export_panel(run, epoch=None, key="predict_export")
    st.divider()
    bundle = st.file_uploader("Import a bundle", type=["zip"], key="predict_import")
    if bundle is not None and st.button("Import", key="predict_import_button"):
        try:
            imported = import_bundle(bundle.getvalue(), name=bundle.name, owner=current_desk())
            st.session_state.cnnviz_run = imported.id
            st.success(f"Imported as run {plain(imported.id)}.")
        except CnnvizError as err:
            show_error(err)
