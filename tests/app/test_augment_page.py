"""AppTest drives the Augment page: sliders into the shared spec, preview, reseed, sources."""

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from cnnviz.augment import AugmentSpec
from tests.app.pages import errors, open_page, page_path

PAGE = page_path("augment")


@pytest.fixture
def app(runs_dir):
    return open_page("augment")


def preview_url(at) -> str:
    """The preview's media URL: Streamlit names media by a hash of their bytes."""
    (url,) = at.image[0].value
    assert url.endswith(".png")
    return url


def shown_spec(at) -> dict:
    return json.loads(at.code[0].value)


def test_opens_on_a_digits_image_with_no_augmentation(app):
    assert shown_spec(app) == AugmentSpec().to_dict()
    assert "class " in app.image[0].captions[0]
    assert any("No augmentation yet" in i.value for i in app.info)
    assert app.number_input(key="augment_index").value == 0
    assert not app.error


def test_a_slider_changes_the_shared_spec_and_the_preview(app):
    before = preview_url(app)
    app.slider(key="augment_rotation_degrees").set_value(30.0).run()
    assert app.session_state.cnnviz_augment == AugmentSpec(rotation_degrees=30).to_dict()
    assert shown_spec(app)["rotation_degrees"] == 30
    rotated = preview_url(app)
    assert rotated != before
    assert not app.info  # the "no augmentation" hint is gone
    app.slider(key="augment_zoom").set_value((0.8, 1.25)).run()
    app.toggle(key="augment_flip_left_right").set_value(True).run()
    expected = AugmentSpec(rotation_degrees=30, zoom=(0.8, 1.25), flip_left_right=True)
    assert AugmentSpec.from_dict(app.session_state.cnnviz_augment) == expected
    assert preview_url(app) not in (before, rotated)


def test_reseed_draws_new_variants_and_the_same_seed_repeats(app):
    app.slider(key="augment_width_shift").set_value(0.3).run()
    first = preview_url(app)
    app.button(key="augment_reseed").click().run()
    assert app.session_state.augment_seed == 1
    assert preview_url(app) != first
    app.session_state["augment_seed"] = 0
    app.run()
    assert preview_url(app) == first  # the same seed, image and spec: the same variants


def test_reset_returns_to_the_identity(app):
    app.slider(key="augment_shear_degrees").set_value(20.0).run()
    app.button(key="augment_reset").click().run()
    assert app.slider(key="augment_shear_degrees").value == 0.0
    assert AugmentSpec.from_dict(app.session_state.cnnviz_augment).is_identity


def test_widgets_start_from_the_shared_spec(runs_dir):
    """Coming back to the page: Streamlit dropped the widgets, the shared spec remains."""
    shared = {"rotation_degrees": 45, "brightness": [0.7, 1.3], "flip_up_down": True}
    at = open_page("augment", cnnviz_augment=shared)
    assert at.slider(key="augment_rotation_degrees").value == 45.0
    assert at.slider(key="augment_brightness").value == (0.7, 1.3)
    assert at.toggle(key="augment_flip_up_down").value is True
    assert at.toggle(key="augment_flip_left_right").value is False
    assert shown_spec(at)["brightness"] == [0.7, 1.3]


def test_a_broken_shared_spec_is_an_error_not_a_traceback(runs_dir):
    at = open_page("augment", cnnviz_augment={"rotation": 30})
    assert any("unknown augmentation setting 'rotation'" in text for text in errors(at))
    assert shown_spec(at) == AugmentSpec().to_dict()


def test_sample_photo_and_uploads(app):
    app.radio(key="augment_source").set_value("Temple photo").run()
    assert "temple photo" in app.image[0].captions[0]
    photo = preview_url(app)
    app.radio(key="augment_source").set_value("Upload").run()
    assert not app.image  # nothing uploaded yet
    png = io.BytesIO()
    Image.fromarray(np.arange(48 * 64 * 3, dtype=np.uint8).reshape(48, 64, 3)).save(png, "PNG")
    app.file_uploader(key="augment_upload").set_value(("mine.png", png.getvalue(), "image/png"))
    app.run()
    assert not app.exception and not app.error
    assert "mine.png" in app.image[0].captions[0]
    assert preview_url(app) != photo
    junk = ("notes.png", b"this is not an image", "image/png")
    app.file_uploader(key="augment_upload").set_value(junk).run()
    assert not app.exception
    assert any("notes.png is not an image cnnviz can read" in text for text in errors(app))
    assert not app.image


def test_the_dataset_image_follows_the_dataset(app):
    app.number_input(key="augment_index").set_value(5).run()
    assert app.image[0].captions[0].startswith("In red: the original (class ")
    app.session_state["cnnviz_dataset"] = "shapes"
    app.run()
    assert not app.exception
    caption = app.image[0].captions[0]
    assert any(f"class {name}" in caption for name in ("circle", "square", "triangle", "star"))


ROUTER = f"""
import streamlit as st
PAGES = {str(Path(PAGE).parent)!r}
st.navigation([st.Page(PAGES + "/augment.py"), st.Page(PAGES + "/data.py")]).run()
"""


def test_leaving_and_coming_back_keeps_the_spec_and_the_image_source(runs_dir):
    at = AppTest.from_string(ROUTER, default_timeout=60)
    at.run()
    at.slider(key="augment_rotation_degrees").set_value(40.0).run()
    at.radio(key="augment_source").set_value("Flower photo").run()
    at.switch_page(page_path("data")).run()
    assert "augment_rotation_degrees" not in at.session_state  # Streamlit dropped it
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.slider(key="augment_rotation_degrees").value == 40.0
    assert at.radio(key="augment_source").value == "Flower photo"
    assert "flower photo" in at.image[0].captions[0]
