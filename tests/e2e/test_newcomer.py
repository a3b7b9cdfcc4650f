"""A newcomer's path in real headless Chromium: every page, train, inspect, predict, refresh.

Screenshots of every page go to tests/e2e/screenshots/ (look at them).
"""

import io
import re
import time

import numpy as np
import pytest
from PIL import Image

from tests.e2e.conftest import asked_elsewhere, shot, wait_idle

pytestmark = pytest.mark.e2e

PAGES = [
    "Concepts",
    "Lessons",
    "Data",
    "Build",
    "Augment",
    "Train",
    "Inspect",
    "Compare",
    "Predict",
    "Class",
]
DESK = "/"  # a learner alone: no question first (a class joins: test_classroom.py)


def go(page, title: str) -> None:
    """Click a page in the sidebar navigation (keeps the session) and wait for it."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    page.wait_for_function(
        "t => [...document.querySelectorAll('h1')].some(h => h.textContent.includes(t))",
        arg=title,
    )
    wait_idle(page)


def digit_png() -> bytes:
    """A drawn '1': white stroke on black, larger than the 8x8 training images."""
    image = np.zeros((64, 48), np.uint8)
    image[8:56, 20:28] = 255
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def test_first_page_opens_quickly(server, page):
    start = time.monotonic()
    page.goto(server["url"] + DESK)
    page.wait_for_selector("h1")
    elapsed = time.monotonic() - start
    wait_idle(page)
    shot(page, "01_concepts")
    # Recorded, not asserted (no timing assertions in tests): benchmarks measure it.
    print(f"first page rendered in {elapsed:.2f} s")
    for title in PAGES:
        assert page.locator('[data-testid="stSidebarNav"] a', has_text=title).count() >= 1


def test_newcomer_path(server, page, tmp_path):
    elsewhere = asked_elsewhere(page, server["url"])
    page.goto(server["url"] + DESK)
    wait_idle(page)
    for number, title in enumerate(PAGES[2:5], start=2):
        go(page, title)
        assert not page.locator('[data-testid="stException"]').count()
        shot(page, f"{number:02d}_{title.lower()}")

    go(page, "Train")
    page.get_by_role("button", name="Start training").click()
    progress = page.locator('[data-testid="stProgress"]')
    progress.first.wait_for()
    seen = set()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        text = page.locator("body").inner_text()
        seen.update(re.findall(r"epoch (\d+)/\d+", text))
        if re.search(r"\bcompleted\b", text) and "%" in text:
            break
        time.sleep(0.5)
    assert len(seen) >= 2, f"the chart should update epoch by epoch; saw epochs {seen}"
    wait_idle(page)
    assert page.locator(".js-plotly-plot").count() >= 1
    shot(page, "05_train")

    go(page, "Inspect")
    page.locator(".js-plotly-plot").first.wait_for()
    assert not page.locator('[data-testid="stException"]').count()
    shot(page, "06_inspect")

    go(page, "Predict")
    path = tmp_path / "digit.png"
    path.write_bytes(digit_png())
    page.locator('input[type="file"]').first.set_input_files(str(path))
    page.get_by_text(re.compile(r"Prediction|predicted", re.I)).first.wait_for()
    wait_idle(page)
    assert not page.locator('[data-testid="stException"]').count()
    shot(page, "07_predict")

    page.reload()
    wait_idle(page)
    go(page, "Train")
    # The runs table is a canvas grid; its cells are in the DOM for screen readers.
    page.locator("[role=gridcell]", has_text="completed").first.wait_for(state="attached")
    shot(page, "08_train_after_refresh")
    assert elsewhere == []


def test_draw_a_digit_on_the_canvas(server, page):
    """The project's own canvas component: draw with the mouse, get a prediction."""
    page.goto(server["url"] + DESK)
    wait_idle(page)
    go(page, "Predict")
    if page.get_by_text("No trained model yet").count():
        pytest.skip("needs the run trained by test_newcomer_path")
    page.get_by_text("Draw", exact=True).click()
    wait_idle(page)
    canvas = page.locator("canvas[aria-label='drawing canvas']")
    canvas.wait_for()
    box = canvas.bounding_box()
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x, box["y"] + 40 + step * 20)
    page.mouse.up()
    page.get_by_text(re.compile(r"Prediction: \w+ · [\d.]+%")).first.wait_for()
    wait_idle(page)
    shot(page, "09_predict_drawing")


def test_a_page_address_opens_the_app_on_a_restarted_server(fresh_server, page):
    """A browser left on /train reconnects after the server restarts: it gets the app's
    own Train page, with the sidebar and all its pages (not a bare page script)."""
    page.goto(fresh_server["url"] + "/train")
    page.wait_for_function(
        "() => [...document.querySelectorAll('h1')].some(h => h.textContent.includes('Train'))"
    )
    wait_idle(page)
    links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    assert [text.split()[-1] for text in links] == PAGES  # after each icon's name
    assert page.get_by_text("Dataset:").count() == 1
    page.get_by_role("button", name="Start training").wait_for()  # after TensorFlow loads


def test_a_training_leaves_no_bare_page_script_in_the_servers_log(fresh_server, page):
    """A worker runs only training (python -m cnnviz.worker): the page script is never
    executed in it, so the server's log has none of Streamlit's bare-mode lines."""
    page.goto(fresh_server["url"] + "/train")
    wait_idle(page)
    field = page.get_by_label("Epochs")
    field.fill("1")
    field.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Start training").click()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not re.search(
        r"\bcompleted\b", page.locator("body").inner_text()
    ):
        time.sleep(0.5)
    assert re.search(r"\bcompleted\b", page.locator("body").inner_text())
    log = fresh_server["log"].read_text(encoding="utf-8", errors="replace")
    assert "ScriptRunContext" not in log, log[-2000:]
    assert "to view a Streamlit app on a browser" not in log, log[-2000:]
    assert "Session state does not function" not in log, log[-2000:]
