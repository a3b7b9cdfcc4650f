"""Browser tests: a real `streamlit run` server and Debian's Chromium through Playwright.

Never downloads a browser: Playwright launches /usr/bin/chromium (`executable_path`).
Without it the tests are skipped, unless CNNVIZ_REQUIRE_BROWSER=1 (CI), where a missing
browser is a failure.
"""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "tests" / "e2e" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("streamlit did not become healthy")


@pytest.fixture(scope="session")
def browser_path():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CNNVIZ_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}; apt-get install chromium")
        pytest.skip("Debian's chromium is not installed")
    return CHROMIUM


@contextlib.contextmanager
def streamlit_server(runs: Path, log_path: Path, *, port: int | None = None, **env_vars: str):
    """`streamlit run streamlit_app.py` on a free port (or `port`), with its own runs dir
    and any more environment variables (e.g. CNNVIZ_CLASS_CODE for a classroom)."""
    port = port or _free_port()
    env = {
        **os.environ,
        "CNNVIZ_RUNS_DIR": str(runs),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "CUDA_VISIBLE_DEVICES": "",
        "CNNVIZ_RUNNER": "process",  # the app's own default (tests/conftest.py sets thread)
        **env_vars,
    }
    log = log_path.open("a")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "streamlit_app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield {
            "url": url,
            "runs": runs,
            "proc": proc,
            "port": port,
            "log": log_path,
            "started": time.monotonic(),
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory, browser_path):
    """The app server that the newcomer's path shares."""
    runs = tmp_path_factory.mktemp("e2e-runs")
    log = tmp_path_factory.mktemp("e2e-log") / "streamlit.log"
    with streamlit_server(runs, log) as running:
        yield running


@pytest.fixture
def fresh_server(tmp_path, browser_path):
    """A server no browser has talked to yet (as after a restart)."""
    with streamlit_server(tmp_path / "runs", tmp_path / "streamlit.log") as running:
        yield running


@pytest.fixture(scope="session")
def browser(browser_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=browser_path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def shot(page, name: str) -> Path:
    """Save a full-page screenshot to tests/e2e/screenshots/NAME.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    size = page.viewport_size
    # Streamlit scrolls inside its main container: grow the window to show it all.
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], '
        '[data-testid="stAppViewContainer"]\')].map(e => e.scrollHeight), 800)'
    )
    page.set_viewport_size({"width": size["width"], "height": min(int(height), 6000)})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script (no 'Running...' widget)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=timeout,
    )
    page.wait_for_timeout(800)  # let charts and grids paint


def again_when_redrawn(page, act, *, tries: int = 3, timeout: float = 20_000):
    """`act(timeout)` (a click or key press and what it should open), done again once the
    page is idle when what it should open did not come within `timeout` ms.

    On a busy machine (the suite's other tests on both cores) Streamlit's page can be
    drawn again under a focused button or an open list (a rerun, a reconnect), and the
    press lands on nothing: a user presses again, and so does the test.

    Returns:
        What `act` returned.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(tries):
        try:
            return act(timeout)
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise
            wait_idle(page)


def choose(page, box, option: str) -> None:
    """Open a select box (its label, or the locator that opens it: a multiselect's
    input) and pick the one option whose name starts with `option`, pressing again when
    the page was drawn again under the press (`again_when_redrawn`)."""
    opener = page.get_by_label(box) if isinstance(box, str) else box
    wanted = page.get_by_role("option", name=re.compile(f"^{re.escape(option)}"))

    def pick(timeout: float) -> None:
        if page.get_by_role("listbox").count():  # left open by the press before
            page.keyboard.press("Escape")
        opener.click()
        wanted.click(timeout=timeout)

    again_when_redrawn(page, pick)
    wait_idle(page)


def asked_elsewhere(page, server_url: str) -> list[str]:
    """The addresses the page asks for from now on beyond cnnviz's own server (and its
    `data:` and `blob:` URLs), filled as it goes: a school's LAN may have no internet."""
    own = (server_url, "data:", "blob:")
    elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(own) else elsewhere.append(r.url))
    return elsewhere
