"""The first click that needs TensorFlow, with the app's background warm-up and without.

Goal (issue 14): the first Augment slider move after the first page has been open for
10 s takes under 300 ms (without the warm-up it waited for TensorFlow's import: 2.7-2.9 s
in the issue), beside a later move, which never waits.

Each round starts a fresh `streamlit run streamlit_app.py` (the app's defaults), opens
the first page (Concepts) in one session speaking Streamlit's websocket protocol
(`stclient`), waits `--open` seconds, changes to the Augment page, then moves the rotation
slider three times. Rounds alternate warm-up on and off (`CNNVIZ_WARMUP=0`), so both
see the same machine. Latency: request sent -> the run's `script_finished`, with the
preview picture fetched.

Run: python benchmarks/bench_warmup.py [--rounds 3] [--open 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from stclient import StreamlitSession  # noqa: E402

from tests.e2e.conftest import streamlit_server  # noqa: E402

GOAL_MS = 300
MOVES = (30.0, 60.0, 45.0)  # rotation degrees: the first move, then two later ones


async def session(url: str, wait_s: float) -> dict[str, float]:
    """Times, in ms, of the Augment page change and each slider move."""
    async with StreamlitSession(url, query_string="desk=bench") as s:
        await s.open()
        await asyncio.sleep(wait_s)
        times = {"goto Augment": (await s.goto("Augment")).latency_s * 1000}
        for number, degrees in enumerate(MOVES, start=1):
            result = await s.set("augment_rotation_degrees", degrees)
            assert result.ok and not result.exceptions, result
            times[f"move {number}"] = max(result.latency_s, result.media_s or 0) * 1000
        return times


def one_round(warm: bool, wait_s: float) -> dict[str, float]:
    os.environ["CNNVIZ_WARMUP"] = "1" if warm else "0"  # the server inherits it
    runs = Path(tempfile.mkdtemp(prefix="cnnviz-warmup-runs-"))
    log = Path(tempfile.mkdtemp(prefix="cnnviz-warmup-log-")) / "streamlit.log"
    with streamlit_server(runs, log) as server:
        return asyncio.run(session(server["url"], wait_s))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--open", type=float, default=10.0, help="s on the first page")
    args = parser.parse_args()
    found: dict[bool, list[dict[str, float]]] = {True: [], False: []}
    for number in range(args.rounds):
        for warm in (True, False) if number % 2 == 0 else (False, True):
            times = one_round(warm, args.open)
            found[warm].append(times)
            shown = ", ".join(f"{k} {v:,.0f} ms" for k, v in times.items())
            print(f"round {number + 1}, warm-up {'on ' if warm else 'off'}: {shown}", flush=True)
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    medians = {}
    for warm in (True, False):
        rows = found[warm]
        medians[warm] = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        later = statistics.median(r[k] for r in rows for k in ("move 2", "move 3"))
        print(
            f"warm-up {'on ' if warm else 'off'} (median of {len(rows)}): "
            f"goto Augment {medians[warm]['goto Augment']:,.0f} ms, "
            f"first slider move {medians[warm]['move 1']:,.0f} ms, later moves {later:,.0f} ms"
        )
    first_on, first_off = medians[True]["move 1"], medians[False]["move 1"]
    verdict = "met" if first_on < GOAL_MS else "not met"
    print(
        f"first slider move after {args.open:.0f} s on the first page: {first_on:,.0f} ms with "
        f"the warm-up, {first_off:,.0f} ms without ({first_off / first_on:.1f}x); "
        f"goal < {GOAL_MS} ms: {verdict}"
    )


if __name__ == "__main__":
    main()
