"""Accessibility in real headless Chromium: axe-core on every page, and the keyboard alone.

axe-core (bundled by `axe-playwright-python`) checks every page with the WCAG 2.1 A and AA
rules, in the normal theme and the projector's (`?projector=1`), with Inspect's every tab,
a confusion cell opened and an image answered on Predict: no critical or serious violation
may remain that cnnviz can fix. What only Streamlit can fix is listed in
`LEFT_TO_STREAMLIT`, by rule, with the Streamlit markup it must be inside (checked on every
node, so nothing of ours hides behind the list). Screenshots of every page in both themes
go to tests/e2e/screenshots/a11y_*.png (look at them).
"""

from __future__ import annotations

import io
import re
import time

import numpy as np
import pytest
from PIL import Image

from tests.e2e.conftest import (
    again_when_redrawn,
    asked_elsewhere,
    shot,
    streamlit_server,
    wait_idle,
)
from tests.helpers_runs import train_run

pytestmark = pytest.mark.e2e

PAGES = [  # (url path, the page's title)
    ("", "Concepts"),
    ("lessons", "Lessons"),
    ("data", "Data"),
    ("build", "Build"),
    ("augment", "Augment"),
    ("train", "Train"),
    ("inspect", "Inspect"),
    ("compare", "Compare"),
    ("predict", "Predict"),
    ("class", "Class"),
]
INSPECT_TABS = ["Filters", "Confusion matrix", "Mistakes", "Grad-CAM", "Export"]
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
SERIOUS = ("critical", "serious")
# Rules whose findings are inside Streamlit's own widgets, which cnnviz cannot change: why,
# and the markup every finding must be inside. axe reports them as "needs review"
# (incomplete): they are checked like violations, so a new one fails this test.
LEFT_TO_STREAMLIT = {
    "aria-prohibited-attr": (
        "Streamlit's multiselect chips (a span) and uploaded-file chips (a div) carry an "
        "aria-label without a role that allows one; their text says the same",
        '[data-testid="stMultiSelect"], [data-testid="stFileUploader"]',
    ),
}
# Plotly draws its text as SVG, where axe cannot find the background ("needs review"): the
# figures' contrast is checked by tests/test_figures_contrast.py on every builder instead.
SVG_TEXT = "svg text, svg tspan"


@pytest.fixture(scope="module")
def a11y_server(tmp_path_factory, browser_path):
    """A server with two trained digits runs (for Inspect, Predict and Compare)."""
    runs = tmp_path_factory.mktemp("e2e-a11y") / "runs"
    train_run(runs, "digits-small", limit=400, epochs=2, learning_rate=0.003)
    train_run(runs, "digits-small", limit=400, epochs=2, learning_rate=0.01)
    log = tmp_path_factory.mktemp("e2e-a11y-log") / "streamlit.log"
    with streamlit_server(runs, log) as running:
        yield running


def digit_png(tmp_path) -> str:
    image = np.zeros((64, 48), np.uint8)
    image[8:56, 20:28] = 255  # a drawn '1'
    path = tmp_path / "digit.png"
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def open_page(page, url: str, title: str) -> None:
    page.goto(url)
    page.wait_for_function(
        "t => [...document.querySelectorAll('h1')].some(h => h.textContent.includes(t))",
        arg=title,
    )
    wait_idle(page)


def axe_findings(page, where: str) -> list[str]:
    """axe's critical and serious findings that cnnviz could fix, as lines to read; a
    finding of `LEFT_TO_STREAMLIT` outside Streamlit's markup counts as ours."""
    from axe_playwright_python.sync_playwright import Axe

    size = page.viewport_size  # every element in view: axe measures contrast on screen
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], "
        "[data-testid=stAppViewContainer]')].map(e => e.scrollHeight), 800)"
    )
    page.set_viewport_size({"width": size["width"], "height": min(int(height), 8000)})
    page.wait_for_timeout(500)
    options = {**RULES, "resultTypes": ["violations", "incomplete"]}
    results = Axe().run(page, options=options).response
    page.set_viewport_size(size)
    checked = {rule["id"] for rule in results["passes"]}
    assert {"color-contrast", "label", "document-title"} <= checked, (where, checked)  # it ran
    found = []
    for kind in ("violations", "incomplete"):
        for rule in results[kind]:
            if kind == "incomplete" and rule["id"] == "color-contrast":
                continue  # plotly's SVG text or a passing spinner: see SVG_TEXT
            for node in rule["nodes"]:
                if node.get("impact") not in SERIOUS:
                    continue
                inside = LEFT_TO_STREAMLIT.get(rule["id"], (None, None))[1]
                if inside and page.locator(node["target"][-1]).first.evaluate(
                    "(e, s) => !!e.closest(s)", inside
                ):
                    continue
                found.append(f"{where}: {kind} {rule['id']} at {node['html'][:160]}")
    return found


@pytest.mark.parametrize("theme", ["normal", "projector"])
def test_every_page_passes_axe_wcag21_aa(a11y_server, page, tmp_path, theme):
    """Every page (Inspect's every tab, a confusion cell, an answered image), normal and
    projector: 0 critical or serious axe findings that cnnviz can fix."""
    query = "?projector=1" if theme == "projector" else ""
    found, elsewhere = [], asked_elsewhere(page, a11y_server["url"])
    for path, title in PAGES:
        open_page(page, f"{a11y_server['url']}/{path}{query}", title)
        assert not page.locator('[data-testid="stException"]').count(), title
        assert page.evaluate("() => document.documentElement.lang") == "en"
        found += axe_findings(page, f"{title} ({theme})")
        shot(page, f"a11y_{theme}_{title.lower()}")
        if title == "Inspect":
            for tab in INSPECT_TABS:
                page.get_by_role("tab", name=tab).click()
                wait_idle(page)
                if tab == "Confusion matrix":  # a cell's images under the matrix
                    page.locator('[data-testid="stButton"]', has_text="→").first.click()
                    page.get_by_text("most confidently wrong").first.wait_for()
                    wait_idle(page)
                found += axe_findings(page, f"Inspect, {tab} ({theme})")
                shot(page, f"a11y_{theme}_inspect_{tab.lower().replace(' ', '_')}")
        if title == "Predict":
            page.locator('input[type="file"]').first.set_input_files(digit_png(tmp_path))
            page.get_by_text(re.compile(r"Prediction: ")).first.wait_for()
            wait_idle(page)
            found += axe_findings(page, f"Predict, an image answered ({theme})")
            shot(page, f"a11y_{theme}_predict_answer")
    assert not found, "\n".join(found)
    assert elsewhere == []


