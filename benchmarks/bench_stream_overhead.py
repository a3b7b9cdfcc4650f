"""What the live metric stream costs: plain `model.fit` against cnnviz's training path.

Same model (the `digits-small` preset), same data (digits, 10% held out to validate,
the same `make_pipeline` batches), same optimizer and seed, in one process:

- plain: `model.fit(train, validation_data=val, verbose=0)`;
- cnnviz: a job on `ThreadJobRunner` (`train` in a background thread with its metric
  stream, stop flag, TerminateOnNaN and CSVLogger) while this thread polls the events
  five times a second as the Train page does.

Both are timed by one wrapper around `keras.Model.fit` (wall and process CPU seconds).

The two alternate (A B B A A B ...) so drift in the machine's load hits both alike.
Other processes can only slow a run down, so the best of each (as `timeit` reports) is
the steadiest measure on a shared machine; the medians and the spread are printed too,
and, as a number no load can blur, the time the per-batch callbacks take on their own.
Goal: cnnviz images/s at least 95% of plain (ratio of the bests >= 0.95).
Run: python benchmarks/bench_stream_overhead.py [--rounds N] [--epochs E]
"""

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

import tempfile  # noqa: E402

from cnnviz import presets, runs  # noqa: E402
from cnnviz.build import build_model  # noqa: E402
from cnnviz.data import load_dataset, make_pipeline, split_validation  # noqa: E402
from cnnviz.plan import TrainConfig
from cnnviz.plan import make_optimizer as _optimizer
from cnnviz.request import TrainRequest  # noqa: E402
from cnnviz.spec import validate  # noqa: E402
from cnnviz.thread_runner import ThreadJobRunner  # noqa: E402

# noqa: E402

GOAL = 0.95
MODEL = "digits-small"


