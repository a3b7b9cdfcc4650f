"""The server's memory over 200 page interactions, before and after issue 13's bounds.

A real `streamlit run` server (its own runs folder, one trained run in it) is driven by
Chromium through Playwright, ten interactions a round: Data with a new uploaded zip of
class folders (a dataset no one used before), Build with a layer added and removed,
Train with a one-epoch training on that dataset, Inspect with the test-image slider,
Predict with an uploaded image; a new browser session (a new visitor) every 40
interactions. The server's resident memory (VmRSS) is sampled after a warm-up round
and every 20 interactions. The same run is made with the code before the fixes (a git
worktree of `--before`, by default the commit issue 13 started from) and with this
checkout, and both are printed side by side.

Run: python benchmarks/bench_server_memory.py [--interactions 200] [--before REF]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
from benchmarks.procmem import rss_mb  # noqa: E402

BEFORE = "89fe898"  # main when issue 13 was taken up


def trained_runs(folder: Path) -> Path:
    """A runs folder holding one digits run, trained by the command line."""
    from cnnviz.cli import main

    runs = folder / "runs"
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(
            ["train", "--data", "digits", "--model", "digits-small", "--epochs", "2",
             "--limit", "300", "--runs-dir", str(runs)]
        )  # fmt: skip
    if code != 0:
        raise RuntimeError("could not train the benchmark's run")
    return runs


def picture(folder: Path) -> Path:
    from PIL import Image

    path = folder / "digit.png"
    Image.new("L", (40, 40), 180).save(path)
    return path


def class_zip(folder: Path, number: int, images: int = 1000) -> Path:
    """A zip of two class folders of small random pictures, different for each number."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(number)
    path = folder / f"set{number}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(images):
            pixels = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
            buffer = io.BytesIO()
            Image.fromarray(pixels).save(buffer, format="PNG")
            archive.writestr(f"set/{'ab'[i % 2]}/{i}.png", buffer.getvalue())
    return path


class Driver:
    """One browser session on the app, doing one interaction at a time."""

    def __init__(self, browser, url: str, work: Path):
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self.context.new_page()
        self.page.set_default_timeout(300_000)
        self.work = work
        self.image = picture(work)
        self.page.goto(f"{url}/?desk=bench")  # past the desk gate (older code ignores it)
        self.idle()

    def close(self) -> None:
        self.context.close()

    def idle(self) -> None:
        page = self.page
        page.wait_for_selector('[data-testid="stApp"]')
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
            " && !document.querySelector('[data-testid=\"stSkeleton\"]')"
        )
        page.wait_for_timeout(300)

    def go(self, title: str) -> None:
        self.page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
        self.page.wait_for_function(
            "t => [...document.querySelectorAll('h1')].some(h => h.textContent.includes(t))",
            arg=title,
        )
        self.idle()

    def click(self, name: str, index: int = 0) -> None:
        self.page.get_by_role("button", name=name).nth(index).click()
        self.idle()

    def new_dataset(self, number: int) -> None:
        self.page.get_by_text("Upload a zip", exact=True).click()
        self.idle()
        zipped = class_zip(self.work, number)
        self.page.locator('input[type="file"]').first.set_input_files(str(zipped))
        self.page.get_by_text(f"set{number}.zip").first.wait_for()
        self.idle()

    def slide(self) -> None:
        self.page.get_by_role("slider").first.press("ArrowRight")
        self.idle()

    def upload(self) -> None:
        self.page.locator('input[type="file"]').first.set_input_files(str(self.image))
        self.page.get_by_text("Prediction:").first.wait_for()
        self.idle()

    def train(self) -> None:
        epochs = self.page.get_by_label("Epochs")
        epochs.fill("1")
        epochs.press("Enter")
        self.idle()
        self.click("Start training")
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.page.get_by_role("button", name="Start training").is_enabled():
                break
            self.page.wait_for_timeout(1000)
        self.idle()

    def round(self, number: int):
        """Ten interactions, one at a time (a generator, so the caller can count)."""
        steps = [
            lambda: self.go("Data"),
            lambda: self.new_dataset(number),
            lambda: self.go("Build"),
            lambda: self.click("Add layer"),
            lambda: self.click("✕", -1),
            lambda: self.go("Train"),
            self.train,
            lambda: self.go("Inspect"),
            self.slide,
            lambda: (self.go("Predict"), self.upload()),
        ]
        for step in steps:
            step()
            yield


def measure(checkout: Path, interactions: int, browser, work: Path) -> list[tuple[int, float]]:
    """(interactions done, server RSS in MB) samples for the app in `checkout`."""
    from tests.e2e.conftest import _free_port, _wait_healthy

    runs = trained_runs(work)
    port = _free_port()
    env = {**os.environ, "CNNVIZ_RUNS_DIR": str(runs), "CUDA_VISIBLE_DEVICES": ""}
    log = (work / "server.log").open("w")
    print(f"  server log: {work / 'server.log'}")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port",
         str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=checkout, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    samples = []
    try:
        _wait_healthy(url, server, timeout=120)
        driver = Driver(browser, url, work)
        for _ in driver.round(0):  # warm-up: every page once, TensorFlow imported
            pass
        samples.append((0, rss_mb(server.pid)))
        done, number = 0, 0
        while done < interactions:
            number += 1
            for _ in driver.round(number):
                done += 1
                if done % 20 == 0:
                    samples.append((done, rss_mb(server.pid)))
                    print(f"  {checkout.name}: {done} interactions, {samples[-1][1]:,.0f} MB")
                if done >= interactions:
                    break
            if done % 40 == 0:
                driver.close()
                driver = Driver(browser, url, work)
        driver.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=200)
    parser.add_argument("--before", default=BEFORE, help="git ref of the code before")
    parser.add_argument("--only", choices=["before", "after"], help="measure one side only")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    results = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        checkouts = {"before": Path(tmp, "before"), "after": Path(tmp, "after")}
        for name, ref in (("before", args.before), ("after", "HEAD")):  # committed code
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach",
                 str(checkouts[name]), ref],
                check=True,
            )  # fmt: skip
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for name, checkout in checkouts.items():
                if args.only and name != args.only:
                    results[name] = [(0, float("nan"))]
                    continue
                work = Path(tmp, f"work-{name}")
                work.mkdir()
                results[name] = measure(checkout, args.interactions, browser, work)
        finally:
            browser.close()
            for checkout in checkouts.values():
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(checkout)]
                )
    print(f"\nserver RSS (MB) over {args.interactions} interactions, before | after:")
    longest = max(results.values(), key=len)
    for index, (done, _) in enumerate(longest):
        old, new = (v[index][1] if index < len(v) else float("nan") for v in results.values())
        print(f"  {done:>4}: {old:8,.0f} | {new:8,.0f}")
    growth = {k: v[-1][1] - v[0][1] for k, v in results.items()}
    print(
        f"growth after warm-up: before {growth['before']:+,.0f} MB, after "
        f"{growth['after']:+,.0f} MB"
    )
    print(json.dumps({"samples": results, "growth_mb": growth}))


if __name__ == "__main__":
    main()
