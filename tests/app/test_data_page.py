"""AppTest drives the Data page: built-in sets, an uploaded zip, bad input, TFDS offline."""

import hashlib
import io
import json
import socket
import zipfile

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image
from sklearn.datasets import load_digits

from tests.app.pages import errors, open_page, shown


@pytest.fixture
def app(runs_dir):
    return open_page("data")


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def captions(at) -> list[str]:
    """The class names under the sample mosaics, sorted (AppTest walks the grid by column)."""
    return sorted(caption for image in at.image for caption in image.captions)


def chart(at) -> dict:
    """The class-distribution figure as plotly would receive it (validated)."""
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    go.Figure(spec)  # raises on anything plotly would refuse
    return {trace["name"]: dict(zip(trace["x"], trace["y"])) for trace in spec["data"]}


def pets_zip(cats: int, dogs: int) -> bytes:
    """A zip of class folders, wrapped in one folder, plus macOS litter to be ignored."""
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, count in (("cats", cats), ("dogs", dogs)):
            for i in range(count):
                pixels = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
                png = io.BytesIO()
                Image.fromarray(pixels).save(png, format="PNG")
                archive.writestr(f"pets/{name}/{i}.png", png.getvalue())
        archive.writestr("__MACOSX/pets/cats/._0.png", b"resource fork")
    return buffer.getvalue()


def test_opens_on_digits_with_counts_samples_and_chart(app):
    assert metrics(app) == {
        "Image shape": "8 × 8 × 1",
        "Classes": "10",
        "Training images": "1,438",
        "Test images": "359",
    }
    assert captions(app) == [str(d) for d in range(10)]
    assert all(url.endswith(".png") for image in app.image for url in image.value)
    bars = chart(app)
    per_class = [bars["train"][str(d)] + bars["test"][str(d)] for d in range(10)]
    assert per_class == np.bincount(load_digits().target).tolist()  # sklearn as the oracle
    assert sum(bars["train"].values()) == 1438
    assert not app.error and not app.warning


def test_switching_to_shapes(app):
    app.selectbox(key="data_builtin").set_value("shapes").run()
    assert app.session_state.cnnviz_dataset == "shapes"
    assert metrics(app)["Image shape"] == "32 × 32 × 3"
    assert metrics(app)["Classes"] == "4"
    assert captions(app) == ["circle", "square", "star", "triangle"]
    assert list(chart(app)["train"]) == ["circle", "square", "triangle", "star"]
    assert "Active: shapes" in app.subheader[0].value


def test_an_uploaded_zip_becomes_the_dataset_and_warns_of_imbalance(app, runs_dir):
    data = pets_zip(cats=12, dogs=3)
    app.radio(key="data_source").set_value("Upload a zip").run()
    assert app.session_state.cnnviz_dataset == "digits"  # nothing chosen yet
    app.file_uploader(key="data_upload").set_value(("pets.zip", data, "application/zip")).run()
    assert not app.exception and not app.error
    stored = runs_dir.resolve() / "_uploads" / f"{hashlib.sha256(data).hexdigest()[:16]}-pets.zip"
    assert app.session_state.cnnviz_dataset == f"upload:{stored.name}"  # names no server path
    assert stored.read_bytes() == data
    assert app.subheader[0].value == "Active: pets.zip"  # named as uploaded, not by our path
    assert str(stored) not in app.caption[1].value and "pets.zip" in shown(app.caption[1].value)
    assert metrics(app)["Classes"] == "2"
    assert metrics(app)["Image shape"] == "64 × 64 × 3"  # folders are resized to 64x64
    assert captions(app) == ["cats", "dogs"]
    bars = chart(app)
    assert bars["train"]["cats"] + bars["test"]["cats"] == 12
    assert bars["train"]["dogs"] + bars["test"]["dogs"] == 3
    assert any("imbalanced" in w.value for w in app.warning), [w.value for w in app.warning]


def test_the_image_size_resizes_an_uploaded_set_at_once(app):
    app.radio(key="data_source").set_value("Upload a zip").run()
    app.selectbox(key="data_size").select("32 × 32").run()  # nothing uploaded yet: no change
    assert app.session_state.cnnviz_dataset == "digits" and not app.error
    data = pets_zip(cats=6, dogs=6)
    app.file_uploader(key="data_upload").set_value(("pets.zip", data, "application/zip")).run()
    assert metrics(app)["Image shape"] == "32 × 32 × 3"
    assert app.session_state.cnnviz_image_size == (32, 32)
    app.selectbox(key="data_size").select("as stored").run()
    assert not app.exception and not app.error
    assert metrics(app)["Image shape"] == "64 × 64 × 3"  # a folder's own size is 64x64
    assert app.session_state.cnnviz_image_size is None
    app.radio(key="data_source").set_value("Built-in").run()
    app.selectbox(key="data_builtin").select("shapes").run()
    assert metrics(app)["Image shape"] == "32 × 32 × 3"  # built-ins keep their size


def test_a_junk_upload_is_an_error_keeps_the_dataset_and_is_deleted(app, runs_dir):
    app.radio(key="data_source").set_value("Upload a zip").run()
    app.file_uploader(key="data_upload").set_value(("pets.zip", b"not a zip", "application/zip"))
    app.run()
    assert not app.exception
    assert any(
        text.startswith("pets.zip is not a folder or a .zip archive") for text in errors(app)
    ), errors(app)
    assert list((runs_dir / "_uploads").iterdir()) == []  # a refused upload is not kept
    assert app.session_state.cnnviz_dataset == "digits"
    assert metrics(app)["Classes"] == "10"  # digits still shown


