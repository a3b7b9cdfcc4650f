"""`presets`, `backbones`, `summary MODEL` and `code MODEL`: the models, the pretrained
networks they may start with, their shapes and their code."""

from __future__ import annotations

import argparse

from cnnviz.cli.output import data_dir_arg, json_arg, print_json, table

__all__ = ["register"]


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
    print(table(rows, ["preset", "made for", "description"]))
    return 0


def cmd_backbones(args: argparse.Namespace) -> int:
    from cnnviz.backbones import BACKBONES

    if args.json:
        print_json({"backbones": [b.to_dict() for b in BACKBONES.values()]})
        return 0
    rows = [
        [
            b.name,
            "yes" if b.available() else "no",
            "x".join(map(str, b.input_shape)),
            "x".join(map(str, b.output)),
            f"{b.total_params:,}",
            b.source,
        ]
        for b in BACKBONES.values()
    ]
    print(table(rows, ["backbone", "here", "input", "output", "params", "weights from"]))
    for b in BACKBONES.values():
        if not b.available():
            print(f"\n{b.name}: {b.missing()}.")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    spec, report = _model_and_report(args)
    if args.json:
        print_json(report.summary_dict())
        return 0
    rows = [
        [r.number, f"{r.name} ({r.type})", str((None, *r.output_shape)), f"{r.total:,}"]
        for r in report.rows
    ]
    print(f'Model "{spec.name}", input {list(report.input_shape)}')
    print(table(rows, ["#", "layer (type)", "output shape", "params"]))
    print(f"Total params: {report.total_params:,}")
    print(f"Trainable params: {report.trainable_params:,}")
    print(f"Non-trainable params: {report.non_trainable_params:,}")
    return 0


def cmd_code(args: argparse.Namespace) -> int:
    from cnnviz.codegen import to_keras_code

    _, report = _model_and_report(args)
    print(to_keras_code(report), end="")
    return 0


def register(sub) -> None:
    p = sub.add_parser("presets", help="list the preset models")
    p.set_defaults(func=cmd_presets)
    p = sub.add_parser("backbones", help="list the pretrained networks a model may start with")
    json_arg(p)
    p.set_defaults(func=cmd_backbones)
    for name, func, text in [
        ("summary", cmd_summary, "layer shapes and parameter counts of a model"),
        ("code", cmd_code, "print a runnable Keras script for a model"),
    ]:
        p = sub.add_parser(name, help=text)
        p.add_argument("model", metavar="MODEL", help="preset name or spec.json")
        p.add_argument("--data", default=None, help="dataset giving input shape, classes")
        data_dir_arg(p)
        if name == "summary":
            json_arg(p)
        p.set_defaults(func=func)
