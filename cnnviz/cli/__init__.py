"""The command line: `python -m cnnviz COMMAND ...` (see ../shared/DESIGN.md).

Each command is a small function `cmd_<name>(args) -> int` in the module of its group
(`models`, `datasets`, `training`, `sweeping`, `inspection`, `comparing`, `reasons`,
`bundles`, `sharing`, `classroom`, `uploading`), which calls the engine and prints; each
group adds its commands to the parser with `register`. A learner's mistake (`CnnvizError`,
any `ValueError`, a missing file) is printed as one line `error: ...` on stderr with exit
code 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import sys

from cnnviz.cli import (
    bundles,
    classroom,
    comparing,
    datasets,
    inspection,
    models,
    reasons,
    sharing,
    sweeping,
    training,
    uploading,
)
from cnnviz.errors import CnnvizError

__all__ = ["build_parser", "main"]

GROUPS = (
    models,
    datasets,
    training,
    sweeping,
    inspection,
    comparing,
    reasons,
    bundles,
    sharing,
    classroom,
    uploading,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cnnviz", description="cnnviz: build, train and inspect CNNs."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 2 a user's mistake)."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CnnvizError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (FileNotFoundError, IsADirectoryError, PermissionError) as err:
        print(f"error: {err.strerror or err}: {err.filename}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `python -m cnnviz runs | head`: the reader has gone
        sys.stdout = None
        return 0
