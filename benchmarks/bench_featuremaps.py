"""Feature maps of every layer for one image: cnnviz beside the lab's approach.

The lab builds `features_model = keras.Model(model.input, [l.output for l in layers])`
and calls `features_model.predict(x)` for each image. cnnviz builds that model once per
model (cached) and calls it directly. Both run here side by side on the same images.

Goal: cnnviz takes at most a fifth of the lab's time (ratio >= 5).
Run: python benchmarks/bench_featuremaps.py [--repeat N]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402

# noqa: E402
from cnnviz import presets  # noqa: E402
from cnnviz.build import build_model  # noqa: E402
from cnnviz.features import feature_maps
from cnnviz.spec import validate  # noqa: E402

MODELS = ["digits-small", "lab-7.02-pooling", "lab-cifar10", "lab-7.03-horses-or-humans"]


def lab_features_model(model):
    """The lab's visualisation model: every layer after the input as an output."""
    import keras

    return keras.Model(model.inputs[0], [layer.output for layer in model.layers[1:]])


def timed_ms(fn, images: np.ndarray) -> list[float]:
    times = []
    for image in images:
        start = time.perf_counter()
        fn(image)
        times.append((time.perf_counter() - start) * 1000)
    return times


def bench(name: str, repeat: int) -> tuple[float, float]:
    preset = presets.PRESETS[name]
    report = validate(preset.spec, input_shape=preset.input_shape, num_classes=preset.num_classes)
    model = build_model(report)
    rng = np.random.default_rng(0)
    images = rng.random((repeat, *preset.input_shape), dtype=np.float32)
    features_model = lab_features_model(model)

    def lab(image):
        return features_model.predict(image[None], verbose=0)

    def ours(image):
        return feature_maps(model, image)

    lab(images[0]), ours(images[0])  # build, trace and warm up both
    lab_ms, ours_ms = [], []
    for image in images:  # interleaved, so both see the same machine load
        lab_ms += timed_ms(lab, image[None])
        ours_ms += timed_ms(ours, image[None])
    return statistics.median(lab_ms), statistics.median(ours_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="images per model")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(
        f"median ms per image over {args.repeat} images (lower is better); "
        f"load average {load:.1f} on {os.cpu_count()} cores"
    )
    print(f"{'model':28} {'input':>12} {'lab predict':>12} {'cnnviz':>9} {'ratio':>7}")
    for name in MODELS:
        lab_ms, ours_ms = bench(name, args.repeat)
        shape = "x".join(map(str, presets.PRESETS[name].input_shape))
        verdict = "ok" if lab_ms / ours_ms >= 5 else "BELOW GOAL (5x)"
        print(
            f"{name:28} {shape:>12} {lab_ms:12.1f} {ours_ms:9.1f} "
            f"{lab_ms / ours_ms:6.1f}x  {verdict}"
        )


if __name__ == "__main__":
    main()
