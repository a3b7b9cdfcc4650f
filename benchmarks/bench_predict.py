"""Predict on one uploaded image, model already loaded: decode, convert, forward pass.

Uploads of several kinds (a 12-megapixel phone JPEG with EXIF rotation, a PNG with
alpha, a WebP, a grayscale JPEG) are classified by `cnnviz.predict.predict_image`
from their bytes, as the Predict page receives them. Beside it: the same converted
image through `model.predict`, the lab's call.

Goal: under 100 ms per image once the model is loaded.
Run: python benchmarks/bench_predict.py [--repeat N]
"""

import argparse
import io
import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from cnnviz import presets  # noqa: E402
from cnnviz.build import build_model  # noqa: E402
from cnnviz.predict import predict_image, prepare_image  # noqa: E402
from cnnviz.spec import validate  # noqa: E402

MODELS = ["digits-small", "lab-cifar10", "lab-7.03-horses-or-humans"]


def photo(width: int, height: int) -> Image.Image:
    """A smooth colourful picture with some noise, so it compresses like a photo."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    rng = np.random.default_rng(0)
    channels = [np.sin(x / (90 + 40 * i)) * np.cos(y / (70 + 30 * i)) for i in range(3)]
    pixels = np.stack(channels, axis=-1) * 100 + 128 + rng.normal(0, 6, (height, width, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def uploads() -> dict[str, bytes]:
    """Encoded images as a browser would upload them."""
    files = {}
    big = photo(4000, 3000)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees to show upright
    buffer = io.BytesIO()
    big.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    files["12 MP JPEG, EXIF rotated"] = buffer.getvalue()
    rgba = photo(1024, 768).convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize((1024, 768)))
    buffer = io.BytesIO()
    rgba.save(buffer, "PNG")
    files["1024x768 PNG with alpha"] = buffer.getvalue()
    buffer = io.BytesIO()
    photo(640, 480).save(buffer, "WEBP", quality=85)
    files["640x480 WebP"] = buffer.getvalue()
    buffer = io.BytesIO()
    photo(800, 600).convert("L").save(buffer, "JPEG", quality=90)
    files["800x600 grayscale JPEG"] = buffer.getvalue()
    return files


def lab_predict(model, data: bytes, shape) -> np.ndarray:
    """The same converted image through `model.predict`, as the lab calls a model."""
    return model.predict(prepare_image(data, shape)[None], verbose=0)


def median_ms(fn, repeat: int) -> float:
    fn()  # warm up (the first call traces the graph function)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="predictions per case")
    args = parser.parse_args()
    files = uploads()
    load = os.getloadavg()[0]
    print(
        f"median ms per uploaded image over {args.repeat} runs (goal: < 100 ms); "
        f"load average {load:.1f} on {os.cpu_count()} cores"
    )
    print(f"{'model':28} {'upload':26} {'size':>8} {'predict_image':>14} {'lab model.predict':>18}")
    for name in MODELS:
        preset = presets.PRESETS[name]
        report = validate(
            preset.spec, input_shape=preset.input_shape, num_classes=preset.num_classes
        )
        model = build_model(report)
        classes = [f"class {i}" for i in range(preset.num_classes)]
        shape = preset.input_shape
        for label, data in files.items():
            ours = median_ms(
                partial(predict_image, model, data, image_shape=shape, class_names=classes),
                args.repeat,
            )
            lab = median_ms(partial(lab_predict, model, data, shape), args.repeat)
            verdict = "ok" if ours < 100 else "OVER GOAL"
            print(
                f"{name:28} {label:26} {len(data) / 2**20:6.1f}MB {ours:12.1f}   "
                f"{lab:16.1f}  {verdict}"
            )


if __name__ == "__main__":
    main()
