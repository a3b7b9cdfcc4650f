"""A class on one server: N desks against a real `streamlit run streamlit_app.py`.

Goal (issue 14): with 30 sessions and one job training, the interaction p95 (a page
change, a layer edit, a slider move) stays under 1 s on this 2-core machine, with no
error; the server's memory at 30 sessions is reported.

Each session is a `stclient.StreamlitSession`: Streamlit's own websocket protocol,
spoken from this one Python process, so the client costs a few percent of a core and the
server, not 30 browsers, is what is measured (the client's CPU is printed beside the
server's). For each N a fresh server (the app's defaults: the process runner, one job
slot per core) plays one lesson of `--duration` seconds:

- the teacher opens the app (the app warms TensorFlow up behind the first page), presses
  Start training on the Train page (the preset's model, `--teacher-epochs`), then
  watches the Class page, which refreshes itself while anything trains;
- the server is in classroom mode (a class code and a teacher code); the teacher signs
  in on the Class page, and N students arrive over the first think interval, each
  joining with the class code as desk `student-NN` (the welcome form, then the app's
  cookie route, as a browser does: the session's websocket then carries the desk's
  cookie), and do what students do: think (`--think` seconds), then change
  page (30%) or change something on the page they are on (a Concepts control, a layer's
  filters or units on Build, an augmentation slider, a Train setting); a share of them
  (`--trainers`) press Start training once, in the first half of the lesson, and wait in
  the queue (their Train page polls it) behind the jobs before theirs.

Measured: every interaction's latency (request sent -> the run's `script_finished`),
apart from first page loads and fragment polls; the interactions made while a job
trained give the goal's p95 ("busy": the share of the lesson with a job training). The
server's CPU and RSS (and its training worker's), this client's CPU and the rest of the
machine's (other work on a shared machine: noise to report) are sampled every 0.5 s, and
"srv wait", the server's threads waiting for a free core (a lower bound). A
job's queue wait is from its run folder saying "queued" to "running" (for the first job
of a server it includes the training worker's own start: TensorFlow's import there).
A run whose end the server dropped (a Streamlit race with `run_every` fragments, see
stclient) is counted as "lost", not timed. Errors: tracebacks on a page, sessions that
failed or timed out.

For the levels in `--idle` (default 30) the same lesson runs first with no job at all
(no Start pressed): the same N beside it, so what training adds is seen on the same
machine at the same time.

Run: python benchmarks/bench_classroom.py [--sessions 1,10,30] [--duration 90] [--json F]
Last line: classroom N=30: interaction p95 X ms, queue wait max Y s, server RSS Z MB, errors E
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from stclient import LOST, StreamlitError, StreamlitSession  # noqa: E402

from tests.e2e.conftest import streamlit_server  # noqa: E402

PAGES = ["Concepts", "Build", "Augment", "Train"]
GOAL_P95_MS = 1000
CLASS_CODE, TEACHER_CODE = "maple-42", "a-long-teacher-code-bench"
CLASSROOM = {"CNNVIZ_CLASS_CODE": CLASS_CODE, "CNNVIZ_TEACHER_CODE": TEACHER_CODE}


def _cookie(url: str) -> dict[str, str]:
    """What the app's cookie route sets for a ticket URL (its redirect not followed)."""
    import urllib.error
    import urllib.request
    from http.cookies import SimpleCookie

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        urllib.request.build_opener(Stay).open(url, timeout=30)
        raise StreamlitError(f"{url} did not redirect")
    except urllib.error.HTTPError as answer:  # the 303, with its Set-Cookie
        jar = SimpleCookie()
        for header in answer.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return {name: morsel.value for name, morsel in jar.items()}


async def cookies_from_form(url: str, page: str, values: dict, button: str) -> dict:
    """Fill a form of the app (the class's welcome form, the teacher's sign-in) as a
    browser does, follow the page to the cookie route, and return the cookie it sets."""
    s = StreamlitSession(url, name=f"form-{button}", fetch_media=False)
    try:
        await s.connect()
        await s.open(page)
        await s.submit(values, button)
        script = next(h for h in s.html() if "window.location.assign" in h)
        path = json.loads(script.split("assign(", 1)[1].split(")", 1)[0])
        return await asyncio.to_thread(_cookie, url + path)
    finally:
        await s.close()


