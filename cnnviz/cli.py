"""The command line: `python -m cnnviz COMMAND ...` (see ../shared/DESIGN.md).

Each command is a small function `cmd_<name>(args) -> int` that calls the engine and
prints. A learner's mistake (`CnnvizError`, any `ValueError`, a missing file) is printed
as one line `error: ...` on stderr with exit code 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from cnnviz.errors import CnnvizError

__all__ = ["main"]


def _print_json(document: Any) -> None:
    print(json.dumps(document, indent=2))


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


# --- model commands -----------------------------------------------------------------


def _model_and_report(args: argparse.Namespace):
    """The spec named by `args.model`, validated against `--data` when given, else
    against the dataset its preset was made for, else on its own input_shape."""
    from cnnviz import presets
    from cnnviz.spec import validate

    spec = presets.get(args.model)
    input_shape = num_classes = None
    if args.data:
        from cnnviz.data import load_dataset

        info = load_dataset(args.data, data_dir=args.data_dir).info
        input_shape, num_classes = info.image_shape, info.num_classes
    elif (preset := presets.preset_for(args.model)) is not None:
        input_shape, num_classes = preset.input_shape, preset.num_classes
    return spec, validate(spec, input_shape=input_shape, num_classes=num_classes)


def cmd_presets(args: argparse.Namespace) -> int:
    from cnnviz import presets

    rows = [[p.name, p.dataset, p.description] for p in presets.PRESETS.values()]
    print(_table(rows, ["preset", "made for", "description"]))
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    spec, report = _model_and_report(args)
    if args.json:
        _print_json(report.summary_dict())
        return 0
    rows = [
        [r.number, f"{r.name} ({r.type})", str((None, *r.output_shape)), f"{r.total:,}"]
        for r in report.rows
    ]
    print(f'Model "{spec.name}", input {list(report.input_shape)}')
    print(_table(rows, ["#", "layer (type)", "output shape", "params"]))
    print(f"Total params: {report.total_params:,}")
    print(f"Trainable params: {report.trainable_params:,}")
    print(f"Non-trainable params: {report.non_trainable_params:,}")
    return 0


def cmd_code(args: argparse.Namespace) -> int:
    from cnnviz.build import to_keras_code

    _, report = _model_and_report(args)
    print(to_keras_code(report), end="")
    return 0


# --- data commands ------------------------------------------------------------------


def cmd_datasets(args: argparse.Namespace) -> int:
    raise CnnvizError("the datasets command is not available yet")


def cmd_data_info(args: argparse.Namespace) -> int:
    raise CnnvizError("the data-info command is not available yet")


# --- augmentation commands ----------------------------------------------------------


def cmd_augment(args: argparse.Namespace) -> int:
    raise CnnvizError("the augment command is not available yet")


# --- training and run commands ------------------------------------------------------


def cmd_train(args: argparse.Namespace) -> int:
    raise CnnvizError("the train command is not available yet")


def cmd_runs(args: argparse.Namespace) -> int:
    raise CnnvizError("the runs command is not available yet")


# --- inspection commands ------------------------------------------------------------


def cmd_evaluate(args: argparse.Namespace) -> int:
    raise CnnvizError("the evaluate command is not available yet")


def cmd_predict(args: argparse.Namespace) -> int:
    raise CnnvizError("the predict command is not available yet")


def cmd_featuremaps(args: argparse.Namespace) -> int:
    raise CnnvizError("the featuremaps command is not available yet")


# --- the parser ---------------------------------------------------------------------


def _runs_dir_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--runs-dir", default=os.environ.get("CNNVIZ_RUNS_DIR", "runs"),
                   help="where runs are kept (default: $CNNVIZ_RUNS_DIR or ./runs)")


def _data_dir_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", default=None,
                   help="TFDS cache directory (default: $TFDS_DATA_DIR or TFDS's own)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cnnviz", description="cnnviz: build, train and inspect CNNs."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("presets", help="list the preset models")
    p.set_defaults(func=cmd_presets)

    for name, func, text in [
        ("summary", cmd_summary, "layer shapes and parameter counts of a model"),
        ("code", cmd_code, "print a runnable Keras script for a model"),
    ]:
        p = sub.add_parser(name, help=text)
        p.add_argument("model", metavar="MODEL", help="preset name or spec.json")
        p.add_argument("--data", default=None, help="dataset giving input shape, classes")
        _data_dir_arg(p)
        if name == "summary":
            p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(func=func)

    p = sub.add_parser("datasets", help="list the datasets")
    p.set_defaults(func=cmd_datasets)

    p = sub.add_parser("data-info", help="shapes, classes and counts of a dataset")
    p.add_argument("dataset", metavar="DATASET")
    _data_dir_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_data_info)

    p = sub.add_parser("augment", help="write augmented variants of an image")
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("--spec", required=True, help="augmentation spec JSON file")
    p.add_argument("--n", type=int, default=8, help="how many variants (default 8)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=cmd_augment)

    p = sub.add_parser("train", help="train a model on a dataset")
    p.add_argument("--data", required=True, help="dataset id, e.g. digits")
    p.add_argument("--model", required=True, help="preset name or spec.json")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--optimizer", default=None, help="adam, rmsprop or sgd")
    p.add_argument("--lr", type=float, default=None, help="learning rate")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--augment", default=None, help="augmentation spec JSON file")
    p.add_argument("--limit", type=int, default=None, help="use at most N training images")
    _data_dir_arg(p)
    _runs_dir_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("runs", help="list the runs")
    _runs_dir_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser("evaluate", help="test metrics and confusion matrix of a run")
    p.add_argument("run", metavar="RUN", help="run id or run directory")
    _runs_dir_arg(p)
    _data_dir_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("predict", help="classify images with a trained run")
    p.add_argument("run", metavar="RUN", help="run id or run directory")
    p.add_argument("images", metavar="IMAGE", nargs="+")
    p.add_argument("--top", type=int, default=3)
    _runs_dir_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("featuremaps", help="write one PNG of feature maps per layer")
    p.add_argument("run", metavar="RUN", help="run id or run directory")
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("--out", required=True, help="output directory")
    _runs_dir_arg(p)
    p.set_defaults(func=cmd_featuremaps)
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
