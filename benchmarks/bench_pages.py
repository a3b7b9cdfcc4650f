"""Every page switch on a freshly started server, the first visits and the later ones.

Goal (issue 26): every page switch answers within 1 s of the click, including while
TensorFlow loads in the background behind the first page: pages that need no model do
not wait for it, and pages that do show what they can at once.

A fresh `streamlit run streamlit_app.py` (the app's defaults: solo, the process runner,
the TensorFlow warm-up on) and a fresh Chromium. The first page is opened; then, right
after it, every page of the sidebar is visited once in order (Concepts is the first page,
so it comes last: the round ends on it), and then the whole round again. Per visit:
"answered" is the click to the page's own title drawn (the learner sees the page), "done"
the click to the script's end (every element drawn, nothing running). The server's log
says when the warm-up ended, to put the visits beside it.

Run: python benchmarks/bench_pages.py [--rounds 2] [--json F]
Last line: pages: slowest first visit X s (PAGE), slowest later Y s
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402

PAGES = ["Lessons", "Data", "Build", "Augment", "Train", "Inspect", "Compare", "Predict"]
PAGES += ["Class", "Concepts"]
IDLE = (
    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    " && !document.querySelector('[data-testid=\"stSkeleton\"]')"
)


def visit(page, title: str) -> tuple[float, float]:
    """Click `title` in the sidebar: (seconds to its title drawn, to the run's end)."""
    began = time.perf_counter()
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    page.wait_for_function(
        "t => [...document.querySelectorAll('h1')].some(h => h.textContent.trim() === t)",
        arg=title,
        timeout=120_000,
    )
    answered = time.perf_counter() - began
    page.wait_for_timeout(150)  # the status widget appears a moment after the click
    page.wait_for_function(IDLE, timeout=120_000)
    return answered, time.perf_counter() - began


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", help="write the numbers to this file")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cnnviz-bench-pages-"))
    rows = []
    with streamlit_server(tmp / "runs", tmp / "streamlit.log") as server:
        started = time.perf_counter()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(server["url"])
            page.wait_for_selector("h1", timeout=120_000)
            first = time.perf_counter() - started
            page.wait_for_function(IDLE, timeout=120_000)
            for round_ in range(args.rounds):
                for title in PAGES:
                    at = time.perf_counter() - started
                    answered, done = visit(page, title)
                    rows.append((round_, title, at, answered, done))
            browser.close()
        log = (tmp / "streamlit.log").read_text(errors="replace")
    warm = re.search(r"TensorFlow warmed up in ([\d.]+) s", log)
    print(f"first page drawn {first:.2f} s after the server was up")
    print(f"warm-up: {'ended, ' + warm.group(1) + ' s' if warm else 'not ended'}")
    print(f"\n{'round':>5} {'page':10} {'at s':>6} {'answered s':>10} {'done s':>7}")
    for round_, title, at, answered, done in rows:
        print(f"{round_ + 1:>5} {title:10} {at:6.1f} {answered:10.2f} {done:7.2f}")
    firsts = [(answered, title) for r, title, _, answered, _ in rows if r == 0]
    later = [answered for r, _, _, answered, _ in rows if r > 0]
    slow = max(firsts)
    if args.json:
        Path(args.json).write_text(json.dumps({"first_page_s": first, "visits": rows}))
    print(
        f"pages: slowest first visit {slow[0]:.2f} s ({slow[1]}), "
        f"slowest later {max(later, default=0.0):.2f} s"
    )


if __name__ == "__main__":
    main()
