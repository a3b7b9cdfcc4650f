"""Validating a 30-layer spec (pure Python) beside building the same Keras model.

Goal: validation under 5 ms, so the Build page answers while someone types.
Run: python benchmarks/bench_validate.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from cnnviz.spec import ModelSpec, validate  # noqa: E402


def thirty_layers() -> ModelSpec:
    block = [
        {
            "type": "Conv2D",
            "filters": 16,
            "kernel_size": 3,
            "padding": "same",
            "activation": "relu",
        },
        {"type": "BatchNormalization"},
        {"type": "Conv2D", "filters": 16, "kernel_size": [3, 1], "padding": "same"},
        {"type": "Activation", "activation": "relu"},
        {"type": "SpatialDropout2D", "rate": 0.1},
    ]
    stack = block * 4 + [
        {"type": "MaxPooling2D"},
        {"type": "SeparableConv2D", "filters": 32, "kernel_size": 3},
        {"type": "GlobalAveragePooling2D"},
        {"type": "Dense", "units": 64},
        {"type": "Dropout", "rate": 0.5},
        {"type": "Dense", "units": 32},
        {"type": "Dropout", "rate": 0.2},
        {"type": "Dense", "units": 32},
        {"type": "Activation", "activation": "relu"},
    ]
    stack.append({"type": "Dense", "units": "num_classes", "activation": "softmax"})
    return ModelSpec.from_dict({"name": "thirty", "layers": stack})


def best_ms(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


def main() -> None:
    spec = thirty_layers()
    assert len(spec.layers) == 30
    args = {"input_shape": (32, 32, 3), "num_classes": 10}
    v_best, v_med = best_ms(lambda: validate(spec, **args), 200)
    from cnnviz.build import build_model

    report = validate(spec, **args)
    build_model(report)  # first build pays the TensorFlow import
    b_best, b_med = best_ms(lambda: build_model(report), 5)
    print(f"validate 30 layers: median {v_med:.2f} ms (best {v_best:.2f} ms), goal < 5 ms")
    print(f"build Keras model:  median {b_med:.1f} ms (best {b_best:.1f} ms)")
    print(f"build / validate ratio: {b_med / v_med:.0f}x")


if __name__ == "__main__":
    main()
