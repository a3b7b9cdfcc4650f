"""The process runner's workers (`cnnviz.worker`): they run only training, and a server
that goes away mid-run leaves a run stopped with what it learned, never failed.

Oracles: a stand-in page script that writes the pid of every process that executes
it (multiprocessing's spawn would re-import it in each worker, as it does the page
script under `streamlit run`), the run folders read back, and process ids.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from cnnviz.runs import load_run, trained_runs

ROOT = Path(__file__).resolve().parents[1]

SERVER = """
import json, sys, time, types
# Streamlit runs the page script as a module named __main__ (its file: the script).
page = types.ModuleType("__main__")
page.__file__ = {page!r}
exec(compile(open({page!r}).read(), {page!r}, "exec"), page.__dict__)
sys.modules["__main__"] = page

from cnnviz.plan import TrainConfig
from cnnviz.request import TrainRequest
from cnnviz.runners import make_runner
from cnnviz.spec import ModelSpec

runner = make_runner("process", 1)
spec = ModelSpec.from_dict({{"name": "tiny", "layers": [
    {{"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu"}},
    {{"type": "Flatten"}},
    {{"type": "Dense", "units": "num_classes", "activation": "softmax"}}]}})
config = TrainConfig(epochs={epochs}, batch_size=16)
job = runner.submit(TrainRequest(spec, "digits", config, limit=200, runs_dir={runs!r}))
print(json.dumps({{"job": job, "workers": runner.worker_pids()}}), flush=True)
while runner.status(job)["status"] in ("queued", "running"):
    time.sleep(0.2)
print(json.dumps({{"status": runner.status(job)["status"]}}), flush=True)
runner.shutdown(wait=True)
"""


def start_server(tmp_path, *, epochs: int) -> tuple[subprocess.Popen, Path, Path]:
    """A Python process that starts the process runner as the app's server does: with a
    page script as its `__main__`."""
    marker = tmp_path / "executed-by"
    page = tmp_path / "page_script.py"
    page.write_text(
        textwrap.dedent(
            f"""
            import os
            with open({str(marker)!r}, "a") as f:
                f.write(f"{{os.getpid()}}\\n")
            """
        )
    )
    runs = tmp_path / "runs"
    code = SERVER.format(page=str(page), epochs=epochs, runs=str(runs))
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    return proc, marker, runs


def test_a_worker_never_executes_the_page_script(tmp_path):
    proc, marker, runs = start_server(tmp_path, epochs=1)
    try:
        first = proc.stdout.readline()
        last = proc.stdout.readline()
        assert proc.wait(timeout=300) == 0
    finally:
        proc.kill()
    assert '"completed"' in last, (first, last)
    (run,) = trained_runs(runs)
    trainer = run.status["pid"]
    assert trainer not in (proc.pid, os.getpid())  # a worker trained it
    executed = {int(pid) for pid in marker.read_text().split()}
    assert executed == {proc.pid}  # the page script ran in the server only, never in a worker


def test_a_server_gone_mid_run_leaves_the_run_stopped_with_its_weights(tmp_path):
    proc, _, runs = start_server(tmp_path, epochs=500)
    try:
        proc.stdout.readline()  # the job is submitted
        deadline = time.monotonic() + 240
        run = None
        while time.monotonic() < deadline:
            found = list(runs.glob("*/status.json"))
            run = load_run(found[0].parent) if found else None
            if run is not None and (run.status.get("epochs_completed") or 0) >= 2:
                break
            time.sleep(0.2)
        worker = run.status["pid"]
        os.kill(proc.pid, signal.SIGKILL)  # the server dies; its worker is left alone
        proc.wait(timeout=30)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and load_run(run.dir).state == "running":
            time.sleep(0.2)
    finally:
        proc.kill()
    run = load_run(run.dir)
    assert run.state == "stopped", run.status
    assert "the server went away" in run.status["message"]
    assert (run.dir / "model.keras").is_file() and run.status["epochs_completed"] >= 2
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and alive(worker):
        time.sleep(0.2)
    assert not alive(worker)  # and the worker has left


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False
