"""Hostile and careless inputs on every page: shown as text, refused with a message, never
a traceback. Oracle for "shown as text": what a CommonMark renderer (markdown-it) makes of
the page's Markdown is exactly the user's text, with no element the user did not ask for."""

import html
import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from markdown_it import MarkdownIt
from PIL import Image
from streamlit.testing.v1 import AppTest

from cnnviz import rundir, runstatus
from cnnviz.cli import main
from cnnviz.runs import list_runs
from tests.app.pages import errors, open_page

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "`x` **b** ![t](http://127.0.0.1:9/x.png) <b>h</b> $x$ :red[x]"
FOLDER_NAMES = ["`x` **b** <b>h", "$x$ :red[x] ![t](x.png)"]  # no "/": folder names
OUR_TAGS = {"p", "strong", "h3"}  # what the pages' own Markdown may make


def text_of(markdown: str) -> str:
    """What a reader sees of `markdown`; fails if it made any element of the user's."""
    rendered = MarkdownIt("commonmark").render(markdown)
    tags = set(re.findall(r"<(\w+)", rendered)) - OUR_TAGS
    assert not tags, (tags, rendered)
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).replace("\u2060", "").strip()


def spec_named(name: str, layer_type: str = "Flatten") -> dict:
    return {
        "name": name,
        "layers": [
            {"type": layer_type},
            {"type": "Dense", "units": "num_classes", "activation": "softmax"},
        ],
    }


def png(side: int = 8, value: int = 128) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (side, side), value).save(buffer, format="PNG")
    return buffer.getvalue()


# --- the sidebar and Build ------------------------------------------------------------


def test_the_sidebar_shows_a_hostile_model_name_as_text(runs_dir):
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state["cnnviz_spec"] = spec_named(HOSTILE)
    at.session_state["cnnviz_desk"] = "ada"
    at.run()
    assert not at.exception
    lines = [text_of(m.value) for m in at.sidebar.markdown]
    assert f"Model: {HOSTILE} (2 layers)" in lines, lines
    assert "Dataset: digits" in lines


def test_build_shows_a_hostile_layer_type_as_text(runs_dir):
    at = open_page("build", cnnviz_spec=spec_named(HOSTILE, layer_type=HOSTILE))
    heads = [text_of(m.value) for m in at.markdown if m.value.startswith("**1.")]
    assert heads == [f"1. {HOSTILE}"], [m.value for m in at.markdown]
    shown = [text_of(e.value) for e in at.error]
    assert any(f"layer 1: unknown layer type '{HOSTILE}'" in m for m in shown), shown


@pytest.mark.parametrize(
    "document, words",
    [
        ("[" * 100_000 + "]" * 100_000, "nests [ and { 100,000 levels deep"),
        ('{"name": "m", "layers": [{"type": "Dense", "units": ' + "9" * 5001 + "}]}", "5,001"),
        ('{"name": "' + "x" * 20_000_000 + '", "layers": []}', "20.0 MB; a JSON document"),
        ('{"name": "m", "layers": [{"type": "Dense", "units": 1e999}]}', "too large to hold"),
        ("\ufeff{}", "not valid JSON"),
    ],
    ids=["nested", "digits", "20MB", "1e999", "bom"],
)
def test_build_import_refuses_hostile_json_with_a_message(runs_dir, document, words):
    at = open_page("build")
    before = at.session_state.cnnviz_spec
    at.file_uploader(key="build_upload").set_value(("spec.json", document.encode(), "x")).run()
    at.button(key="build_use_upload").click().run()
    assert not at.exception
    assert any(m.startswith("spec.json: the model spec") and words in m for m in errors(at)), (
        errors(at)
    )
    assert at.session_state.cnnviz_spec == before


