"""Teach it your own things, in Chromium with its fake camera (issue 27): a dataset made
on Data by holding **Hold to record** for two classes, a squeezenet head trained on it,
and the live camera answering on Predict, then paused.

Chromium's `--use-fake-device-for-media-stream` is a camera that films a moving test
pattern, and `--use-fake-ui-for-media-stream` says yes to the camera prompt. The app is
at 127.0.0.1: a secure context, so the page gets the camera. Screenshots go to
tests/e2e/screenshots/collect_*.png (look at them).
"""

import re
import time

import pytest

from tests.e2e.conftest import CHROMIUM_ARGS, choose, shot, wait_idle
from tests.e2e.test_newcomer import go

pytestmark = pytest.mark.e2e

CAMERA_ARGS = [
    *CHROMIUM_ARGS,
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]


@pytest.fixture(scope="module")
def camera_browser(browser, browser_path):
    """Another Chromium, with the fake camera, from the session's Playwright (one a thread)."""
    camera = browser.browser_type.launch(
        executable_path=browser_path, headless=True, args=CAMERA_ARGS
    )
    yield camera
    camera.close()


@pytest.fixture
def camera_page(camera_browser):
    context = camera_browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def filming(page, label: str) -> None:
    """Wait until the camera component `label` shows the fake camera's picture."""
    video = page.locator(f"video[aria-label='{label}']")
    video.wait_for()
    wait_for(lambda: video.evaluate("v => v.videoWidth > 0 && !v.paused"), 30, "the camera")


def images_of(page, name: str) -> int:
    found = re.search(rf"{name}: (\d+) images, the newest first", page.locator("body").inner_text())
    return int(found.group(1)) if found else 0


def record(page, name: str, seconds: float) -> int:
    """Hold **Hold to record** for `seconds`; returns the images the class then has."""
    before = images_of(page, name)
    hold = page.locator("button.hold")
    hold.scroll_into_view_if_needed()
    box = hold.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(int(seconds * 1000))
    page.mouse.up()
    wait_for(lambda: images_of(page, name) >= before + 8, 60, f"the photos of {name}")
    counted = -1
    while counted != images_of(page, name):  # until the last batch is in
        counted = images_of(page, name)
        page.wait_for_timeout(2000)
        wait_idle(page)
    return counted


def test_a_burst_per_class_trains_and_the_live_camera_answers(fresh_server, camera_page):
    page = camera_page
    page.goto(fresh_server["url"] + "/data")
    wait_idle(page)
    page.get_by_text("Make your own", exact=True).click()
    wait_idle(page)
    page.get_by_label("Name of the new dataset").fill("desk things")
    page.get_by_role("button", name="Create").click()
    wait_idle(page)
    for name in ("left", "right"):
        page.get_by_label("New class").fill(name)
        page.get_by_role("button", name="Add class").click()
        wait_idle(page)
    filming(page, "camera")
    # 2.5 s: about ten photos a second, fewer on a busy machine (the suite's other tests)
    counts = {"right": record(page, "right", 2.5)}  # the class just added is the one filled
    choose(page, "Fill class", "left")
    filming(page, "camera")
    counts["left"] = record(page, "left", 2.5)
    print(f"a burst of 2.5 s kept {counts} photos")
    assert min(counts.values()) >= 8, counts
    shot(page, "collect_data")
    assert not page.locator('[data-testid="stException"]').count()

    page.get_by_role("button", name="Use this dataset").click()
    page.get_by_text("Active: desk things").wait_for()
    wait_idle(page)
    go(page, "Build")
    choose(page, "Start from a preset", "squeezenet-head")
    page.get_by_role("button", name="Load preset").click()
    wait_idle(page)
    go(page, "Train")
    for label, value in (("Epochs", "3"), ("Batch size", "8")):
        field = page.get_by_label(label, exact=True)
        field.fill(value)
        field.press("Enter")
        wait_idle(page)
    page.get_by_role("button", name="Start training").click()
    wait_for(
        lambda: re.search(r"\bcompleted\b", page.locator("body").inner_text()), 300, "training"
    )
    wait_idle(page)
    shot(page, "collect_train")

    go(page, "Predict")
    page.get_by_text("Camera", exact=True).click()
    wait_idle(page)
    page.get_by_text("Live: the answer follows the camera").click()
    filming(page, "live camera")
    page.get_by_text(re.compile(r"Prediction: (left|right)")).first.wait_for()
    video = page.locator("video[aria-label='live camera']")
    answers = lambda: int(video.get_attribute("data-answers") or 0)  # noqa: E731
    start, first = time.monotonic(), answers()
    page.wait_for_timeout(5000)
    rate = (answers() - first) / (time.monotonic() - start)
    print(f"live camera: {rate:.1f} answers a second in Chromium (with the page drawing them)")
    assert answers() > first + 3, "the answer should follow the camera"
    page.get_by_role("button", name="Pause").click()
    page.wait_for_timeout(2500)  # an answer already on its way may still arrive
    held = answers()
    page.wait_for_timeout(1500)
    assert answers() == held, "paused: no new answers"
    shot(page, "collect_predict_live")  # paused: a full-page shot resizes the charts
    assert not page.locator('[data-testid="stException"]').count()