# --- the keyboard alone --------------------------------------------------------------------

FOCUSED = """() => {
    const e = document.activeElement;
    if (!e) return "";
    const name = e.getAttribute("aria-label") || e.innerText || e.value || "";
    return (e.getAttribute("role") || e.tagName.toLowerCase()) + ": " + name.trim();
}"""


def focused(page) -> str:
    """What has the keyboard focus, as "role: name" (e.g. "button: Add layer")."""
    return page.evaluate(FOCUSED)


def tab_to(page, pattern: str, *, back: bool = False, limit: int = 300) -> str:
    """Press Tab (Shift+Tab with `back`) until the focus is on what matches `pattern`."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        now = focused(page)
        if re.search(pattern, now):
            return now
    raise AssertionError(f"the keyboard never reached {pattern!r}; last: {focused(page)!r}")


def nav_to(page, title: str) -> None:
    """Back to the sidebar with Shift+Tab, then Enter on the page's link."""
    tab_to(page, rf"(?s)^a: .*\b{title}$", back=True)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "t => [...document.querySelectorAll('h1')].some(h => h.textContent.includes(t))",
        arg=title,
    )
    wait_idle(page)


def pick_option(page, box: str, presses: int) -> None:
    """Open the select box `box` with the arrows, move `presses` down, press Enter."""
    tab_to(page, rf"^combobox: {re.escape(box)}$")
    page.keyboard.press("ArrowDown")  # opens the list
    page.wait_for_timeout(300)
    for _ in range(presses):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    wait_idle(page)


def test_build_train_and_inspect_with_the_keyboard_alone(a11y_server, page, tmp_path):
    """From the first page, with Tab, Shift+Tab, Enter, Space and the arrows only: add a
    layer on Build, start a training on Train and hear it (the live region's text
    changes), open a confusion cell's images on Inspect, and upload an image on Predict
    (the browser's file chooser, opened by Enter). The focus is always seen."""
    digit = digit_png(tmp_path)
    page.goto(a11y_server["url"])
    wait_idle(page)
    assert page.evaluate("() => document.documentElement.lang") == "en"

    tab_to(page, r"(?s)^a: .*\bBuild$")  # forwards through the sidebar
    ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert ring == "solid"  # the focus ring is drawn, not only a faint background
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Add layer").wait_for()
    wait_idle(page)
    layers = page.get_by_role("button", name="Remove").count()
    tab_to(page, r"^input: Insert at position$")  # a new Conv2D goes first: arrows down
    for _ in range(layers):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    wait_idle(page)
    tab_to(page, r"^button: Add layer$")
    shot(page, "a11y_keyboard_build_add")
    page.keyboard.press("Enter")
    wait_idle(page)
    assert page.get_by_role("button", name="Remove").count() == layers + 1
    assert page.get_by_text(re.compile(r"^1\. Conv2D")).count()

    nav_to(page, "Train")
    tab_to(page, r"^button: Start training$")
    page.keyboard.press("Space")
    said, deadline = [], time.monotonic() + 240
    while time.monotonic() < deadline:
        text = page.evaluate(
            "() => (document.getElementById('cnnviz-status') || {}).textContent || ''"
        )
        if text and (not said or said[-1] != text):
            said.append(text)
        if text.startswith("Training completed"):
            break
        time.sleep(0.3)
    region = page.locator("#cnnviz-status")
    assert region.get_attribute("aria-live") == "polite" and region.get_attribute("role") == (
        "status"
    )
    assert said[-1].startswith("Training completed: test accuracy "), said
    assert any(re.match(r"Training: epoch \d+ of \d+ done", s) for s in said), said
    wait_idle(page)
    shot(page, "a11y_keyboard_train")

    nav_to(page, "Inspect")
    tab_to(page, r"^tab: Layer maps$")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    wait_idle(page)
    tab = page.get_by_role("tab", name="Confusion matrix")
    assert tab.get_attribute("aria-selected") == "true"
    pick_option(page, "True class of the cell", 0)  # class 0 ...
    pick_option(page, "Predicted class of the cell", 0)  # ... recognised as 0
    page.get_by_text(re.compile(r"^0 recognised: \d+ images")).first.wait_for()
    wait_idle(page)
    assert page.locator(".st-key-inspect_cell_images [data-testid=stPlotlyChart]").count()
    shot(page, "a11y_keyboard_inspect_cell")

    nav_to(page, "Predict")  # the upload button opens the browser's file chooser

    def upload(timeout: float):
        tab_to(page, r"(?s)^button: .*Upload$")
        with page.expect_file_chooser(timeout=timeout) as chooser:
            page.keyboard.press("Enter")
        return chooser.value

    again_when_redrawn(page, upload).set_files(digit)
    page.get_by_text(re.compile(r"Prediction: ")).first.wait_for()
    wait_idle(page)
    shot(page, "a11y_keyboard_predict")
