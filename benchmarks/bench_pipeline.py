"""Does the input pipeline feed training at least as fast as the model eats?

60,000 Fashion-MNIST-shaped images (28x28x1) come through the real `tfds.load` path
under `tfds.testing.mock_data` (with a fast numpy-backed `as_dataset_fn`), then through
`make_pipeline` exactly as training uses it. Printed side by side, in one run:

  pipeline alone, first epoch (rescale + fill the cache) and later epochs (from cache)
  the model's training step alone (a batch already in memory, repeated)
  model.fit through the pipeline

Goal: pipeline images/s >= training-step images/s, for the lab's Fashion-MNIST models.
Run: python benchmarks/bench_pipeline.py [--batch-size 64] [--images 60000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402


def mock_fashion_mnist(n_train: int, n_test: int):
    """`tfds.load("fashion_mnist")` answered from numpy arrays (random pixels)."""
    import tensorflow as tf
    import tensorflow_datasets as tfds

    rng = np.random.default_rng(0)
    arrays = {
        split: (
            rng.integers(0, 256, size=(n, 28, 28, 1), dtype=np.uint8),
            rng.integers(0, 10, size=n, dtype=np.int64),
        )
        for split, n in (("train", n_train), ("test", n_test))
    }

    def as_dataset(self, split, **kwargs):
        images, labels = arrays[str(split)]
        return tf.data.Dataset.from_tensor_slices({"image": images, "label": labels})

    return tfds.testing.mock_data(as_dataset_fn=as_dataset)


def lab_models():
    """Two of the lab's Fashion-MNIST models (presets lab-fashion-mnist, lab-7.02)."""
    import keras
    from keras import layers

    small = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, strides=2, activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dropout(0.2),
            layers.Dense(10, activation="softmax"),
        ],
        name="lab-fashion-mnist",
    )
    pooling = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ],
        name="lab-7.02-pooling",
    )
    for model in (small, pooling):
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return small, pooling


def pipeline_rate(pipeline) -> float:
    """Images per second of one pass over a pipeline, without a model."""
    start, count = time.perf_counter(), 0
    for images, _ in pipeline:
        count += int(images.shape[0])
    return count / (time.perf_counter() - start)


def step_rate(model, batch, steps: int) -> float:
    """Images per second of the model's training step alone: one in-memory batch."""
    import tensorflow as tf

    repeated = tf.data.Dataset.from_tensors(batch).repeat(steps + 5)
    model.fit(repeated.take(5), epochs=1, verbose=0, shuffle=False)  # trace, warm up
    start = time.perf_counter()
    model.fit(repeated.take(steps), epochs=1, verbose=0, shuffle=False)
    return steps * int(batch[0].shape[0]) / (time.perf_counter() - start)


def fit_rate(model, pipeline, steps: int, batch_size: int) -> float:
    """Images per second of `model.fit` reading `steps` batches from the pipeline."""
    start = time.perf_counter()
    model.fit(pipeline.take(steps), epochs=1, verbose=0, shuffle=False)
    return steps * batch_size / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=60_000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=200, help="steps timed for the model")
    args = parser.parse_args()

    import tensorflow as tf

    from cnnviz.data import load_dataset, make_pipeline

    start = time.perf_counter()
    with mock_fashion_mnist(args.images, 10_000):
        data = load_dataset("tfds:fashion_mnist")
    load_seconds = time.perf_counter() - start
    train = data.train
    print(
        f"tfds.load -> numpy: {len(train):,} train images {data.info.image_shape} "
        f"in {load_seconds:.1f} s"
    )
    print(
        f"{os.cpu_count()} CPU cores, TensorFlow {tf.__version__}, batch size {args.batch_size}\n"
    )

    pipeline = make_pipeline(train, batch_size=args.batch_size, training=True)
    first = pipeline_rate(pipeline)
    cached = max(pipeline_rate(pipeline) for _ in range(2))
    print(f"pipeline alone, epoch 1 (rescale, fill cache): {first:>10,.0f} images/s")
    print(f"pipeline alone, later epochs (from cache):     {cached:>10,.0f} images/s\n")

    batch = next(iter(pipeline))
    rows = []
    for model in lab_models():
        step = step_rate(model, batch, args.steps)
        fit = fit_rate(model, pipeline, args.steps, args.batch_size)
        rows.append((model.name, step, fit))
    print(
        f"{'model':<20} {'train step alone':>18} {'fit via pipeline':>18} {'pipeline / step':>16}"
    )
    for name, step, fit in rows:
        print(f"{name:<20} {step:>13,.0f} im/s {fit:>13,.0f} im/s {cached / step:>15.1f}x")
    fastest = max(step for _, step, _ in rows)
    print()
    for label, rate in (("epoch 1", first), ("cached", cached)):
        verdict = "feeds training fast enough" if rate >= fastest else "is SLOWER than training"
        print(f"pipeline ({label}) / fastest model step = {rate / fastest:.1f}x: {verdict}")


if __name__ == "__main__":
    main()
