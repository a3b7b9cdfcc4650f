"""`link` and `lessons`: an experiment as a link to open in the app, and the lessons."""

from __future__ import annotations

import argparse

from cnnviz.cli.output import json_arg, print_json, table
from cnnviz.plan import OPTIMIZERS

__all__ = ["register"]


def _image_size(text: str) -> tuple[int, int]:
    """`--image-size 64` or `64x48` (height x width)."""
    from cnnviz import checks
    from cnnviz.errors import CnnvizError

    parts = text.lower().replace("×", "x").split("x")
    try:
        size = [int(p) for p in parts] * (2 if len(parts) == 1 else 1)
    except ValueError:
        raise CnnvizError(
            f"--image-size takes N or HxW, e.g. 64 or 64x48. Received: {text}"
        ) from None
    return checks.image_size(size, "--image-size")


def cmd_link(args: argparse.Namespace) -> int:
    from cnnviz import presets
    from cnnviz.augment import AugmentSpec, read_spec
    from cnnviz.links import Experiment, preset_of, to_query
    from cnnviz.origins import check_origin
    from cnnviz.plan import TrainConfig

    spec = presets.get(args.model)
    training = TrainConfig.suggested(
        preset_of(spec),
        epochs=args.epochs,
        batch_size=args.batch_size,
        optimizer=args.optimizer,
        learning_rate=args.lr,
    )
    experiment = Experiment(
        spec=spec,
        dataset=check_origin(args.data, where="--data"),
        image_size=_image_size(args.image_size) if args.image_size else None,
        augment=read_spec(args.augment) if args.augment else AugmentSpec(),
        training=training,
    )
    print((args.base or "") + to_query(experiment))
    return 0


def cmd_lessons(args: argparse.Namespace) -> int:
    from cnnviz.errors import CnnvizError
    from cnnviz.lessons import read_lessons

    lessons, problems = read_lessons(args.dir)
    if problems:
        raise CnnvizError(problems[0])
    if args.json:
        print_json({"lessons": [lesson.summary() for lesson in lessons]})
        return 0
    rows = [[lesson.id, len(lesson.steps), lesson.title] for lesson in lessons]
    print(table(rows, ["lesson", "steps", "title"]))
    print("\nOpen one in the app with ?lesson=ID, e.g. http://localhost:8501/?lesson=pooling")
    return 0


def register(sub) -> None:
    p = sub.add_parser("link", help="print the ?experiment=... query that opens an experiment")
    p.add_argument("--model", required=True, help="preset name or spec.json")
    p.add_argument("--data", required=True, help="dataset id, e.g. digits")
    p.add_argument("--augment", default=None, help="augmentation spec JSON file")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--optimizer", default=None, help=", ".join(OPTIMIZERS))
    p.add_argument("--lr", type=float, default=None, help="learning rate")
    p.add_argument("--image-size", default=None, help="resize images to N or HxW pixels")
    p.add_argument(
        "--base", default=None, help="the app's address to put first, e.g. http://HOST:8501/build"
    )
    p.set_defaults(func=cmd_link)
    p = sub.add_parser("lessons", help="list the lessons (assets/lessons/)")
    p.add_argument("--dir", default=None, help="a folder of lesson files to check and list")
    json_arg(p)
    p.set_defaults(func=cmd_lessons)