def pct(values: list[float], q: float) -> int | None:
    """The q-th percentile (0-100), nearest rank, rounded; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))])


# --- what a student does --------------------------------------------------------------


def by_suffix(s: StreamlitSession, suffix: str) -> str:
    """The key of the first widget whose key ends with `suffix` (Build's layer widgets
    are keyed by a per-session id: build_<id>_filters)."""
    return next(w.key for w in s.widgets() if w.key and w.key.endswith(suffix))


async def interact(s: StreamlitSession, page: str, rng: random.Random):
    """One change on the current page (never Start: see `student`)."""
    if page == "Concepts":
        key = rng.choice(["concepts_seed", "concepts_size", "concepts_stride"])
        value = {"concepts_seed": rng.randrange(10000), "concepts_size": rng.randrange(3, 10)}
        return await s.set(key, value.get(key, rng.randrange(1, 4)), what=f"concepts:{key}")
    if page == "Build":
        suffix = rng.choice(["_filters", "_filters", "_units"])
        try:
            key = by_suffix(s, suffix)
        except StopIteration:
            key, suffix = by_suffix(s, "_filters"), "_filters"
        return await s.set(key, rng.choice([8, 16, 24, 32, 48]), what=f"build:edit{suffix}")
    if page == "Augment":
        key = rng.choice(["augment_rotation_degrees", "augment_zoom", "augment_brightness"])
        w = s.widget(key)
        low, high, step = w.proto.min, w.proto.max, w.proto.step
        if len(w.proto.default) == 2:  # a range slider around 1.0
            value = [round(rng.uniform(low, 1.0) / step) * step]
            value.append(round(rng.uniform(1.0, high) / step) * step)
        else:
            value = round(rng.uniform(low, high) / step) * step
        return await s.set(key, value, what="augment:slider")
    key = rng.choice(["train_batch_size", "train_seed", "train_lr"])
    value = {"train_batch_size": rng.choice([16, 32, 64]), "train_seed": rng.randrange(1000)}
    return await s.set(key, value.get(key, rng.choice([0.001, 0.003, 0.01])), what=f"train:{key}")


async def student(i: int, url: str, lesson: dict, results: list, errors: list) -> None:
    """One desk's lesson: arrive, then think and act until the lesson ends."""
    rng = random.Random(lesson["seed"] * 1000 + i)
    think, stop_at = lesson["think"], lesson["stop_at"]
    trains_at = rng.uniform(lesson["t0"], lesson["t0"] + lesson["duration"] / 2)
    trains = rng.random() < lesson["trainers"]
    await asyncio.sleep(rng.uniform(0, think[1]))
    s = None
    try:
        values = {"join_code": CLASS_CODE, "join_name": f"student-{i:02d}"}
        desk = await cookies_from_form(url, "", values, "Join")
        s = StreamlitSession(url, name=f"s{i}", cookies=desk)
        await s.connect()
        results.append(("open", await s.open()))
        page = "Concepts"
        while time.perf_counter() < stop_at:
            await asyncio.sleep(rng.uniform(*think))
            if time.perf_counter() >= stop_at:
                break
            if trains and time.perf_counter() >= trains_at:  # once: go and press Start
                trains = False
                if page != "Train":
                    page = "Train"
                    results.append(("goto:Train", await s.goto("Train")))
                result = await s.click("train_start")
                results.append(("start", result))
            elif rng.random() < 0.3:
                page = rng.choice([p for p in PAGES if p != page])
                result = await s.goto(page)
                results.append((f"goto:{page}", result))
            else:
                result = await interact(s, page, rng)
                results.append((result.what, result))
            if result.exceptions:
                errors.append((i, result.what, result.exceptions[:1]))
    except (StreamlitError, KeyError, StopIteration, OSError) as err:
        errors.append((i, "session", repr(err)))
    finally:
        if s is not None:
            results.extend(("fragment", run) for run in s.runs if run.fragment)
            await s.close()


