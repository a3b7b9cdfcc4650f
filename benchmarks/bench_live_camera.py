"""Predict's live camera on a squeezenet model: answers a second, on the server alone and
end to end in Chromium with its fake camera.

A `squeezenet-head` run is trained first (one epoch on 3 classes x 30 photos at 224 px,
bench_backbone's folder), then, beside each other in one run:
- the server's work per camera frame, as the live fragment does it
  (`app_pages/panels/live_camera.py`): the JPEG data URL decoded, `live_reasons` (the
  answer, Grad-CAM as one picture), the bars serialised as `st.plotly_chart` serialises
  them and the picture as a JPEG: answers a second one after another;
- the same answer with Grad-CAM as a figure, then with the whole network too (what one
  snapshot answer draws), and the lab's `model.predict` alone (no Grad-CAM, no figure);
- end to end: a real `streamlit run` server and Debian's Chromium with
  `--use-fake-device-for-media-stream`, Predict, Camera, Live: the answers the page
  drew in WINDOW seconds (the component counts them), the browser drawing every answer,
  on the same cores as the server.

Goal: at least 5 answers a second. Machines are shared: the load average is printed.
Run: python benchmarks/bench_live_camera.py [--frames N] [--window S] [--no-browser]
"""

import argparse
import base64
import io
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

from bench_backbone import SIDE, crops, sources, write_folder  # noqa: E402
from bench_draw import serialised  # noqa: E402

GOAL = 5.0
CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def camera_urls(count: int) -> list[str]:
    """Camera frames as the component sends them: 224 x 224 JPEG data URLs."""
    urls = []
    for image in crops(sources()["books"], count, seed=11):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        urls.append("data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode())
    return urls


def trained_run(runs: Path) -> str:
    from cnnviz import presets
    from cnnviz.plan import TrainConfig
    from cnnviz.request import TrainRequest, run_job
    from cnnviz.rundir import create

    data, _, _, _ = write_folder(runs.parent / "photos")
    spec, config = presets.get("squeezenet-head"), TrainConfig(epochs=1, batch_size=16)
    request = TrainRequest(spec, data, config, image_size=(SIDE, SIDE), model="squeezenet-head")
    run_dir = create(spec.to_dict(), request.source(), runs_dir=runs)
    result = run_job(request, run_dir=run_dir)
    if result.status != "completed":
        raise SystemExit(f"the squeezenet run did not train: {result.message}")
    return run_dir.name


def server_rates(run, urls: list[str]) -> dict[str, float]:
    """Answers a second, one frame after another, for each way of answering."""
    from app_pages.panels.live_camera import live_reasons
    from app_pages.panels.predict_why import reasons
    from app_pages.panels.webcam import jpeg_bytes
    from cnnviz.figures.predictions import prediction_bars
    from cnnviz.images import jpeg_bytes as jpeg
    from cnnviz.predict import prepare_image

    model, shape = run.model(), run.config["image_shape"]
    names = list(run.config["class_names"])

    def live(url: str) -> None:  # as the fragment: the bars' figure, the picture's JPEG
        answer, picture, _ = live_reasons(model, jpeg_bytes(url), shape, names)
        serialised(prediction_bars(answer))
        jpeg(picture)

    def figures(url: str, network: bool) -> None:
        why = reasons(
            model, jpeg_bytes(url), shape=shape, names=names, caption="camera", network=network
        )
        for figure in (why.bars, why.gradcam, why.overview):
            if figure is not None:
                serialised(figure)

    ways = {
        "live fragment: answer, Grad-CAM picture, bars": live,
        "the same with Grad-CAM as a figure (a snapshot's)": lambda u: figures(u, False),
        "a snapshot's answer: also the whole network": lambda u: figures(u, True),
        "the lab's model.predict alone": lambda u: model.predict(
            prepare_image(jpeg_bytes(u), shape)[None], verbose=0
        ),
    }
    rates = {}
    for label, way in ways.items():
        way(urls[0])  # traced once
        start = time.perf_counter()
        for url in urls:
            way(url)
        rates[label] = len(urls) / (time.perf_counter() - start)
    return rates


def browser_rate(runs: Path, window: float) -> float:
    """Answers a second the page drew, live camera on, over `window` seconds."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM_ARGS, streamlit_server, wait_idle

    log = runs.parent / "streamlit.log"
    with streamlit_server(runs, log) as server, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            headless=True,
            args=[*CHROMIUM_ARGS, *CAMERA],
        )
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(120_000)
        page.goto(server["url"] + "/predict")
        wait_idle(page)
        page.get_by_text("Camera", exact=True).click()
        wait_idle(page)
        page.get_by_text("Live: the answer follows the camera").click()
        video = page.locator("video[aria-label='live camera']")
        page.get_by_text(re.compile(r"Prediction: ")).first.wait_for()
        page.wait_for_timeout(3000)  # past the first answers (figures drawn once)
        first, start = int(video.get_attribute("data-answers")), time.monotonic()
        page.wait_for_timeout(int(window * 1000))
        rate = (int(video.get_attribute("data-answers")) - first) / (time.monotonic() - start)
        browser.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=40, help="frames per way, server side")
    parser.add_argument("--window", type=float, default=10.0, help="seconds counted in Chromium")
    parser.add_argument("--no-browser", action="store_true", help="the server's side only")
    args = parser.parse_args()
    import keras  # noqa: F401  (imported before timing, as a warm server has it)

    from cnnviz.runs import load_run

    with tempfile.TemporaryDirectory() as tmp:
        runs = Path(tmp) / "runs"
        run = load_run(trained_run(runs), runs)
        rates = server_rates(run, camera_urls(args.frames))
        load = os.getloadavg()[0]
        print(
            f"squeezenet-head at {SIDE}x{SIDE}, {args.frames} camera frames a way; "
            f"load average {load:.1f} on {os.cpu_count()} cores\n"
        )
        print(f"{'answers a second, server only':52}{'rate':>8}{'ms each':>10}")
        for label, rate in rates.items():
            print(f"{label:52}{rate:>8.1f}{1000 / rate:>10.1f}")
        if args.no_browser or not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
            return
        rate = browser_rate(runs, args.window)
        live = next(iter(rates.values()))
        print(
            f"\nend to end in Chromium (fake camera, the page drawing each answer): "
            f"{rate:.1f} answers a second, {rate / live:.2f}x the server's own rate; goal >= "
            f"{GOAL:.0f}: {'ok' if rate >= GOAL else 'missed'}; load average "
            f"{os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
