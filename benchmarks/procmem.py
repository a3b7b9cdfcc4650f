"""A process's memory, for the benchmarks: resident now, and its peak so far."""

from __future__ import annotations

from pathlib import Path

import psutil


def rss_mb(pid: int | None = None) -> float:
    """The resident memory of process `pid` (this one by default), in MiB."""
    return psutil.Process(pid).memory_info().rss / 2**20


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MiB; `resource`'s ru_maxrss
    would report the parent's peak in a process started by fork."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")
