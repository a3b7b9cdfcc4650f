"""Re-rendering the Concepts page after each step, through Streamlit's AppTest.

Goal: every step (Next step button, step slider, a stride change) re-renders the whole
page in under 200 ms. Printed beside it, measured in the same run: an empty page through
the same AppTest machinery (its fixed overhead) and the engine and figure work alone.
Run: python benchmarks/bench_concepts_page.py [--rounds N]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from cnnviz import concepts  # noqa: E402
from cnnviz.figures.concepts import arithmetic_figure, convolution_figure, pooling_figure  # noqa: E402

PAGE = ROOT / "app_pages" / "concepts.py"
GOAL_MS = 200


def timed_runs(at: AppTest, change, rounds: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of `at.run()` after each `change(at, i)`.

    CPU time counts every thread of this process (AppTest runs the page in a thread), so
    it stays meaningful when other jobs share the cores and stretch the wall time.
    """
    wall, cpu = [], []
    for i in range(rounds):
        change(at, i)
        start, start_cpu = time.perf_counter(), time.process_time()
        at.run()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        if at.exception:
            raise RuntimeError(at.exception[0].message)
    return wall, cpu


def summary(name: str, times: tuple[list[float], list[float]]) -> float:
    wall, cpu = times
    median = statistics.median(wall)
    p90 = sorted(wall)[int(0.9 * (len(wall) - 1))]
    verdict = "ok" if median < GOAL_MS else "SLOWER THAN GOAL"
    print(
        f"{name:<32} wall median {median:6.1f} ms  p90 {p90:6.1f} ms  "
        f"cpu median {statistics.median(cpu):6.1f} ms  ({verdict})"
    )
    return median


def next_step(at: AppTest, i: int) -> None:
    if at.slider(key="concepts_step").value == at.slider(key="concepts_step").max:
        at.slider(key="concepts_step").set_value(1)
    else:
        at.button(key="concepts_step_next").click()


def slide_step(at: AppTest, i: int) -> None:
    at.slider(key="concepts_step").set_value(1 + (i * 5) % 16)


def change_stride(at: AppTest, i: int) -> None:
    at.number_input(key="concepts_stride").set_value(1 + i % 3)


def engine_and_figures_ms(rounds: int) -> float:
    grid = concepts.random_grid(6, 6, seed=0)
    kernel = concepts.KERNELS["vertical edges"]
    times = []
    for i in range(rounds):
        start = time.perf_counter()
        result = concepts.convolve(grid, kernel)
        pooled = [concepts.pool(grid, mode=m) for m in concepts.POOL_MODES]
        convolution_figure(result, i % 16)  # SVG markup, what st.image sends
        arithmetic_figure(result, i % 16)
        pooling_figure(*pooled, i % 9)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    start = time.perf_counter()
    at.run()  # first run: imports, the sample photo, the caches
    print(f"first run (imports, photo, caches): {(time.perf_counter() - start) * 1000:.0f} ms")
    at.run()

    medians = [
        summary("Next step button", timed_runs(at, next_step, rounds)),
        summary("step slider", timed_runs(at, slide_step, rounds)),
        summary("stride 1/2/3 (photo cached)", timed_runs(at, change_stride, rounds)),
    ]
    with tempfile.TemporaryDirectory() as folder:
        empty = Path(folder) / "empty.py"
        empty.write_text('import streamlit as st\nst.button("Next step", key="next")\n')
        bare = AppTest.from_file(str(empty))
        bare.run()
        overhead = summary(
            "empty page (AppTest overhead)",
            timed_runs(bare, lambda at, i: at.button(key="next").click(), rounds),
        )
    work = engine_and_figures_ms(rounds)
    print(f"{'engine + 3 SVG diagrams alone':<32} wall median {work:6.1f} ms")
    print(
        f"step re-render / empty page: {medians[0] / overhead:.1f}x; "
        f"worst median {max(medians):.1f} ms vs goal {GOAL_MS} ms"
    )


if __name__ == "__main__":
    main()
