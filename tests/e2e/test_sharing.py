"""Links, lessons and projector mode in real headless Chromium.

Screenshots go to tests/e2e/screenshots/ (lesson_*, projector_*): look at them.
"""

import base64
import json
import subprocess
import sys
import zlib

import pytest
from playwright.sync_api import expect

from cnnviz.spec import ModelSpec, validate
from tests.e2e.conftest import ROOT, shot, wait_idle
from tests.e2e.test_newcomer import go

pytestmark = pytest.mark.e2e

SPEC = {
    "name": "shared-by-link",
    "layers": [
        {"type": "Conv2D", "filters": 12, "kernel_size": 3, "activation": "relu"},
        {"type": "MaxPooling2D", "pool_size": 2},
        {"type": "Flatten"},
        {"type": "Dense", "units": 24, "activation": "relu"},
        {"type": "Dense", "units": "num_classes", "activation": "softmax"},
    ],
}
EXCEPTION = '[data-testid="stException"]'


def cnnviz(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cnnviz", *args], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def open_url(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("h1")  # the first run has drawn (wait_idle alone can be early)
    wait_idle(page)
    assert not page.locator(EXCEPTION).count()


def train_settings(page) -> dict:
    """The Train page's settings as its inputs show them (select boxes are comboboxes)."""
    labels = ("Epochs", "Batch size", "Learning rate", "Optimizer")
    return {label: page.get_by_label(label, exact=True).first.input_value() for label in labels}


def check_train(page) -> None:
    settings = train_settings(page)
    assert (settings["Epochs"], settings["Batch size"]) == ("7", "16")
    assert float(settings["Learning rate"]) == pytest.approx(0.02)
    assert settings["Optimizer"] == "sgd"


def test_a_cnnviz_link_opens_its_model_and_hyper_parameters_and_a_refresh_keeps_them(
    server, page, tmp_path
):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC))
    query = cnnviz("link", "--model", str(spec), "--data", "digits", "--epochs", "7",
                   "--batch-size", "16", "--optimizer", "sgd", "--lr", "0.02")  # fmt: skip
    assert query.startswith("?experiment=")
    params = validate(ModelSpec.from_dict(SPEC), input_shape=(8, 8, 1), num_classes=10)
    total = f"{params.total_params:,}"
    open_url(page, f"{server['url']}/build{query}")
    page.get_by_text("Opened the experiment from the link").first.wait_for()
    metric = page.locator('[data-testid="stMetricValue"]').first
    expect(metric).to_have_text(total, timeout=60_000)  # drawn last; stale or absent first
    assert page.get_by_text("shared-by-link").count() >= 1
    go(page, "Train")
    check_train(page)
    assert "experiment=" in page.url  # the router wrote the state back after the page change
    page.reload()
    wait_idle(page)
    assert not page.locator(EXCEPTION).count()
    check_train(page)
    go(page, "Build")
    expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text(total, timeout=60_000)


def _pack(data: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(data, 9)).decode().rstrip("=")


HOSTILE = {
    "garbled": "%25%25not-a-token",
    "truncated": _pack(json.dumps({"model": SPEC}).encode())[:40],
    "over-long": "A" * 55_000,
    "zip bomb": _pack(b" " * 20_000_000),
    "a server file": _pack(b'{"model": "/etc/passwd"}'),
    "markup": "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
}


def test_hostile_tokens_each_show_a_message_and_no_exception(server, page):
    for name, token in HOSTILE.items():
        open_url(page, f"{server['url']}/?experiment={token}")
        alert = page.locator('[data-testid="stAlertContentError"]').first
        alert.wait_for()
        assert "cannot be opened" in alert.inner_text(), name
        assert not page.locator("img[src='x']").count()
        assert "experiment=" not in page.url, name  # the defaults, in the address too
    go(page, "Build")
    assert page.locator('[data-testid="stMetricValue"]').first.inner_text() == "35,914"


@pytest.fixture(scope="module")
def trained_run(server):
    out = cnnviz("train", "--data", "digits", "--model", "digits-small", "--epochs", "2",
                 "--limit", "400", "--runs-dir", str(server["runs"]), "--json")  # fmt: skip
    return json.loads(out)["run_id"]


def test_a_run_link_opens_inspect_and_an_unknown_one_says_so(server, page, trained_run):
    open_url(page, f"{server['url']}/?run={trained_run}")
    page.wait_for_function(
        "() => [...document.querySelectorAll('h1')].some(h => h.textContent.includes('Inspect'))"
    )
    wait_idle(page)
    assert not page.locator(EXCEPTION).count()
    assert page.get_by_text("from the link (read-only)").count() == 1
    assert page.get_by_label("Run", exact=True).input_value().startswith(trained_run)
    open_url(page, f"{server['url']}/?run=no-such-run")
    assert "does not exist here" in page.locator('[data-testid="stAlertContentError"]').inner_text()


