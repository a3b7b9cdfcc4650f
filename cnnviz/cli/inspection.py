"""`evaluate`, `predict` and `featuremaps`: what a trained run answers, and why."""

from __future__ import annotations

import argparse

from cnnviz.cli.output import (
    data_dir_arg,
    epoch_arg,
    json_arg,
    print_json,
    run_arg,
    runs_dir_arg,
    table,
)
from cnnviz.errors import CnnvizError

__all__ = ["register"]


def cmd_evaluate(args: argparse.Namespace) -> int:
    from cnnviz.evaluate import evaluate_run
    from cnnviz.runs import load_run

    run = load_run(args.run, args.runs_dir)
    test, evaluation = evaluate_run(run, epoch=args.epoch, data_dir=args.data_dir)
    names = run.config["class_names"]
    metrics = evaluation.metrics
    if args.json:
        print_json(metrics.to_dict())
        return 0
    after = "" if args.epoch is None else f" after epoch {args.epoch}"
    print(f"Run {run.id}{after}: test accuracy {metrics.accuracy:.4f} on {len(test):,} images")
    scores = zip(names, metrics.precision, metrics.recall, metrics.f1, metrics.support)
    rows = [[name, f"{p:.3f}", f"{r:.3f}", f"{f:.3f}", str(n)] for name, p, r, f, n in scores]
    print(table(rows, ["class", "precision", "recall", "f1", "support"]))
    print("\nConfusion matrix (rows: true class, columns: predicted class)")
    matrix = [[name, *map(str, row)] for name, row in zip(names, metrics.confusion_matrix)]
    print(table(matrix, ["", *names]))
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    from cnnviz.predict import predict_image
    from cnnviz.runs import load_run

    if args.top < 1:
        raise CnnvizError(f"--top must be at least 1. Received: top={args.top}")
    run = load_run(args.run, args.runs_dir)
    model = run.model()
    shape, names = tuple(run.config["image_shape"]), run.config["class_names"]
    predictions = [
        predict_image(model, path, image_shape=shape, class_names=names, top_k=args.top)
        for path in args.images
    ]
    if args.json:
        print_json({"predictions": [p.to_dict() for p in predictions]})
        return 0
    for prediction in predictions:
        ranked = ", ".join(f"{s.name} {s.probability:.1%}" for s in prediction.top)
        print(f"{prediction.image}: {prediction.name} ({ranked})")
    return 0


def cmd_featuremaps(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cnnviz.features import feature_maps
    from cnnviz.figures.pixels import layer_grid
    from cnnviz.images import save_png
    from cnnviz.predict import prepare_image
    from cnnviz.runs import load_run

    run = load_run(args.run, args.runs_dir)
    model = run.model(args.epoch)
    image = prepare_image(args.image, tuple(run.config["image_shape"]))
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CnnvizError(f"--out must be a folder; {out} is a file")
    out.mkdir(parents=True, exist_ok=True)
    for number, activation in enumerate(feature_maps(model, image), start=1):
        path = save_png(layer_grid(activation), out / f"{number:02d}_{activation.name}.png")
        shape = "x".join(map(str, activation.output.shape))
        print(f"{path}  ({activation.type}, {shape})")
    return 0


def register(sub) -> None:
    p = sub.add_parser("evaluate", help="test metrics and confusion matrix of a run")
    run_arg(p)
    epoch_arg(p)
    runs_dir_arg(p)
    data_dir_arg(p)
    json_arg(p)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("predict", help="classify images with a trained run")
    run_arg(p)
    p.add_argument("images", metavar="IMAGE", nargs="+")
    p.add_argument("--top", type=int, default=3)
    runs_dir_arg(p)
    json_arg(p)
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("featuremaps", help="write one PNG of feature maps per layer")
    run_arg(p)
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("--out", required=True, help="output directory")
    epoch_arg(p)
    runs_dir_arg(p)
    p.set_defaults(func=cmd_featuremaps)
