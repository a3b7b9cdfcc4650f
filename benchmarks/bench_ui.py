"""How fast the app answers: first page after the server is up, and a layer edit.

Goals (issue 8): the first page renders in under 3 s after the server is up
(TensorFlow is not imported on it); editing a layer on the Build page re-renders in
under 300 ms with a model of the default size. The augmentation slider has its own
script (bench_augment_slider.py).

Run: python benchmarks/bench_ui.py [--edits 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def first_page_seconds(script: str = "streamlit_app.py") -> tuple[float, float]:
    """(server start to healthy, healthy to the first page drawn in Chromium)."""
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CNNVIZ_RUNS_DIR": tempfile.mkdtemp()}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port",
         str(port), "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        healthy = time.perf_counter()
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--no-first-run", "--disable-sync"])
            page = browser.new_page()
            opened = time.perf_counter()
            page.goto(url)
            page.wait_for_selector("text=Convolution", timeout=60_000)
            drawn = time.perf_counter()
            browser.close()
        return healthy - start, drawn - opened
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def layer_edit_ms(edits: int) -> list[float]:
    """Times of `at.run()` after changing the first layer's filters on the Build page."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "build.py"), default_timeout=60)
    at.run()
    uid = at.session_state.build_uids[0]
    times = []
    for i in range(edits):
        at.number_input(key=f"build_{uid}_filters").set_value(16 + i % 8)
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
        assert not at.exception
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    times = layer_edit_ms(args.edits)
    print(f"Build page, edit a layer: median {statistics.median(times):.0f} ms, "
          f"best {min(times):.0f} ms over {len(times)} edits (goal < 300 ms)")
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp, "empty_app.py")
        empty.write_text('import streamlit as st\nst.title("Convolution")\n')
        _, floor = first_page_seconds(str(empty))
    up, drawn = first_page_seconds()
    print(f"server start to healthy: {up:.1f} s; first page drawn after that: {drawn:.2f} s "
          f"(goal < 3 s)")
    print(f"an empty Streamlit app in the same cold browser: {floor:.2f} s; cnnviz / empty "
          f"= {drawn / floor:.2f}; cnnviz's own share {drawn - floor:.2f} s")


if __name__ == "__main__":
    main()
