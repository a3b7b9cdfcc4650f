"""What every command prints with: JSON documents, plain tables, the shared options."""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = [
    "data_dir_arg",
    "epoch_arg",
    "json_arg",
    "print_json",
    "run_arg",
    "runs_dir_arg",
    "table",
]


def print_json(document: Any) -> None:
    """One JSON document on stdout (`--json`)."""
    print(json.dumps(document, indent=2))


def table(rows: list[list[Any]], header: list[str]) -> str:
    """Rows as a plain-text table under `header`, columns padded to their widest cell."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


def run_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("run", metavar="RUN", help="run id or run directory")


def runs_dir_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--runs-dir", default=None, help="where runs are kept (default: $CNNVIZ_RUNS_DIR or ./runs)"
    )


def data_dir_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir",
        default=None,
        help="TFDS cache directory (default: $TFDS_DATA_DIR or TFDS's own)",
    )


def runner_arg(p: argparse.ArgumentParser) -> None:
    from cnnviz.runners import RUNNERS

    p.add_argument(
        "--runner",
        default=None,
        choices=list(RUNNERS),
        help="where the training runs (default: $CNNVIZ_RUNNER, else thread)",
    )


def epoch_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--epoch",
        type=int,
        default=None,
        metavar="K",
        help="the weights after epoch K (default: the final model)",
    )


def json_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON document")