def test_the_cli_refuses_the_same_json_in_one_line(tmp_path, capsys):
    for text in ("[" * 100_000 + "]" * 100_000, '{"layers": [], "name": ' + "9" * 5001 + "}"):
        path = tmp_path / "hostile.json"
        path.write_text(text)
        assert main(["summary", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {path}: the model spec file") and err.count("\n") == 1


# --- Train -----------------------------------------------------------------------------


BILLION_FILTERS = {
    "name": "huge",
    "layers": [
        {"type": "Conv2D", "filters": 10**9, "kernel_size": 3, "padding": "same"},
        {"type": "Flatten"},
        {"type": "Dense", "units": "num_classes", "activation": "softmax"},
    ],
}


def test_a_billion_filters_is_refused_on_start_with_the_estimate(runs_dir):
    at = open_page("train", cnnviz_spec=BILLION_FILTERS)
    at.button(key="train_start").click().run()
    assert not at.exception
    [message] = errors(at)
    assert message.startswith("training this model needs about ") and " TB " in message
    assert "of memory are free. Use fewer filters or units (layer 1 Conv2D" in message
    assert not at.session_state.get("train_job") and list_runs(runs_dir) == []


def test_build_warns_of_the_memory_before_training(runs_dir):
    at = open_page("build", cnnviz_spec=BILLION_FILTERS)
    assert any("training this model needs about" in w.value for w in at.warning)
    small = open_page("build")
    assert any(c.value.startswith("Training memory: about ") for c in small.caption)


def test_start_with_a_read_only_runs_folder_is_a_message(tmp_path, monkeypatch, read_only):
    root = read_only(tmp_path / "runs")
    monkeypatch.setenv("CNNVIZ_RUNS_DIR", str(root))
    at = open_page("train", cnnviz_spec=spec_named("tiny"))
    at.button(key="train_start").click().run()
    assert not at.exception
    assert any("is read-only: no run, upload or import can be saved" in m for m in errors(at))


def test_the_sidebar_warns_of_a_runs_folder_that_is_a_file(tmp_path, monkeypatch):
    blocker = tmp_path / "runs"
    blocker.write_text("a file")
    monkeypatch.setenv("CNNVIZ_RUNS_DIR", str(blocker))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()  # a learner alone gets in
    assert not at.exception and at.title[0].value == "Concepts"
    assert any("is a file, not a folder" in text_of(w.value) for w in at.sidebar.warning)
    from tests.app.desks import CLASS_CODE

    monkeypatch.setenv("CNNVIZ_CLASS_CODE", CLASS_CODE)  # a class cannot join: it says why
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    at.text_input(key="join_code").input(CLASS_CODE)
    at.text_input(key="join_name").input("ada")
    next(b for b in at.button if b.label == "Join").click().run()
    assert not at.exception and "cnnviz_desk" not in at.session_state
    assert any("is a file, not a folder" in text_of(e.value) for e in at.error)


def test_a_failed_runs_message_is_shown_as_text(runs_dir):
    run = rundir.create(spec_named("m"), {"dataset": "digits"})
    runstatus.write_status(run, "failed", f"training crashed: OOM {HOSTILE}")
    at = open_page("train", cnnviz_spec=spec_named("m"))
    assert not at.exception
    shown = [text_of(e.value) for e in at.error]
    assert f"Run {run.name} failed: training crashed: OOM {HOSTILE}" in shown, shown


# --- Data ------------------------------------------------------------------------------


def hostile_zip() -> bytes:
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index, name in enumerate(FOLDER_NAMES):
            for i in range(12):
                pixels = rng.integers(0, 128 * (index + 1), (16, 16, 3), dtype=np.uint8)
                picture = io.BytesIO()
                Image.fromarray(pixels).save(picture, format="PNG")
                archive.writestr(f"{name}/{i}.png", picture.getvalue())
        archive.writestr(f"{FOLDER_NAMES[0]}/broken <b>.png", b"not a png")
    return buffer.getvalue()


def test_data_shows_hostile_class_folders_and_file_names_as_text(runs_dir):
    at = open_page("data")
    at.radio(key="data_source").set_value("Upload a zip").run()
    upload = ("`x` <b>.zip", hostile_zip(), "application/zip")
    at.file_uploader(key="data_upload").set_value(upload).run()
    assert not at.exception and not at.error, errors(at)
    assert text_of(at.subheader[0].value) == "Active: x_ _b_.zip"  # the stored, safe name
    captions = sorted(text_of(c) for image in at.image for c in image.captions)
    assert captions == sorted(FOLDER_NAMES)
    warnings = [text_of(w.value) for w in at.warning]
    assert any("broken <b>.png" in w for w in warnings), warnings


def test_misspelt_tfds_names_get_a_close_match_on_the_command_line(tmp_path, capsys):
    """(The Data page's selectbox takes typed names, which AppTest cannot type; the page
    shows the same `load_dataset` message through show_error.)"""
    for name, words in [
        ("tfds:fashion mnist", "did you mean tfds:fashion_mnist"),
        ("tfds:mnist:9.9.9", "TFDS cannot open 'mnist:9.9.9'"),
        (f"tfds:{HOSTILE}", "is not a TFDS name"),
    ]:
        assert main(["data-info", name, "--data-dir", str(tmp_path)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and words in err and err.count("\n") == 1, err


# --- Predict and Inspect ---------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_runs(tmp_path_factory):
    """A runs folder with a model trained on class folders with hostile names."""
    root = tmp_path_factory.mktemp("hostile")
    data = root / "classes.zip"
    data.write_bytes(hostile_zip())
    out = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out):
        code = main(
            ["train", "--data", f"folder:{data}", "--model", json_file(root), "--epochs", "1",
             "--batch-size", "4", "--runs-dir", str(root / "runs"), "--json"]
        )  # fmt: skip
    assert code == 0
    return root / "runs", json.loads(out.getvalue())["run_id"]


def json_file(root: Path) -> str:
    path = root / "model.json"
    path.write_text(json.dumps(spec_named(HOSTILE)))
    return str(path)


def test_predict_shows_hostile_class_names_as_text(hostile_runs, monkeypatch):
    root, run_id = hostile_runs
    monkeypatch.setenv("CNNVIZ_RUNS_DIR", str(root))
    at = open_page("predict", timeout=120)
    at.file_uploader(key="predict_upload").set_value(("<b>.png", png(), "image/png")).run()
    assert not at.exception and not at.error, errors(at)
    [head] = [text_of(s.value) for s in at.subheader]
    assert head.startswith("Prediction: ") and any(f"{n} · " in head for n in FOLDER_NAMES)
    assert_charts_show_names_as_text(at)


def test_predict_import_with_a_read_only_runs_folder_is_a_message(
    hostile_runs, tmp_path, monkeypatch, read_only
):
    from cnnviz.bundle import export_bundle
    from cnnviz.runs import load_run

    root, run_id = hostile_runs
    bundle = export_bundle(load_run(run_id, root))
    copy = tmp_path / "runs"
    import shutil

    shutil.copytree(root, copy)
    read_only(copy)
    monkeypatch.setenv("CNNVIZ_RUNS_DIR", str(copy))
    at = open_page("predict", timeout=120)
    at.file_uploader(key="predict_import").set_value(("m.zip", bundle, "application/zip"))
    at.run()
    at.button(key="predict_import_button").click().run()
    assert not at.exception
    assert any("is read-only: no run, upload or import can be saved" in m for m in errors(at))


def test_inspect_shows_hostile_class_names_as_text(hostile_runs, monkeypatch):
    root, run_id = hostile_runs
    monkeypatch.setenv("CNNVIZ_RUNS_DIR", str(root))
    at = open_page("inspect", timeout=120)
    assert not at.error, errors(at)
    [line] = [text_of(m.value) for m in at.markdown if m.value.startswith("True class")]
    truth, guess = re.match(r"True class (.+), predicted (.+) [✓✗]$", line).groups()
    assert truth in FOLDER_NAMES and guess in FOLDER_NAMES
    assert_charts_show_names_as_text(at)


def assert_charts_show_names_as_text(at) -> None:
    """Plotly reads <b> and a few other tags in every text it draws: a class name in a
    chart (title, tick, note, hover) must come as entities, never as the tag."""
    charts = [c.proto.spec for c in at.get("plotly_chart")]
    assert charts and any("&lt;b&gt;h" in chart for chart in charts)
    for chart in charts:
        assert "<b>h" not in json.loads(chart).__repr__(), chart[:300]


@pytest.mark.parametrize("damage", [b"", b"garbage", b"PK\x03\x04 truncated"])
def test_a_damaged_model_file_is_a_message_on_predict_and_inspect(
    hostile_runs, tmp_path, monkeypatch, damage
):
    import shutil

    root, run_id = hostile_runs
    copy = tmp_path / "runs"
    shutil.copytree(root, copy)
    (copy / run_id / "model.keras").write_bytes(damage)
    monkeypatch.setenv("CNNVIZ_RUNS_DIR", str(copy))
    for page in ("predict", "inspect"):
        at = open_page(page, timeout=120)
        assert any(
            m.startswith(f"run {run_id}'s model file is damaged")
            and m.endswith("train it again or delete the run")
            for m in errors(at)
        ), errors(at)


def test_a_zip_of_many_class_folders_draws_a_bounded_page(runs_dir):
    buffer, picture = io.BytesIO(), png(side=8)
    with zipfile.ZipFile(buffer, "w") as archive:
        for c in range(60):
            for i in range(3):
                archive.writestr(f"c{c:02d}/{i}.png", picture)
    at = open_page("data")
    at.radio(key="data_source").set_value("Upload a zip").run()
    at.file_uploader(key="data_upload").set_value(("many.zip", buffer.getvalue(), "x")).run()
    assert not at.exception and not at.error, errors(at)
    assert len(at.image) == 40
    assert any(m.value.endswith("(the first 40 of 60)") for m in at.markdown)
