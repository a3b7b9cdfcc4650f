"""A process-runner worker's start-up, before and after it stopped running the page script.

The app's server starts its training workers while a page script is Python's `__main__`
(Streamlit runs each page so). Before issue 23 the workers were multiprocessing
spawns, which re-import `__main__`: each worker executed `streamlit_app.py` in bare mode
before it could train (and its log filled with "missing ScriptRunContext" warnings).
Now a worker is `python -m cnnviz.worker`.

For each side (a git worktree of `--before`, and the working tree), a fresh Python
process stands in for the server: `streamlit_app.py` of that checkout as its `__main__`,
as under `streamlit run`; it starts the process runner and submits a 1-epoch digits job.
Timed: from the runner's creation to the job's first batch event, and to its end; counted:
Streamlit's bare-mode lines in the worker's output. Sides alternate, `--repeat` times.

Run: python benchmarks/bench_worker_start.py [--before REF] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "2c7d950"  # the commit issue 23 started from

SERVER = r"""
import json, sys, time, types
sys.path.insert(0, {root!r})
page = types.ModuleType("__main__")  # as Streamlit's script runner makes it
page.__file__ = {script!r}
sys.modules["__main__"] = page
from cnnviz.events import BatchEvent, StatusEvent
from cnnviz.plan import TrainConfig
from cnnviz.presets import get
from cnnviz.process_runner import ProcessJobRunner
from cnnviz.request import TrainRequest

began = time.perf_counter()
runner = ProcessJobRunner(1)
request = TrainRequest(get("digits-small"), "digits", TrainConfig(epochs=1), runs_dir={runs!r})
job = runner.submit(request)
first = None
while True:
    events = runner.events(job)
    if first is None and any(isinstance(e, BatchEvent) for e in events):
        first = time.perf_counter() - began
    if runner.status(job)["status"] not in ("queued", "running"):
        break
    time.sleep(0.01)
done = time.perf_counter() - began
runner.shutdown(wait=True)
print("RESULT " + json.dumps({{"first_batch": first, "done": done,
                              "status": runner.status(job)["status"]}}), flush=True)
"""
BARE = ("ScriptRunContext", "streamlit run", "Session state does not function")


def measure(checkout: Path, runs: Path) -> dict:
    code = SERVER.format(
        root=str(checkout), script=str(checkout / "streamlit_app.py"), runs=str(runs)
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = (proc.stdout + proc.stderr).splitlines()
    result = next(json.loads(x[7:]) for x in lines if x.startswith("RESULT "))
    result["bare_mode_lines"] = sum(any(b in line for b in BARE) for line in lines)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="git ref of the code before")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp, "before")
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(before), args.before],
            check=True,
        )
        try:
            sides = {"before": before, "after": ROOT}
            results: dict[str, list[dict]] = {"before": [], "after": []}
            for i in range(args.repeat):
                for name, checkout in sides.items():
                    result = measure(checkout, Path(tmp, f"runs-{name}-{i}"))
                    results[name].append(result)
                    print(f"{name:6} run {i + 1}: {json.dumps(result)}", flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)])

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in results[name])

    print(f"\nmedians of {args.repeat} runs each, before | after | after/before:")
    for key in ("first_batch", "done"):
        b, a = median("before", key), median("after", key)
        print(f"  runner created -> {key:11}: {b:6.2f} s | {a:6.2f} s | {a / b:.2f}x")
    lines = {n: median(n, "bare_mode_lines") for n in results}
    print(
        f"worker start: first batch {median('before', 'first_batch'):.2f} s before, "
        f"{median('after', 'first_batch'):.2f} s after; bare-mode log lines "
        f"{lines['before']:.0f} before, {lines['after']:.0f} after"
    )


if __name__ == "__main__":
    main()
