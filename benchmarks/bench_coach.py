"""The coach's dead-filter scan beside the evaluation it follows, on the lab's models.

`diagnose` scans the whole test split once for convolution channels that never fire
(`features.channel_peaks`: every conv layer's output, reduced in the graph); the
Inspect page has already run the same images through the model for the confusion
matrix (`forward.predict_outputs`). Both run here side by side on the same images,
with the reading of the curves (`curves`, pure numpy) for scale.

Goal: the scan costs at most about two evaluations (ratio <= 2).
Run: python benchmarks/bench_coach.py [--images N] [--repeat R]
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

from cnnviz import presets  # noqa: E402
from cnnviz.build import build_model  # noqa: E402
from cnnviz.coach import diagnose  # noqa: E402
from cnnviz.features import channel_peaks  # noqa: E402
from cnnviz.forward import predict_outputs  # noqa: E402
from cnnviz.spec import validate  # noqa: E402

MODELS = ["digits-small", "lab-cifar10"]


def best(call, *arguments, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call(*arguments)
        times.append(time.perf_counter() - start)
    return min(times) if repeat < 3 else statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    history = {"loss": list(np.linspace(2, 0.1, 30)), "val_loss": list(np.linspace(2, 0.2, 30))}
    history |= {"accuracy": [0.9] * 30, "val_accuracy": [0.88] * 30}
    print(f"{'model':<16}{'images':>8}{'evaluate s':>12}{'dead scan s':>13}{'ratio':>8}")
    for name in MODELS:
        preset = presets.PRESETS[name]
        report = validate(
            preset.spec, input_shape=preset.input_shape, num_classes=preset.num_classes
        )
        model = build_model(report)
        images = np.random.default_rng(0).random((args.images, *report.input_shape), np.float32)
        predict_outputs(model, images[:8]), channel_peaks(model, images[:8])  # trace both once
        evaluate = best(predict_outputs, model, images, repeat=args.repeat)
        scan = best(channel_peaks, model, images, repeat=args.repeat)
        print(f"{name:<16}{args.images:>8}{evaluate:>12.2f}{scan:>13.2f}{scan / evaluate:>8.2f}")
    names = [str(i) for i in range(10)]
    curves = best(lambda: diagnose(history, class_names=names, class_counts=[100] * 10), repeat=20)
    print(f"reading 30 epochs of curves: {curves * 1000:.2f} ms")


if __name__ == "__main__":
    main()
