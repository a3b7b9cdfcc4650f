"""AppTest drives Data's "Make your own" (issue 27): a dataset made in the browser, its
classes added, renamed and deleted, filled by camera batches, drawings and many files,
an image removed, the messages, and a training on it."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from cnnviz import collect
from tests.app.desks import TINY
from tests.app.pages import errors, open_page, shown, tables


def png(value: int, side: int = 16) -> bytes:
    buffer = io.BytesIO()
    pixels = np.random.default_rng(value).integers(0, 256, (side, side, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_url(value: int) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 24), (value, 0, 255 - value)).save(buffer, format="JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


def warnings(at) -> list[str]:
    return [shown(w.value) for w in at.warning]


def made(at) -> collect.Made:
    return collect.open_made(at.session_state.collect_dataset, desk=None)


@pytest.fixture
def app(runs_dir):
    at = open_page("data")
    at.radio(key="data_source").set_value("Make your own").run()
    at.text_input(key="collect_new_name").set_value("my things")
    at.button(key="collect_create").click().run()
    assert not at.exception and not at.error, errors(at)
    return at


def add_class(at, name: str):
    at.text_input(key="collect_new_class").set_value(name)
    return at.button(key="collect_add_class").click().run()


def drop(at, *files):
    if at.radio(key="collect_method").value != "Files":
        at.radio(key="collect_method").set_value("Files").run()
    uploader = next(u for u in at.file_uploader if (u.key or "").startswith("collect_files_"))
    return uploader.set_value(list(files)).run()


def test_a_new_dataset_asks_for_classes(app, runs_dir):
    (stored,) = collect.made_datasets(None)
    assert stored.label == "my things" and app.session_state.collect_dataset == stored.id
    assert (runs_dir / "_uploads" / stored.id.partition(":")[2]).is_dir()  # a learner alone's
    assert "has 0 classes: a model tells classes apart, so add at least 2" in warnings(app)[0]


def test_classes_are_added_renamed_and_deleted_with_messages(app):
    add_class(app, "cups")
    add_class(app, "pens")
    assert made(app).class_names == ["cups", "pens"]
    assert any("class 'cups' is empty: fill it, or delete it" in w for w in warnings(app))
    add_class(app, "CUPS")
    assert any("there is already a class named 'CUPS'" in e for e in errors(app)), errors(app)
    key = f"collect_class_{made(app).id}_cups"
    app.text_input(key=key).set_value("mugs").run()
    assert made(app).class_names == ["mugs", "pens"]
    app.text_input(key=f"collect_class_{made(app).id}_mugs").set_value("Pens").run()
    assert any("there is already a class named 'Pens'" in e for e in errors(app))
    assert app.text_input(key=f"collect_class_{made(app).id}_mugs").value == "mugs"
    app.button(key=f"collect_delete_{made(app).id}_pens").click().run()
    assert made(app).class_names == ["mugs"]
    assert any("has 1 class: a model tells classes apart" in w for w in warnings(app))


def test_files_dropped_at_once_fill_a_class_and_bad_ones_are_named(app):
    add_class(app, "cups")
    drop(app, *[(f"{i}.png", png(i), "image/png") for i in range(3)], ("notes.png", b"x", "x"))
    assert not app.exception
    assert len(made(app).get("cups").images) == 3
    assert any("Added 3 images to cups" in s.value for s in app.success)
    assert any(w.startswith("Not added: notes.png is not an image") for w in warnings(app))
    assert any("class 'cups' has 3 images: add at least 2 more" in w for w in warnings(app))
    uploader = [u for u in app.file_uploader if (u.key or "").startswith("collect_files_")]
    assert uploader[0].value in (None, [])  # a fresh uploader: the files are not held twice


def test_camera_batches_are_kept_once_each_in_their_class(app):
    add_class(app, "left")
    add_class(app, "right")
    app.radio(key="collect_method").set_value("Camera").run()
    batch = {"id": 1, "target": "right", "images": [jpeg_url(i * 10) for i in range(10)]}
    app.session_state["collect_camera"] = {"batch": batch, "problem": None}
    app.run()
    app.run()  # the same batch again (a resend): kept once
    assert [len(c.images) for c in made(app).classes] == [0, 10]
    assert app.session_state.collect_stored == 1
    batch = {"id": 2, "target": "left", "images": [jpeg_url(5), "data:image/png;base64,AA"]}
    app.session_state["collect_camera"] = {"batch": batch, "problem": None}
    app.run()
    assert [len(c.images) for c in made(app).classes] == [1, 10]
    assert any(w.startswith("Not added: photo 2 is not an image") for w in warnings(app))


def test_the_camera_says_what_to_do_without_https(app):
    add_class(app, "left")
    app.radio(key="collect_method").set_value("Camera").run()
    app.session_state["collect_camera"] = {"batch": None, "problem": "insecure"}
    app.run()
    (message,) = [e for e in errors(app) if "secure context" in e]
    assert "README's Classroom section" in message and "sslCertFile" in message
    assert "http://localhost:8501" in message


def test_a_drawing_is_added_and_an_image_removed(app):
    add_class(app, "stars")
    app.radio(key="collect_method").set_value("Draw").run()
    assert app.button(key="collect_add_drawing").disabled  # nothing drawn yet
    url = "data:image/png;base64," + base64.b64encode(png(7, side=280)).decode()
    app.session_state["collect_canvas"] = {"image": url}
    app.run()
    app.button(key="collect_add_drawing").click().run()
    app.button(key="collect_add_drawing").click().run()
    first, second = made(app).get("stars").images
    kept = Image.open(
        io.BytesIO((collect.dataset_folder(made(app).id, None) / "stars" / first).read_bytes())
    )
    assert kept.size == (256, 256) and kept.mode == "RGB"
    app.button(key=f"collect_remove_{first}").click().run()
    assert made(app).get("stars").images == (second,)


def test_use_refuses_an_unready_dataset_then_it_trains(app, runs_dir):
    add_class(app, "cups")
    add_class(app, "pens")
    assert app.selectbox(key="collect_fill_class").value == "pens"  # the class just added
    drop(app, *[(f"{i}.png", png(i), "image/png") for i in range(6)])
    app.button(key="collect_use").click().run()
    assert any("class 'cups' is empty" in e for e in errors(app)), errors(app)
    assert app.session_state.cnnviz_dataset == "digits"
    app.selectbox(key="collect_fill_class").set_value("cups").run()
    drop(app, *[(f"{i}.png", png(100 + i), "image/png") for i in range(6)])
    app.selectbox(key="data_size").select("32 × 32").run()
    app.button(key="collect_use").click().run()
    assert not app.error, errors(app)
    dataset = made(app).id
    assert app.session_state.cnnviz_dataset == dataset
    assert app.subheader[0].value == "Active: my things"
    assert {m.label: m.value for m in app.metric}["Image shape"] == "32 × 32 × 3"

    from tests.app.test_train_page import poll_until_done

    train = open_page("train", cnnviz_spec=TINY, cnnviz_dataset=dataset, cnnviz_image_size=(32, 32))
    train.number_input(key="train_epochs").set_value(1)
    train.number_input(key="train_batch_size").set_value(4)
    train.button(key="train_start").click().run()
    assert not train.error, errors(train)
    poll_until_done(train)
    rows = tables(train)[0].value
    assert list(rows["status"]) == ["completed"] and list(rows["dataset"]) == ["my things"]
    reopened = open_page("data", cnnviz_dataset=dataset)
    assert reopened.radio(key="data_source").value == "Make your own"


def test_in_a_classroom_a_made_dataset_is_the_desks_own(runs_dir, classroom):
    ada = open_page("data", cnnviz_desk="ada")
    ada.radio(key="data_source").set_value("Make your own").run()
    ada.text_input(key="collect_new_name").set_value("ada things")
    ada.button(key="collect_create").click().run()
    (made_set,) = collect.made_datasets("ada")
    assert (runs_dir / "_uploads" / "ada" / made_set.id.partition(":")[2]).is_dir()
    bob = open_page("data", cnnviz_desk="bob")
    bob.radio(key="data_source").set_value("Make your own").run()
    assert bob.selectbox(key="collect_dataset").options == ["(a new dataset)"]
    assert collect.made_datasets("bob") == [] and collect.made_datasets(None) == []