async def teacher(url: str, lesson: dict, results: list, errors: list) -> None:
    """The teacher: first page, a pause (the app warms up), Start training, then the
    Class page on the projector until the lesson ends."""
    s = None
    try:
        values = {"class_teacher_code": TEACHER_CODE}
        signed_in = await cookies_from_form(url, "class", values, "Sign in")
        s = StreamlitSession(url, name="teacher", cookies=signed_in)
        await s.connect()
        await s.open()
        await asyncio.sleep(lesson["settle"])
        await s.goto("Train")
        if lesson["teacher_epochs"]:
            epochs = s.widget("train_epochs")  # out-of-range values become the default
            value = max(epochs.proto.min, min(epochs.proto.max, lesson["teacher_epochs"]))
            await s.set("train_epochs", value)
            await s.click("train_start")
        await s.goto("Class")
        lesson["started"].set()
        await lesson["over"].wait()
    except (StreamlitError, KeyError, OSError) as err:
        errors.append(("teacher", "session", repr(err)))
        lesson["started"].set()
    finally:
        if s is not None:
            results.extend(("class", run) for run in s.runs if run.fragment)
            await s.close()


# --- measuring --------------------------------------------------------------------------


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores)."""
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + t.irq + t.softirq + getattr(t, "steal", 0.0)


def cpu_seconds(processes: list[psutil.Process]) -> float:
    """CPU seconds the processes have used themselves (not their children)."""
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            continue
    return total


def run_delay(pid: int) -> float:
    """Seconds the process's threads have spent runnable but waiting for a CPU, summed
    (run_delay in /proc/PID/task/*/schedstat; threads that have ended are not counted,
    so differences are lower bounds). High values mean other work took the cores."""
    total = 0.0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            continue
    return total


class Sampler(threading.Thread):
    """Every `period` s: the server's and its workers' CPU and RSS, this client's CPU,
    the rest of the machine, and each run's status (for queue waits)."""

    def __init__(self, server_pid: int, runs: Path, period: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.server, self.client = psutil.Process(server_pid), psutil.Process()
        self.runs, self.period = runs, period
        self.samples: list[dict] = []
        self.seen: dict[str, dict[str, float]] = {}  # run id -> status -> first seen
        self._halt = threading.Event()

    def workers(self) -> list[psutil.Process]:
        try:
            return self.server.children(recursive=True)
        except psutil.Error:
            return []

    def read(self) -> tuple:
        workers = self.workers()
        return (
            time.perf_counter(),
            cpu_seconds([self.server]),
            cpu_seconds(workers),
            cpu_seconds([self.client]),
            busy_seconds(),
            run_delay(self.server.pid),
        )

    def statuses(self, now: float) -> None:
        for folder in self.runs.iterdir():
            try:
                status = json.loads((folder / "status.json").read_text())["status"]
            except (OSError, ValueError, KeyError):
                continue
            self.seen.setdefault(folder.name, {}).setdefault(status, now)

    def run(self) -> None:
        last = self.read()
        while not self._halt.wait(self.period):
            now = self.read()
            wall = now[0] - last[0]
            server, workers, client = (max(0.0, now[k] - last[k]) / wall for k in (1, 2, 3))
            try:
                rss = self.server.memory_info().rss / 2**20
                worker_rss = sum(w.memory_info().rss for w in self.workers()) / 2**20
            except psutil.Error:
                break
            self.statuses(now[0])
            self.samples.append(
                {
                    "t": now[0],
                    "server_cores": server,
                    "worker_cores": workers,
                    "client_cores": client,
                    "other_cores": max(0.0, (now[4] - last[4]) / wall - server - workers - client),
                    "server_wait": max(0.0, now[5] - last[5]) / wall,
                    "server_rss_mb": rss,
                    "worker_rss_mb": worker_rss,
                    "training": any(
                        "running" in s and not ({"completed", "stopped", "failed"} & s.keys())
                        for s in self.seen.values()
                    ),
                }
            )
            last = now

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def queue_waits(self, end: float) -> list[tuple[float, bool]]:
        """(seconds each job waited from queued to running, whether it had started)."""
        waits = []
        for seen in self.seen.values():
            if "queued" in seen:
                started = seen.get("running") or seen.get("stopped") or seen.get("failed")
                waits.append(((started or end) - seen["queued"], started is not None))
        return waits


def training_at(samples: list[dict], moment: float) -> bool:
    """Whether a job was training at `moment` (the nearest earlier sample says)."""
    before = [s for s in samples if s["t"] <= moment]
    return bool(before) and before[-1]["training"]


# --- one lesson -------------------------------------------------------------------------


async def lesson_of(url: str, n: int, args, training: bool) -> tuple[list, list, float]:
    lesson = {
        "seed": args.seed,
        "think": tuple(args.think),
        "duration": args.duration,
        "trainers": args.trainers if training else 0.0,
        "teacher_epochs": args.teacher_epochs if training else 0,
        "settle": args.settle,
        "started": asyncio.Event(),
        "over": asyncio.Event(),
    }
    results: list = []
    errors: list = []
    front = asyncio.create_task(teacher(url, lesson, results, errors))
    await lesson["started"].wait()
    lesson["t0"] = time.perf_counter()
    lesson["stop_at"] = lesson["t0"] + args.duration
    await asyncio.gather(*(student(i + 1, url, lesson, results, errors) for i in range(n)))
    lesson["over"].set()
    await front
    return results, errors, lesson["t0"]


def run_level(n: int, args, training: bool = True) -> dict:
    runs = Path(tempfile.mkdtemp(prefix="cnnviz-classroom-runs-"))
    log = Path(tempfile.mkdtemp(prefix="cnnviz-classroom-log-")) / "streamlit.log"
    with streamlit_server(runs, log, **CLASSROOM) as server:
        sampler = Sampler(server["proc"].pid, runs)
        sampler.start()
        results, errors, t0 = asyncio.run(lesson_of(server["url"], n, args, training))
        end = time.perf_counter()
        sampler.stop()
        waits = sampler.queue_waits(end)
        server_log = log.read_text(errors="replace")
    steady = [s for s in sampler.samples if s["t"] >= t0] or sampler.samples
    timed = [
        (kind, r)
        for kind, r in results
        if kind not in ("open", "fragment", "class") and r.latency_s and r.status != LOST
    ]
    during = [r.latency_s * 1000 for _, r in timed if training_at(sampler.samples, r.sent_at)]
    every = [r.latency_s * 1000 for _, r in timed]
    kinds: dict[str, list[float]] = {}
    for kind, r in timed:
        group = kind if kind.startswith("goto") or kind == "start" else kind.split(":")[0]
        kinds.setdefault(group, []).append(r.latency_s * 1000)
    polls = [r.latency_s * 1000 for k, r in results if k == "fragment" and r.latency_s]
    exceptions = server_log.count("Traceback (most recent call last)")
    return {
        "sessions": n,
        "training": training,
        "interactions": len(every),
        "interactions_while_training": len(during),
        "p50_ms": pct(every, 50),
        "p95_ms": pct(every, 95),
        "p95_training_ms": pct(during, 95),
        "max_ms": pct(every, 100),
        "by_kind_p50_p95_n": {
            k: (pct(v, 50), pct(v, 95), len(v)) for k, v in sorted(kinds.items())
        },
        "open_p95_ms": pct([r.latency_s * 1000 for k, r in results if k == "open"], 95),
        "fragment_polls": len(polls),
        "fragment_p95_ms": pct(polls, 95) if polls else None,
        "lost_finishes": sum(1 for _, r in results if r.status == LOST),
        "training_share": round(statistics.fmean(s["training"] for s in steady), 2),
        "jobs": len(waits),
        "queue_wait_max_s": round(max((w for w, _ in waits), default=0.0), 1),
        "jobs_still_waiting": sum(1 for _, started in waits if not started),
        "server_cores": round(statistics.fmean(s["server_cores"] for s in steady), 2),
        "worker_cores": round(statistics.fmean(s["worker_cores"] for s in steady), 2),
        "client_cores": round(statistics.fmean(s["client_cores"] for s in steady), 3),
        "other_cores": round(statistics.fmean(s["other_cores"] for s in steady), 2),
        "server_waiting_threads": round(statistics.fmean(s["server_wait"] for s in steady), 2),
        "server_rss_mb": round(max(s["server_rss_mb"] for s in sampler.samples)),
        "worker_rss_mb": round(max(s["worker_rss_mb"] for s in sampler.samples)),
        "errors": len(errors) + exceptions,
        "error_examples": [str(e)[:300] for e in errors[:5]],
        "server_tracebacks": exceptions,
        "load_1m": round(os.getloadavg()[0], 1),
        "p95_by_10s": by_window(timed, t0, sampler.samples),
    }


def by_window(timed: list, t0: float, samples: list[dict], width: float = 10.0) -> list:
    """Each `width` seconds of the lesson: [start s, interactions, p95 ms, share of it
    with a job training], to see when the slow interactions came (arrival, a job's end)."""
    windows: dict[int, list[float]] = {}
    for _, r in timed:
        windows.setdefault(int((r.sent_at - t0) // width), []).append(r.latency_s * 1000)
    rows = []
    for k, values in sorted(windows.items()):
        inside = [s["training"] for s in samples if k * width <= s["t"] - t0 < (k + 1) * width]
        busy = round(statistics.fmean(inside), 1) if inside else None
        rows.append([round(k * width), len(values), pct(values, 95), busy])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", default="1,10,30", help="students per level")
    parser.add_argument("--duration", type=float, default=90, help="seconds of each lesson")
    parser.add_argument("--think", type=float, nargs=2, default=(2.0, 5.0))
    parser.add_argument("--trainers", type=float, default=0.2, help="share who press Start")
    parser.add_argument("--teacher-epochs", type=int, default=40)
    parser.add_argument("--settle", type=float, default=10, help="s before the teacher starts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--idle", default="30", help="also run these levels with no job, just before ('' none)"
    )
    parser.add_argument("--json", type=Path, help="write every level's numbers here")
    args = parser.parse_args()
    table = []
    idle = {int(x) for x in args.idle.split(",") if x.strip()}
    for n in (int(x) for x in args.sessions.split(",")):
        for training in (False, True) if n in idle else (True,):
            level = run_level(n, args, training)
            table.append(level)
            print(json.dumps(level), flush=True)
    print()
    columns = {  # header: (key, width)
        "N": ("sessions", 4),
        "job": ("training", 6),
        "inter": ("interactions", 6),
        "p50": ("p50_ms", 5),
        "p95": ("p95_ms", 6),
        "p95 train": ("p95_training_ms", 10),
        "max": ("max_ms", 7),
        "polls": ("fragment_polls", 6),
        "lost": ("lost_finishes", 5),
        "busy": ("training_share", 6),
        "jobs": ("jobs", 5),
        "wait s": ("queue_wait_max_s", 7),
        "srv CPU": ("server_cores", 8),
        "worker": ("worker_cores", 7),
        "client": ("client_cores", 7),
        "others": ("other_cores", 7),
        "srv wait": ("server_waiting_threads", 9),
        "RSS MB": ("server_rss_mb", 7),
        "wrk MB": ("worker_rss_mb", 7),
        "errors": ("errors", 7),
    }
    print("".join(f"{name:>{width}}" for name, (_, width) in columns.items()))
    for r in table:
        shown = {**r, "training": "yes" if r["training"] else "no"}
        print("".join(f"{str(shown[key]):>{width}}" for key, width in columns.values()))
    print("\nby 10 s of the lesson: [start s, interactions, p95 ms, share training]")
    for r in table:
        print(f"  N={r['sessions']:<3} {'job' if r['training'] else 'idle'}: {r['p95_by_10s']}")
    if args.json:
        args.json.write_text(json.dumps(table, indent=1))
    last = next(r for r in reversed(table) if r["training"])
    p95 = last["p95_training_ms"]
    goal = "met" if p95 is not None and p95 < GOAL_P95_MS and not last["errors"] else "not met"
    print(
        f"goal (N={last['sessions']}, one job training): p95 < {GOAL_P95_MS} ms, no error: {goal}"
    )
    print(
        f"classroom N={last['sessions']}: interaction p95 {last['p95_training_ms']} ms, "
        f"queue wait max {last['queue_wait_max_s']} s, server RSS {last['server_rss_mb']} MB, "
        f"errors {last['errors']}"
    )


if __name__ == "__main__":
    main()
