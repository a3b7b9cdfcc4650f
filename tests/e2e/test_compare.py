"""Compare in real headless Chromium: two runs trained here, both curves drawn.

The screenshot goes to tests/e2e/screenshots/compare.png (look at it).
"""

import pytest

from cnnviz import presets
from tests.e2e.conftest import shot, streamlit_server, wait_idle
from tests.e2e.test_newcomer import go
from tests.helpers_runs import train_run

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def compare_server(tmp_path_factory, browser_path):
    """A server whose runs folder holds two digits runs: 16 instead of 32 filters in
    the first Conv2D, and learning rate 0.001 instead of 0.003."""
    runs = tmp_path_factory.mktemp("e2e-compare") / "runs"
    narrow = presets.get("digits-small").to_dict()
    narrow["layers"][0]["filters"] = 16
    a = train_run(runs, "digits-small", limit=600, epochs=4, learning_rate=0.003)
    b = train_run(runs, {**narrow, "name": "narrow"}, limit=600, epochs=4, learning_rate=0.001)
    log = tmp_path_factory.mktemp("e2e-compare-log") / "streamlit.log"
    with streamlit_server(runs, log) as running:
        yield {**running, "runs_ab": (a.id, b.id)}


CURVES = """() => {
    const plot = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    if (!plot || !plot.data) return null;
    const drawn = [...plot.querySelectorAll('.scatterlayer .trace path.js-line')]
        .filter(p => (p.getAttribute('d') || '').length > 10).length;
    return {names: plot.data.map(t => t.name), drawn};
}"""


def test_compare_opens_with_two_runs_and_draws_both_curves(compare_server, page):
    page.goto(compare_server["url"])
    wait_idle(page)
    go(page, "Compare")
    page.get_by_text("Layer by layer").wait_for()
    page.locator('[data-testid="stPlotlyChart"]').nth(1).wait_for()
    wait_idle(page)
    assert not page.locator('[data-testid="stException"]').count()
    curves = page.evaluate(CURVES)
    for name in ("A validation", "A training", "B validation", "B training"):
        assert name in curves["names"]
    assert curves["drawn"] >= 8  # both runs, training and validation, in both panels
    shot(page, "compare")
    picked = page.locator('[data-testid="stSelectbox"]').evaluate_all(
        "els => els.map(e => e.innerText + ' ' + [...e.querySelectorAll('input')]"
        ".map(i => i.value + ' ' + (i.getAttribute('aria-label') || '')).join(' '))"
    )
    a, b = compare_server["runs_ab"]
    assert a in picked[0] and b in picked[1]
    # The tables are canvas grids; their cells are in the DOM for screen readers.
    page.locator("[role=gridcell]", has_text="learning rate").first.wait_for(state="attached")
    page.locator("[role=gridcell]", has_text="filters 32 → 16").first.wait_for(state="attached")
    for tab, name in (("Confusion matrix", "confusion"), ("Answered differently", "answers")):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(800)
        assert not page.locator('[data-testid="stException"]').count()
        shot(page, f"compare_{name}")


def test_inspect_scrubs_through_the_epochs_of_a_run(compare_server, page):
    """The same server's four-epoch runs: the slider goes back to epoch 1 and the page
    replays the run with that epoch's weights (the accuracy label says so)."""
    page.goto(compare_server["url"])
    wait_idle(page)
    go(page, "Inspect")
    slider = page.locator('[data-testid="stSlider"]', has_text="After epoch")
    slider.wait_for()
    thumb = slider.locator('input[type="range"]')  # react-aria's thumb in Streamlit 1.67
    assert thumb.get_attribute("aria-valuetext") == "final model"
    thumb.focus()
    page.keyboard.press("Home")
    page.get_by_text("Test accuracy after epoch 1").wait_for()
    wait_idle(page)
    assert not page.locator('[data-testid="stException"]').count()
    assert thumb.get_attribute("aria-valuetext") == "epoch 1"
    page.get_by_role("tab", name="Confusion matrix").click()
    page.get_by_text("Validation accuracy of each class").first.wait_for()
    shot(page, "inspect_epoch_1")
