"""Previewing 8 augmented variants of a 512x512 photo, as the Augment page does.

Goal: under 0.3 s after the first call, so sliders feel live. Side by side, the same
Keras layers applied one after another (one bilinear warp per layer, what a
`keras.Sequential` of them does) instead of cnnviz's single composed warp.
Wall time depends on what else the machine runs, so the load average and the CPU time
of each call are printed too. Run: python benchmarks/bench_augment_preview.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from cnnviz.augment import AugmentSpec  # noqa: E402
from cnnviz.augment_layers import augmentation_layer, preview
from cnnviz.images import sample_photos

GOAL_SECONDS = 0.3
FULL = AugmentSpec.from_dict(
    {
        "rotation_degrees": 30,
        "width_shift": 0.1,
        "height_shift": 0.1,
        "brightness": [0.7, 1.3],
        "shear_degrees": 10,
        "zoom": [0.9, 1.1],
        "flip_left_right": True,
        "flip_up_down": True,
    }
)


def timed(fn, repeat: int) -> dict[str, float]:
    """Median and best wall seconds, and median CPU seconds, of `repeat` calls."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {"median": statistics.median(walls), "best": min(walls), "cpu": statistics.median(cpus)}


def line(name: str, t: dict[str, float], goal: bool = True) -> str:
    text = (
        f"{name:<44}: median {t['median'] * 1000:6.1f} ms, best {t['best'] * 1000:6.1f} ms, "
        f"cpu {t['cpu'] * 1000:6.1f} ms"
    )
    if goal:
        verdict = "ok" if t["median"] < GOAL_SECONDS else "over"
        text += f"  (goal < {GOAL_SECONDS * 1000:.0f} ms: {verdict})"
    return text


def layer_by_layer(spec: AugmentSpec, image: np.ndarray, n: int):
    """The same Keras layers, each warping the batch in turn (a Sequential's way)."""
    import keras

    layer = augmentation_layer(spec, seed=0)
    batch = keras.ops.repeat(keras.ops.convert_to_tensor(image[None], "float32") / 255, n, 0)

    def run():
        out = batch
        for step in layer.random_layers:
            out = step(out, training=True)
        return keras.ops.convert_to_numpy(out)

    return run


def main() -> None:
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    china = sample_photos()["china.jpg"]
    image = np.asarray(Image.fromarray(china).resize((512, 512), Image.Resampling.BILINEAR))
    start = time.perf_counter()
    preview(image, FULL, n=8, seed=0)
    print(f"first call (imports TensorFlow, builds layers): {time.perf_counter() - start:.2f} s")

    cases = {
        "all eight settings": FULL,
        "rotation only": AugmentSpec(rotation_degrees=30),
        "flips only": AugmentSpec(flip_left_right=True, flip_up_down=True),
        "brightness only": AugmentSpec(brightness=(0.7, 1.3)),
        "identity": AugmentSpec(),
    }
    for name, spec in cases.items():
        preview(image, spec, n=8, seed=0)  # build this spec's layer
        seeds = iter(range(1, 1000))
        t = timed(lambda spec=spec, seeds=seeds: preview(image, spec, n=8, seed=next(seeds)), 9)
        print(line(f"preview 8 x 512x512, {name}", t))

    angles = iter(np.linspace(1, 45, 100))  # a slider moving: a new spec every call

    def slider():
        spec = AugmentSpec(
            rotation_degrees=float(next(angles)), zoom=(0.9, 1.1), flip_left_right=True
        )
        preview(image, spec, n=8)

    print(line("preview, a new spec every call (slider)", timed(slider, 9)))

    ours = timed(lambda: preview(image, FULL, n=8, seed=1), 5)
    run = layer_by_layer(FULL, image, 8)
    run()
    theirs = timed(run, 5)
    print(line("all eight, one warp per Keras layer", theirs, goal=False))
    print(
        f"cnnviz's single warp is {theirs['median'] / ours['median']:.1f}x faster (wall), "
        f"{theirs['cpu'] / ours['cpu']:.1f}x (cpu)"
    )
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
