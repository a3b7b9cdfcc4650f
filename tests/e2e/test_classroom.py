"""A class on one server (classroom mode): desks in separate browser contexts as separate
laptops, the teacher in another, the process runner.

A newcomer joins with the class code and a desk name; a taken name and a wrong code are
refused; a desk sees and stops only its own job, and `?desk=` another's is only a label;
the teacher signs in on the Class page, stops a desk's job, sends an experiment that a
desk takes at its next page change, hides desk names from the projected page and
downloads the results, which equal `python -m cnnviz results --csv`; a refresh, a server
restart and a second replica on the same runs folder all keep the desk. Screenshots of
the Class page (live, with the teacher's controls) go to tests/e2e/screenshots/.
"""

import json
import re
import subprocess
import sys
import time

import pytest

from tests.e2e.conftest import ROOT, choose, shot, streamlit_server, wait_idle

pytestmark = pytest.mark.e2e

CODE, TEACHER_CODE = "maple-42", "a-long-teacher-code-7"
CLASS = {"CNNVIZ_CLASS_CODE": CODE, "CNNVIZ_TEACHER_CODE": TEACHER_CODE}


@pytest.fixture(scope="module")
def classroom(tmp_path_factory, browser_path):
    runs = tmp_path_factory.mktemp("class-runs")
    log = tmp_path_factory.mktemp("class-log") / "streamlit.log"
    with streamlit_server(runs, log, **CLASS) as running:
        yield running


def laptop(browser, url: str, path: str = "/"):
    """A new browser context (its own cookies and session) at `url + path`."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(url + path)
    wait_idle(page)
    return context, page


def join(page, name: str, code: str = CODE) -> None:
    """Fill the welcome form and press Join."""
    page.get_by_label("Class code").fill(code)
    page.get_by_label("Desk name").fill(name)
    page.get_by_role("button", name="Join").click()


def joined(browser, url: str, name: str, path: str = "/train"):
    """A laptop that has joined as desk `name`, on `path`."""
    context, page = laptop(browser, url, path)
    join(page, name)
    page.get_by_text(f"You are: desk {name}").wait_for()
    wait_idle(page)
    return context, page


def teacher_at(browser, url: str):
    """The teacher's laptop, signed in on the Class page."""
    context, page = laptop(browser, url, "/class")
    page.get_by_text("Teacher: sign in").click()
    page.get_by_label("Teacher code").fill(TEACHER_CODE)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Teacher's controls").wait_for()
    wait_idle(page)
    return context, page


def go(page, title: str) -> None:
    """Change page through the sidebar (the session goes along)."""
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


