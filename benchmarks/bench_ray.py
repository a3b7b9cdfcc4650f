"""The Ray runner's overhead beside the thread runner's, for the digits default
(`digits-small` on `digits` with its suggested settings), in one run: start-up once
(the runner made, Ray's local cluster started, and the first job, TensorFlow imported
by whoever trains it), then per job on warm workers, the jobs of the two runners taking
turns. Also the CPU one job costs, for the capacity estimate of the README: the digits
default measured whole, and `lab-cifar10` measured on a few epochs of CIFAR-10-shaped
random images (`tfds:cifar10` under `tfds.testing.mock_data`), then scaled to CIFAR-10's
45,000 training images (after the 10 % held out) and the preset's epochs.

Run: python benchmarks/bench_ray.py [--jobs N] [--cifar-images N] [--cifar-epochs E]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from cnnviz import presets  # noqa: E402
from cnnviz.events import ACTIVE  # noqa: E402
from cnnviz.plan import TrainConfig  # noqa: E402
from cnnviz.request import TrainRequest  # noqa: E402
from cnnviz.runners import make_runner  # noqa: E402
from cnnviz.runs import load_run  # noqa: E402

CIFAR_TRAIN, CIFAR_SPLIT = 50_000, 0.1


def one_job(runner, request) -> dict:
    """Submit, wait for the end; wall time, what the run says, and the driver's CPU."""
    start, cpu = time.perf_counter(), time.process_time()
    job = runner.submit(request)
    while runner.status(job)["status"] in ACTIVE:
        time.sleep(0.05)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    run = load_run(job, request.runs_dir)
    assert run.state == "completed", run.status
    status = run.status
    return {"wall": wall, "fit": status["fit_seconds"], "driver_cpu": cpu, "pid": status["pid"]}


def median(rows, key):
    return statistics.median(r[key] for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=3, help="warm jobs per runner")
    parser.add_argument("--cifar-images", type=int, default=2000, help="0: skip CIFAR")
    parser.add_argument("--cifar-epochs", type=int, default=2)
    args = parser.parse_args()
    name = presets.DEFAULT_PRESET
    config = TrainConfig.suggested(name)
    runs = tempfile.mkdtemp(prefix="bench-ray-")
    request = TrainRequest(presets.get(name), "digits", config, runs_dir=runs, model=name)
    print(f"{name} on digits, {config.epochs} epochs, batch {config.batch_size}; ", end="")
    print(f"{os.cpu_count()} cpus, load average {os.getloadavg()[0]:.1f}", flush=True)

    start = {}
    for kind in ("thread", "ray"):  # the thread runner first: this process is cold too
        t0 = time.perf_counter()
        runner = make_runner(kind, 1)
        ready = time.perf_counter() - t0
        first = one_job(runner, request)
        start[kind] = {"runner": runner, "ready": ready, "first": first, "total": ready}
        start[kind]["total"] += first["wall"]
        print(f"  {kind}: start-up done ({start[kind]['total']:.1f} s)", flush=True)

    warm = {"thread": [], "ray": []}
    for _ in range(args.jobs):
        for kind in warm:
            warm[kind].append(one_job(start[kind]["runner"], request))
    thread_cpu = []
    for kind in warm:
        start[kind]["runner"].shutdown(wait=True)
    for _ in range(args.jobs):  # the thread runner's CPU per job, alone on the machine
        runner = make_runner("thread", 1)
        cpu = time.process_time()
        one_job(runner, request)
        thread_cpu.append(time.process_time() - cpu)
        runner.shutdown()

    def line(label, thread, ray, unit="s"):
        ratio = f"{ray / thread:6.2f}x" if thread >= 0.05 else "     -"
        print(
            f"{label:<44}{thread:9.2f} {unit}{ray:9.2f} {unit}{ray - thread:+9.2f} {unit}  {ratio}"
        )

    t, r = start["thread"], start["ray"]
    print(f"\n{'':<44}{'thread':>11}{'ray':>11}{'ray - thread':>13}  ratio")
    print("start-up, once")
    line("  runner ready (Ray: local cluster started)", t["ready"], r["ready"])
    line("  first job, submit to end", t["first"]["wall"], r["first"]["wall"])
    line("  total", t["total"], r["total"])
    print(f"per job on a warm runner (median of {args.jobs})")
    wt, wr = warm["thread"], warm["ray"]
    line("  submit to end", median(wt, "wall"), median(wr, "wall"))
    line("  of which fit (as the run records it)", median(wt, "fit"), median(wr, "fit"))
    line(
        "  outside fit (data, build, test, transport)",
        *(statistics.median(x["wall"] - x["fit"] for x in rows) for rows in (wt, wr)),
    )
    line(
        "  CPU of the serving process (this one)",
        median(wt, "driver_cpu"),
        median(wr, "driver_cpu"),
    )
    pids = sorted({row["pid"] for row in wr})
    print(f"  Ray workers that trained: pids {pids} (this process: {os.getpid()})")

    digits_cpu = statistics.median(thread_cpu)
    print("\ncapacity (CPU seconds of one job, all threads of the process that trains)")
    print(
        f"  {name} on digits: {digits_cpu:.1f} CPU s a job -> "
        f"{3600 / digits_cpu:.0f} jobs per core-hour"
    )
    if args.cifar_images:
        cifar(args)


def cifar(args) -> None:
    import tensorflow_datasets as tfds

    from cnnviz.data.recent import load_recent

    preset = presets.PRESETS["lab-cifar10"]
    config = TrainConfig.suggested("lab-cifar10", epochs=args.cifar_epochs)
    with (
        tempfile.TemporaryDirectory() as tmp,
        tfds.testing.mock_data(num_examples=args.cifar_images),
    ):
        load_recent("tfds:cifar10", data_dir=tmp)  # loaded before the clock, as before
        runner = make_runner("thread", 1)
        request = TrainRequest(preset.spec, "tfds:cifar10", config, data_dir=tmp, runs_dir=tmp)
        cpu = time.process_time()
        row = one_job(runner, request)
        cpu = time.process_time() - cpu
        runner.shutdown()
    trained = round(args.cifar_images * (1 - CIFAR_SPLIT))
    per_image_epoch = cpu / (trained * args.cifar_epochs)
    full = per_image_epoch * CIFAR_TRAIN * (1 - CIFAR_SPLIT) * preset.training["epochs"]
    print(
        f"  lab-cifar10: {args.cifar_images} random 32x32x3 images ({trained} trained), "
        f"{args.cifar_epochs} epochs: {cpu:.1f} CPU s ({row['wall']:.1f} s wall, fit "
        f"{row['fit']:.1f} s) = {per_image_epoch * 1000:.2f} CPU ms per image and epoch"
    )
    print(
        f"  scaled to CIFAR-10 ({CIFAR_TRAIN * (1 - CIFAR_SPLIT):,.0f} trained images, "
        f"{preset.training['epochs']} epochs): {full / 3600:.2f} CPU hours a job -> "
        f"{3600 / full:.2f} jobs per core-hour"
    )


if __name__ == "__main__":
    main()
