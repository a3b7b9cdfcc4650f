"""In a real browser, Markdown and HTML in what users typed or uploaded is shown as text:
a model name and a layer type from an imported spec, a run's class names on Predict.
Playwright records every request the page makes: none may go to the address an image
in a name points at."""

import contextlib
import io
import json

import pytest
from PIL import Image

from cnnviz import files
from cnnviz.cli import main
from tests.e2e.conftest import streamlit_server, wait_idle
from tests.e2e.test_newcomer import go

pytestmark = pytest.mark.e2e

TRAP = "127.0.0.1:9"
HOSTILE = f"`x` **b** ![t](http://{TRAP}/x.png) <b>h</b> $x$ :red[x]"


@pytest.fixture
def hostile_server(tmp_path, browser_path):
    """A server whose runs folder holds a trained run with hostile class names."""
    runs = tmp_path / "runs"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            ["train", "--data", "digits", "--model", "digits-small", "--epochs", "1",
             "--limit", "200", "--runs-dir", str(runs), "--json"]
        )  # fmt: skip
    assert code == 0
    run_dir = runs / json.loads(out.getvalue())["run_id"]
    config = json.loads((run_dir / "config.json").read_text())
    config["class_names"] = [f"{i} ![t](http://{TRAP}/{i}.png) <b>h</b> **b**" for i in range(10)]
    files.write_json(run_dir / "config.json", config)
    with streamlit_server(runs, tmp_path / "streamlit.log") as running:
        yield running


def test_hostile_names_are_text_and_fetch_nothing(hostile_server, page, tmp_path):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(hostile_server["url"])
    wait_idle(page)
    go(page, "Build")
    spec = {
        "name": HOSTILE,
        "layers": [
            {"type": HOSTILE},
            {"type": "Dense", "units": "num_classes", "activation": "softmax"},
        ],
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    page.get_by_text("Import a spec (JSON)").click()
    page.locator('input[type="file"]').last.set_input_files(str(path))
    page.get_by_role("button", name="Use this spec").click()
    wait_idle(page)
    # What a reader sees: the word joiners (U+2060) that stop autolinks are invisible.
    sidebar = page.locator('[data-testid="stSidebarUserContent"]').inner_text()
    sidebar = sidebar.replace("\u2060", "")
    assert f"Model: {HOSTILE} (2 layers)" in sidebar, sidebar
    main_text = page.locator('[data-testid="stMain"]').inner_text().replace("\u2060", "")
    assert f"1. {HOSTILE}" in main_text  # the layer card's head
    assert f"unknown layer type '{HOSTILE}'" in main_text
    assert not page.locator('[data-testid="stSidebarUserContent"] img').count()
    # GFM would make "http://..." a link even escaped (issue 25): no link of the user's.
    hrefs = page.locator('[data-testid="stAppViewContainer"] a').evaluate_all(
        "links => links.map(a => a.getAttribute('href') || '')"
    )
    assert not [h for h in hrefs if TRAP in h], hrefs

    go(page, "Predict")
    picture = tmp_path / "digit.png"
    Image.new("L", (40, 40), 200).save(picture)
    page.locator('input[type="file"]').first.set_input_files(str(picture))
    page.get_by_text("Prediction:").first.wait_for()
    wait_idle(page)
    head = page.locator("h3", has_text="Prediction:").first.inner_text().replace("\u2060", "")
    assert f"![t](http://{TRAP}/" in head and "<b>h</b> **b**" in head, head
    assert not page.locator(
        '[data-testid="stMain"] [data-testid="stMarkdownContainer"] img'
    ).count()
    # Plotly reads <b> in its texts: the bars' class names are drawn as typed.
    ticks = page.locator(".js-plotly-plot .ytick text").all_text_contents()
    assert ticks and all("<b>h</b> **b**" in tick for tick in ticks), ticks
    assert not page.locator(".js-plotly-plot .ytick text b, .js-plotly-plot .ytick tspan").count()
    assert not page.locator('[data-testid="stException"]').count()
    assert not [url for url in requests if TRAP in url], requests