def test_a_desk_is_one_laptop_and_the_teacher_acts(classroom, browser, tmp_path):
    url, runs = classroom["url"], classroom["runs"]
    ada = joined(browser, url, "ada-xq")
    bee = joined(browser, url, "bee-xq")
    teacher = teacher_at(browser, url)
    impostor = laptop(browser, url, "/train")
    try:
        # Another laptop cannot take ada's name, nor join with a wrong code.
        join(impostor[1], "ada-xq")
        impostor[1].get_by_text("this desk belongs to another laptop").wait_for()
        join(impostor[1], "eve", code="oak-17")
        impostor[1].get_by_text("that is not this class's code").wait_for()
        assert not impostor[1].locator('[data-testid="stSidebarNav"]').count()

        start(ada[1], 300)  # long: it trains while bee looks at it
        ada[1].get_by_text(re.compile(r"epoch \d+/300")).first.wait_for()
        # bee at /train?desk=ada-xq: a label. No enabled control acts on ada's job.
        bee[1].goto(url + "/train?desk=ada-xq")
        wait_idle(bee[1])
        bee[1].get_by_text("You are: desk bee-xq").wait_for()
        assert bee[1].get_by_role("button", name="Stop training").is_disabled()
        assert not bee[1].locator(".js-plotly-plot").count()  # not ada's live chart
        assert list(runs_of(runs, "ada-xq").values()) == ["running"]

        # A student sees a lesson's question, not its answer nor the teacher's notes.
        go(ada[1], "Lessons")
        ada[1].get_by_role("button", name="Start lesson").first.click()
        wait_idle(ada[1])
        assert not ada[1].get_by_role("button", name="Show the answer").count()
        assert not ada[1].get_by_text("Teacher notes").count()
        ada[1].get_by_role("button", name="End lesson").first.click()
        wait_idle(ada[1])

        # The teacher stops ada's job from the Class page; it keeps what it learned.
        teacher[1].reload()
        wait_idle(teacher[1])
        shot(teacher[1], "classroom_class_teacher")
        teacher[1].get_by_role("button", name="Stop", exact=True).first.click()
        wait_for(lambda: "stopped" in runs_of(runs, "ada-xq").values(), 120, "the teacher's stop")

        # The teacher sends an experiment; ada takes it at her next page change.
        go(teacher[1], "Build")
        choose(teacher[1], "Start from a preset", "lenet-5")
        teacher[1].get_by_role("button", name="Load preset").click()
        wait_idle(teacher[1])
        go(teacher[1], "Class")
        teacher[1].get_by_role("button", name="Send to every desk").click()
        teacher[1].get_by_text("Sent. Each desk gets it").wait_for()
        go(ada[1], "Build")
        ada[1].get_by_text("Your teacher sent an experiment").wait_for()
        ada[1].get_by_text("Model: lenet-5").wait_for()

        # Hide desk names: the projected page holds none.
        teacher[1].get_by_label("Hide desk names").check(force=True)  # its input is drawn over
        wait_idle(teacher[1])
        teacher[1].reload()
        wait_idle(teacher[1])
        teacher[1].get_by_text("(hidden)").first.wait_for()
        shot(teacher[1], "classroom_class_hidden")
        html = teacher[1].content()
        assert "(hidden)" in html and "ada-xq" not in html and "bee-xq" not in html

        # The results: one row per run, as the command line gives them.
        with teacher[1].expect_download() as download:
            teacher[1].get_by_role("button", name="Download results (CSV)").click()
        csv_path = tmp_path / "results.csv"
        download.value.save_as(csv_path)
        cli = subprocess.run(
            [sys.executable, "-m", "cnnviz", "results", "--runs-dir", str(runs), "--csv"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        got = csv_path.read_text(encoding="utf-8")
        assert got.replace("\r\n", "\n") == cli.stdout.replace("\r\n", "\n")
        assert len(got.strip().splitlines()) == 1 + len(list(runs.glob("*/status.json")))
    finally:
        for context, _ in (ada, bee, teacher, impostor):
            context.close()


def free(port: int, seconds: float = 60) -> None:
    """Wait until nothing listens on `port` any more."""
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
                return
            except OSError:
                time.sleep(0.5)
    raise AssertionError(f"port {port} is still taken")


def test_a_refresh_a_restart_and_a_second_replica_keep_the_desk(browser, tmp_path):
    runs = tmp_path / "runs"
    with streamlit_server(runs, tmp_path / "one.log", **CLASS) as first:
        context, page = joined(browser, first["url"], "cyd", "/build")
        try:
            page.reload()
            wait_idle(page)
            page.get_by_text("You are: desk cyd").wait_for()
            port = first["port"]
            with streamlit_server(runs, tmp_path / "two.log", **CLASS) as second:
                other = context.new_page()  # the same laptop, the other replica
                other.goto(second["url"] + "/train")
                wait_idle(other)
                other.get_by_text("You are: desk cyd").wait_for()
        finally:
            pass
    free(port)  # the first server has let go of its port: the restart takes the same one
    try:
        with streamlit_server(runs, tmp_path / "again.log", port=port, **CLASS) as again:
            page.goto(again["url"] + "/build")  # the server restarted: the desk stays
            wait_idle(page)
            page.get_by_text("You are: desk cyd").wait_for()
            page.locator("h1", has_text="Build").wait_for()  # the page asked for
    finally:
        context.close()