class FitTimer:
    """Wall and CPU seconds of every `keras.Model.fit` call, whichever thread makes it.

    The same clock for both sides: it wraps `fit` itself, so each measurement spans
    one whole `fit` (tracing, every batch, validation, the callbacks) and nothing else.
    CPU time is the whole process's, so it also counts this thread's polling.
    """

    def __init__(self):
        import keras

        self.calls: list[tuple[float, float]] = []
        self.real_fit = keras.Model.fit
        timer = self

        def timed_fit(model, *args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return timer.real_fit(model, *args, **kwargs)
            finally:
                timer.calls.append((time.perf_counter() - wall, time.process_time() - cpu))

        keras.Model.fit = timed_fit

    def last(self, images: int) -> tuple[float, float]:
        """(images per wall second, images per CPU second) of the last fit."""
        wall, cpu = self.calls[-1]
        return images / wall, images / cpu


def plain_fit(dataset, config: TrainConfig) -> None:
    """A bare `model.fit` on the same batches as cnnviz's."""
    import keras

    train_split, val_split = split_validation(
        dataset.train, config.validation_split, seed=config.seed
    )
    keras.utils.set_random_seed(config.seed)
    info = dataset.info
    model = build_model(
        validate(presets.get(MODEL), input_shape=info.image_shape, num_classes=info.num_classes)
    )
    model.compile(
        optimizer=_optimizer(config), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    train_ds = make_pipeline(
        train_split, batch_size=config.batch_size, training=True, seed=config.seed
    )
    val_ds = make_pipeline(val_split, batch_size=config.batch_size, training=False)
    model.fit(train_ds, validation_data=val_ds, epochs=config.epochs, verbose=0, shuffle=False)


def streamed_job(runner, dataset, config: TrainConfig, runs_dir: str) -> int:
    """A cnnviz job polled like the Train page polls it; returns the events seen."""
    spec = presets.get(MODEL)
    job = runner.submit(TrainRequest(spec, "digits", config, runs_dir=runs_dir))
    seen: list = []
    while runner.status(job)["status"] in ("queued", "running"):
        seen += runner.events(job, since=len(seen))
        time.sleep(0.2)
    seen += runner.events(job, since=len(seen))
    status = runs.load_run(job, runs_dir).status
    if status["status"] != "completed":
        raise SystemExit(f"the cnnviz run ended {status['status']}: {status['message']}")
    return len(seen)


def callback_cost(images: int, batch_size: int, calls: int = 20_000) -> float:
    """Seconds per batch that cnnviz's per-batch callbacks add (a load-proof number):
    the callbacks `train` attaches, called as Keras calls them after each batch, with
    the emit a job uses (a locked list append, throttled to ~10 a second)."""
    import keras

    from cnnviz.callbacks import MetricStream, StopFlag
    from cnnviz.jobs import _Job

    job = _Job("bench", Path("."), None)
    callbacks = [
        MetricStream(job.publish, images=images, batch_size=batch_size, epochs=1),
        StopFlag(job.stop_requested.is_set),
        keras.callbacks.TerminateOnNaN(),
        keras.callbacks.CSVLogger(os.devnull),
    ]
    callbacks[0].on_train_begin()
    logs = {"accuracy": 0.9, "loss": 0.25}
    start = time.perf_counter()
    for step in range(calls):
        for callback in callbacks:
            callback.on_train_batch_end(step % 40, logs)
    return (time.perf_counter() - start) / calls


def summary(name: str, rates: list[tuple[float, float]]) -> str:
    walls, cpus = [r[0] for r in rates], [r[1] for r in rates]
    return (
        f"{name:>6}: images/s best {max(walls):,.0f}, median {statistics.median(walls):,.0f}, "
        f"worst {min(walls):,.0f}; images per CPU-second median {statistics.median(cpus):,.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6, help="pairs of runs (default 6)")
    parser.add_argument("--epochs", type=int, default=6)
    args = parser.parse_args()
    import keras  # noqa: F401  (imported before timing)

    dataset = load_dataset("digits")
    config = TrainConfig(epochs=args.epochs, batch_size=32, learning_rate=0.002)
    images = len(split_validation(dataset.train, 0.1, seed=0)[0]) * args.epochs
    runner, timer = ThreadJobRunner(max_concurrent=1), FitTimer()
    plain, streamed = [], []
    print(f"{MODEL} on digits, {args.epochs} epochs, batch 32, cpus {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(2 * args.rounds):
            if (i % 4) in (0, 3):
                plain_fit(dataset, config)
                plain.append(timer.last(images))
                print(f"  plain model.fit : {plain[-1][0]:8,.0f} images/s", flush=True)
            else:
                events = streamed_job(runner, dataset, config, tmp)
                streamed.append(timer.last(images))
                print(
                    f"  cnnviz + stream : {streamed[-1][0]:8,.0f} images/s ({events} events)",
                    flush=True,
                )
    runner.shutdown()
    steps = math.ceil(images / args.epochs / 32) * args.epochs
    per_batch = callback_cost(images // args.epochs, 32)
    batch_seconds = images / max(r[0] for r in plain) / steps
    print(
        f"callbacks per batch: {per_batch * 1e6:.1f} us, {per_batch / batch_seconds:.2%} of "
        f"a plain batch ({batch_seconds * 1e3:.1f} ms at the best plain speed)"
    )
    print(summary("plain", plain))
    print(summary("cnnviz", streamed))
    best = max(r[0] for r in streamed) / max(r[0] for r in plain)
    median = statistics.median(r[0] for r in streamed) / statistics.median(r[0] for r in plain)
    cpu = statistics.median(r[1] for r in streamed) / statistics.median(r[1] for r in plain)
    print(
        f"ratio cnnviz/plain: best {best:.3f}, median {median:.3f}, per CPU-second {cpu:.3f} "
        f"(goal: median >= {GOAL}, runs alternated so both see the same noise: "
        f"{'ok' if median >= GOAL else 'missed'}); load average "
        f"{os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
