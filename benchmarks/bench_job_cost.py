"""What one digits default job costs on a warm worker, beside plain Keras `fit`.

The digits default is what the app starts on: `digits-small` on `digits` with its
suggested settings (15 epochs, batch 64). cnnviz's side goes through the app's runner
(`make_runner("process")`, its default slots and threads): jobs are submitted one after
another, the first warms the worker (TensorFlow imported, the model traced) and the
next `--jobs` are measured: CPU seconds of the worker processes (all their threads, from
/proc) from submit to the job's end, and wall time. Everything a learner sees is on: the
live stream, the stop flag, per-class validation accuracy, every epoch's weights,
history.csv, the final model and its test metrics.

Plain Keras's side is the lab's cell, run in a process of its own with the same
TensorFlow threads as a worker: build the same model, compile it with Adam at the same
learning rate, `fit` 15 epochs on the same 90 % of the training images with the other
10 % as validation data, `evaluate` on the test images; timed after a first run of the
cell in that process (so both sides are warm: TensorFlow imported, the data in memory),
with a new model each time as a notebook makes. The machine's load is printed: it is
shared, so compare the two sides of one run, not runs.

Run: python benchmarks/bench_job_cost.py [--jobs N]
Last line: job cost: X CPU-s per job (plain fit Y CPU-s), test accuracy Z
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere

from cnnviz import presets  # noqa: E402
from cnnviz.events import ACTIVE  # noqa: E402
from cnnviz.plan import TrainConfig  # noqa: E402
from cnnviz.request import TrainRequest  # noqa: E402
from cnnviz.runners import make_runner  # noqa: E402
from cnnviz.runs import load_run  # noqa: E402

GOAL_CPU, GOAL_ACCURACY = 1.5, 0.95

PLAIN = r"""
import json, os, sys, time
sys.path.insert(0, {root!r})
import tensorflow as tf
if {threads}:
    tf.config.threading.set_intra_op_parallelism_threads({threads})
    tf.config.threading.set_inter_op_parallelism_threads({threads})
import keras
from cnnviz import presets
from cnnviz.build import build_model
from cnnviz.data import load_dataset, rescale, split_validation

name = presets.DEFAULT_PRESET
settings = presets.PRESETS[name].training
data = load_dataset("digits")
train, val = split_validation(data.train, 0.1, seed=0)
x, y = rescale(train.images), train.labels
xv, yv, xt, yt = rescale(val.images), val.labels, rescale(data.test.images), data.test.labels

def cell():
    keras.utils.set_random_seed(0)
    model = build_model(presets.get(name), input_shape=x.shape[1:], num_classes=10)
    model.compile(keras.optimizers.Adam(settings["learning_rate"]),
                  "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=settings["batch_size"], epochs=settings["epochs"],
              validation_data=(xv, yv), verbose=0)
    return model.evaluate(xt, yt, verbose=0)[1]

cell()
for _ in range({jobs}):
    wall, cpu = time.perf_counter(), time.process_time()
    accuracy = cell()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print("RESULT " + json.dumps({{"cpu": cpu, "wall": wall, "accuracy": accuracy}}), flush=True)
"""


def cpu_seconds(pids) -> float:
    """User + system CPU seconds of processes, all their threads (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def wait_warm(runner, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        warm = runner.worker_warm_seconds()
        if len(warm) >= runner.max_concurrent and all(w is not None for w in warm):
            return
        time.sleep(0.2)


def one_job(runner, request) -> dict:
    pids = runner.worker_pids()
    cpu, wall = cpu_seconds(pids), time.perf_counter()
    job = runner.submit(request)
    while runner.status(job)["status"] in ACTIVE:
        time.sleep(0.01)
    wall, cpu = time.perf_counter() - wall, cpu_seconds(pids) - cpu
    run = load_run(job, request.runs_dir)
    assert run.state == "completed", run.status
    assert len(run.epochs()) == request.config.epochs, run.epochs()
    return {"cpu": cpu, "wall": wall, "accuracy": run.test_accuracy}


def plain_fit(jobs: int, threads: int) -> list[dict]:
    code = PLAIN.format(root=str(ROOT), threads=threads, jobs=jobs)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=1200
    ).stdout
    return [json.loads(line[7:]) for line in out.splitlines() if line.startswith("RESULT ")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=5, help="measured jobs per side")
    args = parser.parse_args()
    name = presets.DEFAULT_PRESET
    config = TrainConfig.suggested(name)
    runs = tempfile.mkdtemp(prefix="bench-job-cost-")
    request = TrainRequest(presets.get(name), "digits", config, runs_dir=runs, model=name)
    runner = make_runner("process")
    threads = getattr(runner, "threads", 0)  # 0: TensorFlow's default, a thread per core
    print(
        f"{name} on digits, {config.epochs} epochs, batch {config.batch_size}; "
        f"{os.cpu_count()} cpus, runner slots {runner.max_concurrent}, "
        f"{threads or 'default'} TensorFlow thread(s) a worker; load average "
        f"{os.getloadavg()[0]:.1f}",
        flush=True,
    )
    wait_warm(runner)
    first = one_job(runner, request)  # warms the worker: its first model, traced
    ours = [one_job(runner, request) for _ in range(args.jobs)]
    runner.shutdown(wait=True)
    plain = plain_fit(args.jobs, threads)

    def median(rows, key):
        return statistics.median(r[key] for r in rows)

    print(f"\nper job, median of {args.jobs}{'':<14}{'cnnviz':>10}{'plain fit':>12}{'ratio':>9}")
    for key, label in (("cpu", "CPU seconds"), ("wall", "wall seconds")):
        a, b = median(ours, key), median(plain, key)
        print(f"  {label:<40}{a:10.2f}{b:12.2f}{a / b:8.2f}x")
    a, b = median(ours, "accuracy"), median(plain, "accuracy")
    print(f"  {'test accuracy':<40}{a:10.2%}{b:12.2%}")
    print(
        f"  first job on a fresh worker (tracing): {first['cpu']:.2f} CPU s, "
        f"{first['wall']:.2f} s wall; load average now {os.getloadavg()[0]:.1f}"
    )
    cpu, accuracy = median(ours, "cpu"), min(r["accuracy"] for r in ours)
    ok = cpu <= GOAL_CPU and accuracy >= GOAL_ACCURACY
    goal = f"goal <= {GOAL_CPU} CPU s at >= {GOAL_ACCURACY:.0%} (worst job)"
    print(f"{goal}: {'met' if ok else 'missed'}")
    print(
        f"job cost: {cpu:.2f} CPU-s per job (plain fit {median(plain, 'cpu'):.2f} CPU-s), "
        f"test accuracy {median(ours, 'accuracy'):.4f}"
    )


if __name__ == "__main__":
    main()