def lesson_ids() -> list[str]:
    return [lesson["id"] for lesson in json.loads(cnnviz("lessons", "--json"))["lessons"]]


def test_every_lesson_link_opens_and_locked_controls_are_disabled(server, page):
    ids = lesson_ids()
    assert len(ids) >= 5
    for lesson_id in ids:
        open_url(page, f"{server['url']}/?lesson={lesson_id}")
        page.get_by_text("Opened the lesson").first.wait_for()
        assert page.locator("h1").first.inner_text().startswith("Lessons")
    open_url(page, f"{server['url']}/?lesson=overfitting-augmentation")
    page.get_by_role("link", name="Go to Build").first.click()  # step 1 is on Build
    page.wait_for_function(
        "() => [...document.querySelectorAll('h1')].some(h => h.textContent.includes('Build'))"
    )
    wait_idle(page)
    assert page.get_by_role("button", name="Add layer").is_disabled()
    page.get_by_role("button", name="Show the answer").click()
    page.get_by_text("147,584 of them are in the Dense(128)").wait_for()
    shot(page, "lesson_build_step")
    go(page, "Train")
    assert page.get_by_label("Epochs", exact=True).is_disabled()
    assert page.get_by_label("Learning rate", exact=True).is_disabled()
    assert not page.get_by_label("Seed", exact=True).is_editable()
    assert page.get_by_text("Augment training images").count() == 1
    shot(page, "lesson_train_locked")
    open_url(page, f"{server['url']}/?lesson=batchnorm-dropout")
    go(page, "Train")
    assert page.get_by_label("Seed", exact=True).count() == 0  # hidden: not drawn at all
    go(page, "Lessons")
    shot(page, "lesson_page")


def body_font_px(page) -> float:
    return page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector("
        '\'[data-testid="stMain"] [data-testid="stMarkdownContainer"] p\')).fontSize)'
    )


def root_font_px(page) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")


def test_projector_mode_makes_the_body_text_1_3_times_larger(server, page):
    open_url(page, f"{server['url']}/")
    normal = body_font_px(page)
    diagram = page.locator('[data-testid="stImage"] img').first.bounding_box()["width"]
    open_url(page, f"{server['url']}/?projector=1")
    large = body_font_px(page)
    print(f"body text {normal:.1f} px, with ?projector=1 {large:.1f} px ({large / normal:.3f}x)")
    assert large / normal >= 1.3 - 1e-6
    grown = page.locator('[data-testid="stImage"] img').first.bounding_box()["width"]
    assert grown > diagram * 1.2  # the Concepts diagrams grow too
    shot(page, "projector_concepts")
    go(page, "Build")
    page.get_by_text("Total params").wait_for()
    wait_idle(page)
    assert "projector=1" in page.url and root_font_px(page) == pytest.approx(16 * 1.3)
    shot(page, "projector_build")
    go(page, "Train")
    page.get_by_label("Epochs", exact=True).fill("3")
    page.get_by_label("Epochs", exact=True).press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Start training").click()
    page.get_by_text("completed").first.wait_for(timeout=180_000)
    wait_idle(page)
    ticks = page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot .xtick text')]"
        ".map(t => parseFloat(getComputedStyle(t).fontSize))"
    )
    print(f"training chart tick labels {min(ticks):.1f} px (Streamlit's own: 12 px)")
    assert ticks and min(ticks) >= 12 * 1.3
    shot(page, "projector_train")
    page.locator('[data-testid="stSidebar"]').get_by_text("Projector mode").click()
    page.wait_for_url(lambda url: "projector" not in url)
    wait_idle(page)
    assert root_font_px(page) == 16


def test_copy_link_puts_the_experiment_link_on_the_clipboard(server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server["url"])
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        query = cnnviz("link", "--model", "lenet-5", "--data", "digits", "--epochs", "3")
        open_url(page, f"{server['url']}/build{query}")
        page.get_by_role("button", name="Copy link").click()
        page.get_by_text("Copied: paste it anywhere").wait_for()
        copied = page.evaluate("() => navigator.clipboard.readText()")
        assert copied.startswith(f"{server['url']}/build?experiment=")
        assert copied.split("=", 1)[1] == query.split("=", 1)[1]
        # Plain http to a LAN address has no navigator.clipboard: the fallback copies.
        page.add_init_script(
            "Object.defineProperty(navigator, 'clipboard', {value: undefined});"
            "const select = HTMLTextAreaElement.prototype.select;"
            "HTMLTextAreaElement.prototype.select = function () {"
            "  window.selectedForCopy = this.value; return select.call(this); };"
        )
        page.reload()
        wait_idle(page)
        page.get_by_role("button", name="Copy link").click()
        page.get_by_text("Copied: paste it anywhere").wait_for()
        assert page.evaluate("() => window.selectedForCopy") == copied
    finally:
        context.close()
