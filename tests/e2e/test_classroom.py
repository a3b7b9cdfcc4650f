"""A class on one server: three desks in three browser contexts, the process runner.

Each desk sees and stops only its own job on Train, waits with its position in the
queue, opens its own run in Inspect; the Class page lists every desk's runs; a second
Start from one desk adds no job; a refresh keeps the desk. Screenshots of the Class page
(live and after) and of a Train page while its job waits go to tests/e2e/screenshots/.
"""

import json
import re
import time

import pytest

from tests.e2e.conftest import shot, wait_idle

pytestmark = pytest.mark.e2e


def open_desk(browser, url: str, path: str):
    """A new browser context (its own cookies and session) at `url + path`."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(url + path)
    wait_idle(page)
    return context, page


def go(page, title: str) -> None:
    """Change page through the sidebar (the session, and its desk, go along)."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    page.wait_for_function(
        "t => [...document.querySelectorAll('h1')].some(h => h.textContent.includes(t))",
        arg=title,
    )
    wait_idle(page)


def start(page, epochs: int) -> None:
    """Set Epochs and press Start training."""
    field = page.get_by_label("Epochs")
    field.fill(str(epochs))
    field.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Start training").click()
    wait_idle(page)


def runs_of(runs, desk: str) -> dict[str, str]:
    """{run id: status} of a desk's runs in the server's runs folder."""
    found = {}
    for folder in runs.iterdir():
        if (folder / "config.json").is_file() and (folder / "status.json").is_file():
            if json.loads((folder / "config.json").read_text()).get("owner") == desk:
                found[folder.name] = json.loads((folder / "status.json").read_text())["status"]
    return found


def wait_for(condition, seconds: float = 600, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def test_three_desks_train_watch_and_inspect_only_their_own(server, browser):
    url, runs = server["url"], server["runs"]
    desks = {name: open_desk(browser, url, f"/train?desk={name}") for name in ("ada", "bob", "cyd")}
    ada, bob, cyd = (desks[name][1] for name in ("ada", "bob", "cyd"))
    cyd_again = open_desk(browser, url, "/train?desk=cyd")  # a second tab of the same desk
    teacher = open_desk(browser, url, "/class?desk=teacher")
    try:
        start(ada, 300)  # long: the others queue behind it (one training at a time)
        ada.get_by_text(re.compile(r"epoch \d+/300")).first.wait_for()
        start(bob, 2)
        bob.get_by_text("Waiting for a free slot: position 1 in the queue").wait_for()
        assert bob.get_by_text(re.compile(r"starts in (under a minute|about \d+ min)")).count()
        assert bob.get_by_role("button", name="Start training").is_disabled()
        assert bob.get_by_role("button", name="Stop training").is_enabled()
        assert not bob.locator(".js-plotly-plot").count()  # not ada's chart
        shot(bob, "classroom_train_queued")
        start(cyd, 2)
        cyd.get_by_text("Waiting for a free slot: position 2 in the queue").wait_for()

        # A second Start from cyd's other tab (drawn before) says where the first job is.
        cyd_again[1].get_by_role("button", name="Start training").click()
        cyd_again[1].get_by_text(re.compile(r"desk 'cyd' already has a job")).wait_for()
        assert len(runs_of(runs, "cyd")) == 1

        # Bob's Stop stops bob's job only; bob queues again, behind cyd.
        bob.get_by_role("button", name="Stop training").click()
        wait_for(lambda: "stopped" in runs_of(runs, "bob").values(), 60, "bob's stop")
        assert list(runs_of(runs, "ada").values()) == ["running"]
        start(bob, 2)
        bob.get_by_text("Waiting for a free slot: position 2 in the queue").wait_for()

        teacher[1].reload()  # the Class page while ada trains and two desks wait
        wait_idle(teacher[1])
        board = teacher[1].locator('[data-testid="stTable"]').first
        board.get_by_text("waiting · position 2").wait_for()
        text = board.inner_text()
        assert text.index("ada") < text.index("cyd") < text.index("bob"), text
        shot(teacher[1], "classroom_class_live")

        ada.get_by_role("button", name="Stop training").click()  # keeps what it learned
        wait_for(
            lambda: all(
                {"queued", "running"}.isdisjoint(runs_of(runs, d).values())
                and "completed" in runs_of(runs, d).values()
                for d in ("bob", "cyd")
            ),
            what="bob's and cyd's jobs to end",
        )
        assert list(runs_of(runs, "ada").values()) == ["stopped"]
        for name, page in (("ada", ada), ("bob", bob), ("cyd", cyd)):
            go(page, "Inspect")
            picked = page.get_by_role("combobox", name="Run").input_value()
            assert runs_of(runs, name).get(picked) in ("completed", "stopped"), (name, picked)
            page.locator('[data-testid="stMetric"]').first.wait_for()  # its test accuracy
            assert not page.locator('[data-testid="stException"]').count()

        teacher[1].reload()
        wait_idle(teacher[1])
        board = teacher[1].locator('[data-testid="stTable"]').last
        text = board.inner_text()
        for name in ("ada", "bob", "cyd"):
            assert name in text
        assert board.get_by_role("link", name="Inspect").count() >= 3
        assert teacher[1].get_by_role("button", name="Refresh").count()  # nothing runs
        shot(teacher[1], "classroom_class")

        bob.reload()  # a refresh is a new session: the URL brings the desk back
        wait_idle(bob)
        assert "desk=bob" in bob.url
        bob.get_by_text("Desk: bob").wait_for()
    finally:
        for context, _ in (*desks.values(), cyd_again, teacher):
            context.close()


def test_a_newcomer_names_a_desk_and_a_refresh_keeps_it(server, browser):
    context, page = open_desk(browser, server["url"], "/build")
    try:
        page.get_by_text("Welcome to cnnviz").wait_for()
        assert not page.locator('[data-testid="stSidebarNav"]').count()
        page.get_by_label("Your desk's short name").fill("Dee Dee")
        page.get_by_role("button", name="Start").click()
        page.wait_for_function("() => location.search.includes('desk=dee-dee')")
        wait_idle(page)
        assert "/build" in page.url and page.locator("h1", has_text="Build").count()
        page.reload()
        wait_idle(page)
        assert page.locator("h1", has_text="Build").count()
        page.get_by_text("Desk: dee-dee").wait_for()
        go(page, "Train")
        assert "desk=dee-dee" in page.url  # the router writes it back after a page change
    finally:
        context.close()
