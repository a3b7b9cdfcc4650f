"""`export RUN --out FILE.zip` and `import FILE.zip [--owner NAME]`: a run as one .zip to
take away or share, the same round trip (same checks, same messages) as the Predict page.
A bundle may name only a built-in set, `tfds:NAME` or an upload (`cnnviz.origins`)."""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path

from cnnviz.cli.output import json_arg, print_json, run_arg, runs_dir_arg
from cnnviz.errors import CnnvizError

__all__ = ["register"]


def cmd_export(args: argparse.Namespace) -> int:
    from cnnviz.bundle import export_bundle
    from cnnviz.memory import format_bytes
    from cnnviz.runs import load_run

    out = Path(args.out)
    if out.is_dir():
        raise CnnvizError(f"--out {out} is a folder; give a file name, e.g. {out / 'run.zip'}")
    if out.suffix.lower() != ".zip":
        raise CnnvizError(f"--out {out} must end in .zip (a bundle is a .zip archive)")
    run = load_run(args.run, args.runs_dir)
    data = export_bundle(run)
    part = out.with_name(f".{out.name}.{secrets.token_hex(4)}.part")
    try:
        part.write_bytes(data)
        os.replace(part, out)
    except OSError as err:
        raise CnnvizError(f"cannot write {out}: {err.strerror or err}") from None
    finally:
        part.unlink(missing_ok=True)
    print(f"exported run {run.id} to {out} ({format_bytes(len(data))})")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from cnnviz.bundle import import_bundle

    path = Path(args.bundle)
    run = import_bundle(path, runs_dir=args.runs_dir, name=path.name, owner=args.owner)
    if args.json:
        print_json(run.to_dict())
        return 0
    print(f"imported {path.name} as run {run.id} ({run.state}) in {run.dir}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("export", help="write a finished run as one .zip bundle")
    run_arg(p)
    p.add_argument("--out", required=True, help="the bundle to write, e.g. run.zip")
    runs_dir_arg(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="add the run in a .zip bundle as a new run")
    p.add_argument("bundle", metavar="FILE.zip", help="a bundle exported by cnnviz")
    p.add_argument(
        "--owner",
        default=None,
        help="the desk importing it: the run becomes its own, an upload it names is one "
        "of its uploads",
    )
    runs_dir_arg(p)
    json_arg(p)
    p.set_defaults(func=cmd_import)
