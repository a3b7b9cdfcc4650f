"""Every figure a page shows carries its text alternative (`app_pages.frame.figures`): its
summary is the chart's accessible name (Streamlit's ``alt``), the same summary is written
under it, and its numbers are a table in "The numbers"; every picture has ``alt`` text.

Oracle: the text each builder put into its figure (`cnnviz.figures.alt.text_of`), read
back from the chart Streamlit was sent, and the figure's own table.
"""

import json
import time

import plotly.graph_objects as go
import pytest

from cnnviz.data import load_dataset
from cnnviz.figures.alt import text_of
from tests.app.desks import TINY, owned_copy
from tests.app.pages import errors, figure_numbers, open_page, shown
from tests.app.test_predict_page import png
from tests.helpers_svg import svg_from_image


def texts_shown(at) -> list[str]:
    """Check every chart and picture of the page; returns the charts' summaries."""
    captions = [shown(c.value) for c in at.caption]
    tables = [t.value for t in figure_numbers(at)]
    summaries = []
    for chart in at.get("plotly_chart"):
        text = text_of(go.Figure(json.loads(chart.proto.spec)))
        assert chart.proto.alt == text.summary.strip()  # the chart's accessible name
        assert text.summary in captions  # and readable under it
        if text.table:  # one click away: the same rows, the same columns
            assert any(
                len(t) == len(text.table) and list(t.columns) == list(text.table[0]) for t in tables
            ), text.summary
        summaries.append(text.summary)
    for image in at.image:
        assert all(picture.alt.strip() for picture in image.proto.imgs), image.proto
    return summaries


def test_concepts_diagrams_and_the_image_transformer_are_named_and_read(runs_dir):
    at = open_page("concepts")
    captions = [shown(c.value) for c in at.caption]
    diagrams = [i for i in at.image if i.proto.imgs[0].url.startswith("data:image/svg+xml")]
    assert len(diagrams) == 3 and len(at.image) == 7
    for image in at.image:
        assert image.proto.imgs[0].alt
    # The SVG's own text (its <title>) is the picture's alt and is written under it.
    for image in diagrams:
        summary = text_of(svg_from_image(image)).summary
        assert image.proto.imgs[0].alt == summary and summary in captions
    photo = "The photo 427×640×3 becomes a brightness grid 427×640"
    assert any(caption.startswith(photo) for caption in captions)
    closed = [e for e in at.expander if e.label == "The numbers"]
    assert len(closed) == 4 and not [e for e in closed if e.dataframe]  # drawn when opened
    assert len(figure_numbers(at)) == 4  # three diagrams and the transformer's pictures
    texts_shown(at)


def test_data_names_its_chart_and_its_mosaics(runs_dir):
    at = open_page("data")
    (summary,) = texts_shown(at)
    assert "digits" in summary or "class" in summary
    alts = sorted(image.proto.imgs[0].alt for image in at.image)
    assert alts == [f"4 training images of class {digit}" for digit in range(10)]


def test_the_augment_preview_says_what_it_shows(runs_dir):
    at = open_page("augment")
    at.slider(key="augment_rotation_degrees").set_value(30.0).run()
    (alt,) = [picture.alt for image in at.image for picture in image.proto.imgs]
    assert alt.startswith("The original (class ") and "8 random variants" in alt
    assert "rotation degrees 30.0" in alt


def test_train_names_its_live_curves_and_says_the_news(runs_dir):
    at = open_page("train", cnnviz_spec=TINY)
    said = [h.proto.body for h in at.get("html") if "cnnviz-status" in h.proto.body]
    assert said and '"";' in said[0]  # the live region, there before any news
    at.number_input(key="train_epochs").set_value(1)
    at.button(key="train_start").click().run()
    assert not at.error, errors(at)
    deadline = time.monotonic() + 120
    while at.session_state.train_job and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    assert not at.session_state.train_job, "training did not finish"
    at.run()
    (summary,) = texts_shown(at)
    assert summary.startswith("Loss ")
    said = [h.proto.body for h in at.get("html") if "cnnviz-status" in h.proto.body]
    assert any("Training completed: test accuracy " in body for body in said)


def test_inspect_names_every_figure_of_every_tab(runs_with_model):
    root, run_id = runs_with_model
    at = open_page("inspect", timeout=120)
    at.selectbox(key="inspect_layer").set_value("conv2d_1").run()
    at.selectbox(key="inspect_trace_row").set_value(1).run()  # the keyboard's way
    at.selectbox(key="inspect_trace_col").set_value(2).run()
    at.selectbox(key="inspect_cell_true").set_value(3).run()
    at.selectbox(key="inspect_cell_predicted").set_value(3).run()
    assert not at.exception and not at.error
    summaries = texts_shown(at)
    keys = {c.proto.id.rsplit("-", 1)[-1] for c in at.get("plotly_chart")}
    assert {
        "inspect_overview",
        "inspect_maps",
        "inspect_trace_map",
        "inspect_trace_field",
        "inspect_trace_sum",
        "inspect_filters",
        "inspect_confusion",
        "inspect_cell_images",
        "inspect_per_class",
        "inspect_gradcam",
    } <= keys, keys
    assert len(summaries) == len(at.get("plotly_chart"))


def test_predict_names_the_answer_and_its_reasons(runs_with_model):
    at = open_page("predict", timeout=120)
    digit = load_dataset("digits").test.images[0]
    at.file_uploader(key="predict_upload").set_value(("seven.png", png(digit), "image/png"))
    at.run()
    summaries = texts_shown(at)
    assert len(summaries) == 3 and "%" in summaries[0]


@pytest.mark.parametrize("runs", [2, 3])
def test_compare_names_every_figure(runs_with_model, runs):
    root, run_id = runs_with_model
    for suffix in "abc"[: runs - 1]:
        owned_copy(root, run_id, None, suffix)
    at = open_page("compare", timeout=120)
    assert not at.exception and not at.error
    assert len(texts_shown(at)) >= 2


def test_pages_show_charts_only_through_show_figure():
    """One way to show a chart (its name, its summary, its numbers): no page or panel
    calls `st.plotly_chart` itself."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "app_pages"
    callers = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "plotly_chart(" in path.read_text(encoding="utf-8")
    ]
    assert callers == ["frame/figures.py"], callers
