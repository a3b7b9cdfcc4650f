"""Live drawing on Predict: the server's time per stroke, beside the lab's calls.

At the end of every stroke the canvas sends its 280x280 PNG and only the Predict page's
drawing fragment reruns (`app_pages/_predict_why.live_drawing`). Its server work is
timed here stroke by stroke, exactly as the fragment does it: the data URL decoded
(`_canvas`), `reasons` (the image converted, answered, Grad-CAM, the first
convolution's maps, the whole network) and every figure serialised as
`st.plotly_chart` serialises it. Beside it, in the same run on the same strokes: the
lab's calls for the answer and the maps alone, `model.predict` and a features model's
`predict`, with no figure at all.

Goal: under 100 ms per stroke for the digits default (digits-small).
Run: python benchmarks/bench_draw.py [--strokes N] [--repeat R]
"""

import argparse
import base64
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402
import plotly.io  # noqa: E402
import plotly.tools  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from app_pages.panels.predict_why import reasons  # noqa: E402
from cnnviz import presets  # noqa: E402
from cnnviz.build import build_model  # noqa: E402
from cnnviz.predict import prepare_image  # noqa: E402
from cnnviz.spec import validate  # noqa: E402

PRESET = "digits-small"  # the app's default model on the digits


def stroke_urls(count: int) -> list[str]:
    """The canvas after each of `count` strokes of a drawn 2, as PNG data URLs
    (white ink 22 px wide on black, as `_canvas.py` draws and sends it)."""
    t = np.linspace(0, 1, count + 1)
    xs = 70 + 140 * np.sin(np.pi * t * 1.2).clip(0) + 40 * t
    ys = 60 + 160 * t
    canvas = Image.new("L", (280, 280), 0)
    pen = ImageDraw.Draw(canvas)
    urls = []
    for i in range(count):
        pen.line([(xs[i], ys[i]), (xs[i + 1], ys[i + 1])], fill=255, width=22)
        buffer = io.BytesIO()
        canvas.convert("RGBA").save(buffer, "PNG")
        urls.append("data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode())
    return urls


def serialised(figure) -> str:
    """What `st.plotly_chart` does with a figure before sending it."""
    spec = plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True)
    return plotly.io.to_json(spec, validate=False)


def fragment_work(model, url: str, shape, names, *, network: bool) -> tuple[float, float]:
    """One stroke's server work: (ms computing the answer and figures, ms serialising)."""
    start = time.perf_counter()
    data = base64.b64decode(url.split(",", 1)[1])  # as _canvas.drawing_canvas does
    why = reasons(
        model, data, shape=shape, names=names, caption="drawing", first_conv=True, network=network
    )
    middle = time.perf_counter()
    for figure in (why.bars, why.gradcam, why.first_conv, why.overview):
        if figure is not None:
            serialised(figure)
    end = time.perf_counter()
    return (middle - start) * 1000, (end - middle) * 1000


def lab_work(model, features_model, url: str, shape) -> float:
    """The lab's calls for the same answer and maps: ms per stroke."""
    start = time.perf_counter()
    image = prepare_image(base64.b64decode(url.split(",", 1)[1]), shape)[None]
    model.predict(image, verbose=0)
    features_model.predict(image, verbose=0)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=12, help="strokes per drawing")
    parser.add_argument("--repeat", type=int, default=5, help="drawings")
    args = parser.parse_args()
    import keras

    preset = presets.PRESETS[PRESET]
    report = validate(preset.spec, input_shape=preset.input_shape, num_classes=preset.num_classes)
    model = build_model(report)
    features_model = keras.Model(model.inputs[0], [layer.output for layer in model.layers[1:]])
    shape, names = preset.input_shape, [str(i) for i in range(preset.num_classes)]
    urls = stroke_urls(args.strokes)
    for network in (False, True):  # warm up: graph functions traced once
        fragment_work(model, urls[0], shape, names, network=network)
    lab_work(model, features_model, urls[0], shape)
    times: dict[str, list[float]] = {key: [] for key in ("compute", "send", "network", "lab")}
    for _ in range(args.repeat):  # alternated, so all three see the same machine load
        for url in urls:
            ms_compute, ms_send = fragment_work(model, url, shape, names, network=False)
            times["compute"].append(ms_compute)
            times["send"].append(ms_send)
            times["network"].append(sum(fragment_work(model, url, shape, names, network=True)))
            times["lab"].append(lab_work(model, features_model, url, shape))
    total = [a + b for a, b in zip(times["compute"], times["send"])]

    def line(label: str, values: list[float]) -> str:
        p90 = np.percentile(values, 90)
        return f"{label:60} {statistics.median(values):8.1f} {p90:8.1f}"

    load = os.getloadavg()[0]
    print(
        f"{PRESET}, {len(total)} strokes ({args.repeat} drawings of {args.strokes}); "
        f"load average {load:.1f} on {os.cpu_count()} cores"
    )
    print(f"{'ms per stroke':60} {'median':>8} {'p90':>8}")
    print(line("fragment: answer, Grad-CAM, first conv maps (computed)", times["compute"]))
    print(line("fragment: its 3 figures serialised", times["send"]))
    print(line("fragment, server total (the default)", total))
    print(line('fragment with "Also the whole network", server total', times["network"]))
    print(line("lab: model.predict + features_model.predict (no figure)", times["lab"]))
    median = statistics.median(total)
    verdict = "ok" if median < 100 else "OVER GOAL"
    ratio = statistics.median(times["lab"]) / median
    print(
        f"server time per stroke {median:.1f} ms (goal < 100 ms): {verdict}; "
        f"the lab's two predict calls alone take {ratio:.2f}x that"
    )


if __name__ == "__main__":
    main()
