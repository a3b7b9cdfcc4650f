"""A class of 30 pressing Start at once: when does the last one have its result?

The app's runner (`make_runner("process")`, its default slots and threads per worker)
is made and left to warm up, as the app's is while students choose their models; then
30 desks submit the digits default (`digits-small` on `digits`, suggested settings) at
once. Printed side by side: when the last of the 30 was done after the first submit,
beside 30 jobs one after another at the solo time (one job alone on the warm runner,
measured after the class); the queue's estimates beside what happened (each waiting
job's predicted start, asked once a third of the class is done, against its real start);
and the workers' CPU per job, hence jobs per core-hour. The machine may be shared: its
load average is printed before and after.

Run: python benchmarks/bench_class_throughput.py [--desks 30]
Last line: class of 30: last job done X s after submit, solo Y s, Z jobs per core-hour
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

from bench_job_cost import cpu_seconds, wait_warm  # noqa: E402

from cnnviz import presets  # noqa: E402
from cnnviz.events import ACTIVE  # noqa: E402
from cnnviz.plan import TrainConfig  # noqa: E402
from cnnviz.request import TrainRequest  # noqa: E402
from cnnviz.runners import make_runner  # noqa: E402
from cnnviz.runs import load_run  # noqa: E402

GOAL_SECONDS = 40.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--desks", type=int, default=30)
    args = parser.parse_args()
    name = presets.DEFAULT_PRESET
    config = TrainConfig.suggested(name)
    runs = tempfile.mkdtemp(prefix="bench-class-")

    def request(owner: str) -> TrainRequest:
        return TrainRequest(presets.get(name), "digits", config, runs_dir=runs, owner=owner)

    runner = make_runner("process")
    threads = getattr(runner, "threads", "default")
    print(
        f"{args.desks} desks, {name} on digits; {os.cpu_count()} cpus, runner slots "
        f"{runner.max_concurrent}, {threads} TensorFlow thread(s) a worker; load average "
        f"{os.getloadavg()[0]:.1f}",
        flush=True,
    )
    wait_warm(runner)
    pids = runner.worker_pids()
    cpu, serving = cpu_seconds(pids), time.process_time()
    began = time.perf_counter()
    jobs = [runner.submit(request(f"desk{i:02d}")) for i in range(args.desks)]
    started: dict[str, float] = {}
    done: dict[str, float] = {}
    predicted: dict[str, float] = {}
    while len(done) < len(jobs):
        now = time.perf_counter() - began
        for job in jobs:
            if job in done:
                continue
            status = runner.status(job)
            if status["status"] == "running" and job not in started:
                started[job] = now
            elif status["status"] not in ACTIVE:
                started.setdefault(job, now)
                done[job] = now
        if not predicted and len(done) >= len(jobs) // 3:  # ask the queue once
            for job in jobs:
                status = runner.status(job)
                if status["queue_position"]:
                    predicted[job] = now + status["eta"]
        time.sleep(0.05)  # a page polls a few times a second
    burst_cpu, serving = cpu_seconds(pids) - cpu, time.process_time() - serving
    last = max(done.values())
    states = [load_run(job, runs).state for job in jobs]
    accuracy = [load_run(job, runs).test_accuracy for job in jobs]

    solo_began = time.perf_counter()
    solo_job = runner.submit(request("solo"))
    while runner.status(solo_job)["status"] in ACTIVE:
        time.sleep(0.01)
    solo = time.perf_counter() - solo_began
    runner.shutdown(wait=True)

    errors = [started[job] - at for job, at in predicted.items()]
    per_job = burst_cpu / len(jobs)
    per_core_hour = 3600 / per_job
    print(f"\n{'':<46}{'class':>10}{'one after another':>19}")
    print(f"  {'last job done after the first submit':<44}{last:9.1f}s{len(jobs) * solo:18.1f}s")
    print(f"  {'jobs completed':<44}{states.count('completed'):10}{len(jobs):19}")
    print(
        f"  test accuracy, worst and median: {min(accuracy):.2%}, "
        f"{statistics.median(accuracy):.2%}; solo job {solo:.2f} s (submit to end)"
    )
    if errors:
        print(
            f"  queue estimates of {len(errors)} waiting jobs' starts, asked when "
            f"{len(jobs) // 3} were done: median error {statistics.median(errors):+.1f} s, "
            f"worst {max(errors, key=abs):+.1f} s (real start minus predicted)"
        )
    print(
        f"  workers' CPU: {burst_cpu:.1f} s for the class, {per_job:.2f} s a job; the "
        f"serving process (this one, polling every job): {serving:.1f} s; load average now "
        f"{os.getloadavg()[0]:.1f}"
    )
    print(f"goal: the last of {len(jobs)} done within {GOAL_SECONDS:.0f} s: ", end="")
    print("met" if last <= GOAL_SECONDS else "missed")
    print(
        f"class of {len(jobs)}: last job done {last:.1f} s after submit, solo {solo:.1f} s, "
        f"{per_core_hour:.0f} jobs per core-hour"
    )


if __name__ == "__main__":
    main()