def test_a_zip_of_one_class_is_an_error(app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        png = io.BytesIO()
        Image.new("RGB", (8, 8), "red").save(png, format="PNG")
        archive.writestr("cats/1.png", png.getvalue())
    app.radio(key="data_source").set_value("Upload a zip").run()
    app.file_uploader(key="data_upload").set_value(
        ("one.zip", buffer.getvalue(), "application/zip")
    )
    app.run()
    assert not app.exception
    assert any("needs at least 2 class sub-folders" in text for text in errors(app))
    assert app.session_state.cnnviz_dataset == "digits"


def test_a_tfds_set_loads_at_the_chosen_size(app, tmp_path):
    """The real tfds.load path, with tfds.testing.mock_data standing in for the network."""
    import tensorflow_datasets as tfds

    app.radio(key="data_source").set_value("TFDS").run()
    app.selectbox(key="data_tfds").set_value("horses_or_humans")
    app.text_input(key="data_data_dir").set_value(str(tmp_path))
    app.selectbox(key="data_size").select("64 × 64")
    with tfds.testing.mock_data(num_examples=6):
        app.button(key="data_tfds_load").click().run()
        assert not app.exception and not app.error, errors(app)
        assert app.session_state.cnnviz_dataset == "tfds:horses_or_humans"
        assert metrics(app)["Image shape"] == "64 × 64 × 3"  # stored at 300 x 300
        app.selectbox(key="data_size").select("as stored").run()
        assert metrics(app)["Image shape"] == "300 × 300 × 3"
    assert metrics(app)["Classes"] == "2"


def test_tfds_not_cached_offline_is_an_error_and_keeps_the_dataset(app, tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the Data page tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    empty = tmp_path / "tfds"
    empty.mkdir()
    data_dir = app.session_state.cnnviz_data_dir
    app.radio(key="data_source").set_value("TFDS").run()
    app.selectbox(key="data_tfds").set_value("mnist")
    app.text_input(key="data_data_dir").set_value(str(empty))
    app.toggle(key="data_download").set_value(False)
    app.button(key="data_tfds_load").click().run()
    assert not app.exception
    messages = errors(app)
    assert any(
        f"tfds:mnist is not in the TFDS data dir {empty}" in m
        and "downloading is switched off" in m
        for m in messages
    ), messages
    assert app.session_state.cnnviz_dataset == "digits"
    assert app.session_state.cnnviz_data_dir == data_dir
    assert metrics(app)["Classes"] == "10"


def test_widgets_start_from_the_shared_choice(runs_dir):
    """Streamlit forgets widget values when the learner leaves a page: the page must
    rebuild them from the shared `cnnviz_*` keys when the learner comes back."""
    at = open_page("data", cnnviz_dataset="shapes")
    assert at.radio(key="data_source").value == "Built-in"
    assert at.selectbox(key="data_builtin").value == "shapes"
    assert metrics(at)["Classes"] == "4"


def test_uploads_past_the_cap_delete_the_oldest(app, runs_dir, monkeypatch):
    monkeypatch.setenv("CNNVIZ_UPLOADS_MB", "1")
    app.radio(key="data_source").set_value("Upload a zip").run()
    names = []
    for cats in (100, 101, 102):  # about 0.4 MB each
        data = pets_zip(cats=cats, dogs=100)
        app.file_uploader(key="data_upload").set_value((f"pets{cats}.zip", data, "x")).run()
        assert not app.exception and not app.error, errors(app)
        names.append(f"{hashlib.sha256(data).hexdigest()[:16]}-pets{cats}.zip")
        assert app.subheader[0].value == f"Active: pets{cats}.zip"
    kept = sorted(p.name for p in (runs_dir / "_uploads").iterdir())
    assert names[0] not in kept and names[2] in kept
    assert sum(p.stat().st_size for p in (runs_dir / "_uploads").iterdir()) <= 1_000_000


def test_a_read_only_runs_folder_is_said_on_upload(tmp_path, monkeypatch, read_only):
    root = read_only(tmp_path / "runs")
    monkeypatch.setenv("CNNVIZ_RUNS_DIR", str(root))
    at = open_page("data")
    at.radio(key="data_source").set_value("Upload a zip").run()
    at.file_uploader(key="data_upload").set_value(("pets.zip", pets_zip(3, 3), "x")).run()
    assert not at.exception
    assert any("is read-only: no run, upload or import can be saved" in m for m in errors(at))
    assert at.session_state.cnnviz_dataset == "digits"


def test_an_upload_belongs_to_its_desk_and_another_desk_cannot_load_it(runs_dir, classroom):
    data = pets_zip(cats=6, dogs=6)
    ada = open_page("data", cnnviz_desk="ada")
    ada.radio(key="data_source").set_value("Upload a zip").run()
    ada.file_uploader(key="data_upload").set_value(("pets.zip", data, "application/zip")).run()
    stored = (
        runs_dir.resolve()
        / "_uploads"
        / "ada"
        / f"{hashlib.sha256(data).hexdigest()[:16]}-pets.zip"
    )
    assert ada.session_state.cnnviz_dataset == f"upload:{stored.name}" and stored.is_file()
    # Another desk given that dataset id (a link, a guess) finds nothing: it is looked
    # for among bob's own uploads only; nor does the old form with ada's path open it.
    for guess in (f"upload:{stored.name}", f"folder:{stored}"):
        bob = open_page("data", cnnviz_desk="bob", cnnviz_dataset=guess)
        assert errors(bob) and not bob.metric and not bob.image
        assert not any(str(runs_dir) in e for e in errors(bob))  # names no server path
    from cnnviz.uploads import dataset_label

    assert dataset_label(f"upload:{stored.name}") == "pets.zip"  # tables never show a path
