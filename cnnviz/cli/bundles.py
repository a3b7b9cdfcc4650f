"""`export RUN [--format F] --out PATH` and `import FILE.zip [--owner NAME]`: a run as one
.zip bundle to take away or share, the same round trip (same checks, same messages) as the
Predict page, or its model as LiteRT, SavedModel or ONNX, checked against Keras
(`cnnviz.export`). A bundle may name only a built-in set, `tfds:NAME` or an upload
(`cnnviz.origins`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cnnviz.cli.output import epoch_arg, json_arg, print_json, run_arg, runs_dir_arg
from cnnviz.cli.quiet import LITERT_NOTE, START_UP_LINE, filtered_stderr

__all__ = ["register"]


def cmd_export(args: argparse.Namespace) -> int:
    from cnnviz.export import export_run
    from cnnviz.export_formats import get
    from cnnviz.memory import format_bytes
    from cnnviz.runs import load_run

    fmt = get(args.format)  # a misspelt format is refused before the run is read
    run = load_run(args.run, args.runs_dir)
    with filtered_stderr(START_UP_LINE, LITERT_NOTE):  # LiteRT's start-up note
        result = export_run(run, fmt.name, args.out, epoch=args.epoch)
    if args.json:
        print_json(result.to_dict())
        return 0
    after = "" if args.epoch is None else f" after epoch {args.epoch}"
    as_format = "" if fmt.name == "bundle" else f" as {fmt.title}"
    print(
        f"exported run {run.id}{after}{as_format} to {result.path} ({format_bytes(result.bytes)})"
    )
    if result.images_checked:
        print(
            f"checked against Keras on {result.images_checked} test images: outputs differ "
            f"by at most {result.max_abs_diff:.1e}, same answer for "
            f"{result.argmax_agreement:.0%}"
        )
    else:
        print("checked against Keras: the same weights (its dataset is not on this machine)")
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
    p = sub.add_parser(
        "export", help="write a finished run as a bundle, LiteRT, SavedModel or ONNX model"
    )
    run_arg(p)
    p.add_argument(
        "--format",
        default="bundle",
        metavar="FORMAT",
        help="litert, saved_model, onnx (checked against Keras before they are written) "
        "or bundle (default: a .zip to import again)",
    )
    p.add_argument(
        "--out",
        required=True,
        metavar="PATH",
        help="a new folder, or a file name ending in .zip (a bundle is always a .zip)",
    )
    epoch_arg(p)
    runs_dir_arg(p)
    json_arg(p)
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
