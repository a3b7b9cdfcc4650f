"""From a number to its reason, in real headless Chromium: click a confusion cell and see
its images, click a feature-map pixel and see its arithmetic, draw and see the answer
change with no button. Screenshots go to tests/e2e/screenshots/ (look at them).
"""

import contextlib
import io
import json
import re

import numpy as np
import pytest

from cnnviz.cli import main
from tests.e2e.conftest import shot, streamlit_server, wait_idle

pytestmark = pytest.mark.e2e

TAB = '[data-testid="stTab"]'


def cli_json(*argv) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([str(a) for a in argv]) == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def trained(tmp_path_factory, browser_path):
    """A server over a runs folder holding one digits run trained here."""
    runs = tmp_path_factory.mktemp("reasons") / "runs"
    result = cli_json(
        "train", "--data", "digits", "--model", "digits-small", "--epochs", 6,
        "--runs-dir", runs, "--json",
    )  # fmt: skip
    log = tmp_path_factory.mktemp("reasons-log") / "streamlit.log"
    with streamlit_server(runs, log) as running:
        yield {**running, "run_id": result["run_id"]}


def open_inspect(page, server, tab: str) -> None:
    page.goto(server["url"] + "/inspect")
    # The first visit imports TensorFlow, loads the model and evaluates it: on a busy
    # machine that can take minutes.
    page.locator(TAB, has_text=tab).first.wait_for(timeout=300_000)
    wait_idle(page)
    page.locator(TAB, has_text=tab).first.click()
    wait_idle(page)


def click_point(page, trace_name: str, x: float, y: float) -> None:
    """A real mouse click on the point (x, y) of the plotly chart holding `trace_name`,
    at the pixel plotly's own axes give it."""
    where = page.evaluate(
        """([name, x, y]) => {
            const gd = [...document.querySelectorAll('.js-plotly-plot')]
                .find(g => (g.data || []).some(t => t.name === name));
            gd.scrollIntoView({block: 'center'});
            const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
            const r = gd.getBoundingClientRect();
            return [r.left + xa._offset + xa.l2p(x), r.top + ya._offset + ya.l2p(y)];
        }""",
        [trace_name, x, y],
    )
    page.mouse.click(*where)


def wait_for_traces(page, pattern: str, count: int) -> None:
    """Wait until the plotly charts on the page hold `count` traces named like `pattern`."""
    page.wait_for_function(
        """([pattern, count]) => [...document.querySelectorAll('.js-plotly-plot')]
            .flatMap(g => (g.data || []).map(t => t.name || ''))
            .filter(name => new RegExp(pattern).test(name)).length === count""",
        arg=[pattern, count],
    )


def test_clicking_an_off_diagonal_cell_shows_that_cells_images(trained, page):
    matrix = np.array(cli_json("evaluate", trained["runs"] / trained["run_id"], "--json")[
        "confusion_matrix"
    ])  # fmt: skip
    off = matrix - np.diag(np.diag(matrix))
    true, guess = (int(v) for v in np.unravel_index(off.argmax(), off.shape))
    assert off[true, guess] > 0
    open_inspect(page, trained, "Confusion matrix")
    page.get_by_text("Click a cell of the matrix").wait_for()
    click_point(page, "confusion matrix", guess, true)
    heading = f"true {true}, predicted {guess}: {off[true, guess]} images"
    page.get_by_text(heading).wait_for()
    wait_idle(page)
    shown = int(min(off[true, guess], 12))
    wait_for_traces(page, r"^test image \d+$", shown)  # each beside its Grad-CAM
    assert not page.locator('[data-testid="stException"]').count()
    page.get_by_text(heading).scroll_into_view_if_needed()
    shot(page, "reasons_1_confusion_cell")


def test_clicking_a_feature_map_pixel_shows_its_arithmetic(trained, page):
    import keras

    from cnnviz.data import load_dataset, rescale
    from cnnviz.runs import load_run

    open_inspect(page, trained, "Layer maps")
    page.get_by_text("Click a pixel of the map").wait_for()
    click_point(page, "pixels", 4, 3)  # column 4, row 3 of conv2d's channel 0
    label = page.get_by_text("conv2d[row 3, column 4, channel 0]")
    label.wait_for()
    wait_idle(page)
    model = load_run(trained["run_id"], trained["runs"]).model()
    first = rescale(load_dataset("digits").test.images[:1])
    cut = keras.Model(model.inputs[0], model.get_layer("conv2d").output)
    expected = float(cut(first)[0, 3, 4, 0])
    value = page.locator('[data-testid="stMetricValue"]').last.inner_text()
    assert float(value) == pytest.approx(expected, abs=1e-4)
    wait_for_traces(page, r"^(window|kernel|products) 0$", 3)
    assert not page.locator('[data-testid="stException"]').count()
    label.scroll_into_view_if_needed()
    shot(page, "reasons_2_trace")


def stroke(page, canvas, points) -> None:
    box = canvas.bounding_box()
    at = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for a, b in zip(at, at[1:]):
        for t in np.linspace(0, 1, 6)[1:]:
            page.mouse.move(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
    page.mouse.up()


def test_drawing_changes_the_answer_with_no_button(trained, page):
    page.goto(trained["url"] + "/predict")
    page.get_by_text("Draw", exact=True).wait_for(timeout=300_000)
    wait_idle(page)
    page.get_by_text("Draw", exact=True).click()
    canvas = page.locator("canvas[aria-label='drawing canvas']")
    canvas.wait_for()
    wait_idle(page)
    answer = page.locator("h3", has_text=re.compile(r"Prediction: \S+ · [\d.]+%"))
    stroke(page, canvas, [(0.5, 0.15), (0.5, 0.85)])  # a 1
    answer.first.wait_for()
    first = answer.first.inner_text()
    stroke(page, canvas, [(0.25, 0.3), (0.4, 0.15), (0.65, 0.15), (0.75, 0.35), (0.3, 0.85),
                          (0.8, 0.85)])  # fmt: skip
    page.wait_for_function(
        """before => [...document.querySelectorAll('h3')].some(h =>
            h.textContent.startsWith('Prediction:') && h.textContent !== before)""",
        arg=first,
    )
    wait_idle(page)
    assert answer.first.inner_text() != first  # nothing was pressed in between
    assert page.get_by_role("button", name=re.compile("predict", re.I)).count() == 0
    wait_for_traces(page, r"^conv2d$", 1)  # the first convolution's maps follow the pen too
    assert not page.locator('[data-testid="stException"]').count()
    shot(page, "reasons_3_drawing")
