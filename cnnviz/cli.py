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
    from cnnviz.data import list_datasets

    print(_table([[i, d] for i, d in list_datasets()], ["dataset", "description"]))
    print(
        "\nAlso: shapes:N (N generated images), tfds:NAME (any TFDS image-classification"
        " set),\nfolder:PATH (a folder or .zip with one sub-folder of images per class)."
    )
    return 0


def cmd_data_info(args: argparse.Namespace) -> int:
    from cnnviz.data import load_dataset

    info = load_dataset(args.dataset, data_dir=args.data_dir).info
    if args.json:
        _print_json(info.to_dict())
        return 0
    height, width, channels = info.image_shape
    print(f"{info.id}: {info.description}")
    print(f"image shape: {height}x{width}x{channels}, {info.num_classes} classes")
    print(f"train: {info.counts['train']:,} images, test: {info.counts['test']:,} images\n")
    per_class = zip(info.class_names, info.per_class["train"], info.per_class["test"])
    rows = [[name, f"{train:,}", f"{test:,}"] for name, train, test in per_class]
    print(_table(rows, ["class", "train", "test"]))
    for warning in info.warnings:
        print(f"warning: {warning}")
    return 0


# --- augmentation commands ----------------------------------------------------------


def cmd_augment(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cnnviz.augment import grid_image, preview, read_spec
    from cnnviz.images import read_image, save_png

    spec = read_spec(args.spec)
    image = read_image(args.image)
    variants = preview(image, spec, n=args.n, seed=args.seed)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CnnvizError(f"--out {out} is a file; give a folder for the images")
    out.mkdir(parents=True, exist_ok=True)
    digits = max(2, len(str(len(variants) - 1)))
    for index, variant in enumerate(variants):
        save_png(variant, out / f"aug_{index:0{digits}d}.png")
    save_png(grid_image(image, variants), out / "grid.png")
    print(
        f"wrote {len(variants)} variants (aug_{0:0{digits}d}.png ... "
        f"aug_{len(variants) - 1:0{digits}d}.png) and grid.png to {out}"
    )
    return 0


# --- training and run commands ------------------------------------------------------


def _epoch_line(event: dict[str, Any]) -> str:
    width = len(str(event["epochs"]))
    parts = [f"epoch {event['epoch']:>{width}}/{event['epochs']}"]
    parts += [
        f"{key} {event[key]:.4f}"
        for key in ("loss", "accuracy", "val_loss", "val_accuracy")
        if key in event
    ]
    parts.append(f"{event['images_per_second']:,.0f} img/s  {event['elapsed']:.1f} s")
    if event.get("partial"):
        parts.append(f"(stopped in batch {event['batch']}/{event['batches']})")
    return "  ".join(parts)


def _train_config(args: argparse.Namespace):
    from cnnviz.train import TrainConfig

    return TrainConfig.suggested(
        args.model,
        epochs=args.epochs,
        batch_size=args.batch_size,
        optimizer=args.optimizer,
        learning_rate=args.lr,
        seed=args.seed,
    )


def cmd_train(args: argparse.Namespace) -> int:
    """Train a model into a new run folder, printing one line per epoch (or, with
    --json, the DESIGN document on stdout and the epoch lines on stderr).

    Exit codes: 0 completed; 1 the run failed (NaN loss, full disk, a crash; its
    status.json says why); 2 a mistake found before training (no run is created);
    130 stopped by Ctrl-C: the first Ctrl-C stops after the current batch, saves and
    tests what was learned and marks the run `stopped`; a second one aborts at once.
    """
    import contextlib
    import signal
    import threading

    from cnnviz import presets, runs
    from cnnviz.augment import read_spec
    from cnnviz.data import load_dataset
    from cnnviz.jobs import TrainRequest
    from cnnviz.train import plan_training, train

    out = sys.stderr if args.json else sys.stdout
    try:
        spec = presets.get(args.model)
        config = _train_config(args)
        augment = read_spec(args.augment) if args.augment else None
        dataset = load_dataset(
            args.data, data_dir=args.data_dir, limit=args.limit, seed=config.seed
        )
        plan_training(spec, dataset, config)
        request = TrainRequest(
            spec.to_dict(),
            args.data,
            config,
            data_dir=args.data_dir,
            limit=args.limit,
            model=str(args.model),
            augment=None if augment is None else augment.to_dict(),
        )
        run = runs.create_run(spec, request.source(), runs_dir=args.runs_dir)
    except KeyboardInterrupt:
        print("interrupted before training started", file=sys.stderr)
        return 130
    stop = threading.Event()

    def on_ctrl_c(signum, frame):
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print("stopping after the current batch (Ctrl-C again to abort)", file=sys.stderr)

    def show(event: dict[str, Any]) -> None:
        if event["kind"] == "epoch":
            print(_epoch_line(event), file=out, flush=True)

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_ctrl_c) if in_main else None
    print(f"training run {run.id} ({run.dir})", file=out, flush=True)
    try:
        with contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext():
            result = train(
                spec,
                dataset,
                config,
                run_dir=run.dir,
                emit=show,
                should_stop=stop.is_set,
                augment=augment,
            )
    except KeyboardInterrupt:
        print(f"error: aborted; run {run.id} is marked interrupted", file=sys.stderr)
        return 130
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous)
    if args.json:
        _print_json(result.to_dict())
    if result.status == "failed":
        print(f"error: {result.message} (run {run.id})", file=sys.stderr)
        return 1
    accuracy = "not tested"
    if result.test_accuracy is not None:
        accuracy = f"test accuracy {result.test_accuracy:.2%}"
    print(
        f"{result.status}: {accuracy} (fit {result.fit_seconds:.1f} s, "
        f"{result.images_per_second:,.0f} images/s); {result.message}",
        file=out,
    )
    return 130 if result.status == "stopped" else 0


def cmd_runs(args: argparse.Namespace) -> int:
    from cnnviz import runs

    listed = runs.list_runs(args.runs_dir)
    if args.json:
        _print_json({"runs": [run.to_dict() for run in listed]})
        return 0
    if not listed:
        print(f"no runs in {runs.runs_root(args.runs_dir)}")
        return 0
    rows = []
    for run in listed:
        row = run.to_dict()
        done = row["epochs_completed"]
        accuracy = row["test_accuracy"]
        rows.append(
            [
                row["run_id"],
                row["status"],
                row["model"],
                str(row["dataset"]),
                f"{'-' if done is None else done}/{row['epochs']}",
                "-" if accuracy is None else f"{accuracy:.2%}",
            ]
        )
    print(_table(rows, ["run", "status", "model", "dataset", "epochs", "test acc"]))
    return 0


# --- inspection commands ------------------------------------------------------------


def cmd_evaluate(args: argparse.Namespace) -> int:
    from cnnviz.data import rescale
    from cnnviz.inspect import evaluate, run_test_split
    from cnnviz.runs import load_run

    run = load_run(args.run, args.runs_dir)
    model = run.model()
    test = run_test_split(run, data_dir=args.data_dir)
    names = run.config["class_names"]
    metrics = evaluate(model, rescale(test.images), test.labels, names).metrics
    if args.json:
        _print_json(metrics.to_dict())
        return 0
    print(f"Run {run.id}: test accuracy {metrics.accuracy:.4f} on {len(test):,} images")
    scores = zip(names, metrics.precision, metrics.recall, metrics.f1, metrics.support)
    rows = [[name, f"{p:.3f}", f"{r:.3f}", f"{f:.3f}", str(n)] for name, p, r, f, n in scores]
    print(_table(rows, ["class", "precision", "recall", "f1", "support"]))
    print("\nConfusion matrix (rows: true class, columns: predicted class)")
    matrix = [[name, *map(str, row)] for name, row in zip(names, metrics.confusion_matrix)]
    print(_table(matrix, ["", *names]))
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    from cnnviz.predict import predict_image
    from cnnviz.runs import load_run

    if args.top < 1:
        raise CnnvizError(f"--top must be at least 1; received {args.top}")
    run = load_run(args.run, args.runs_dir)
    model = run.model()
    shape, names = tuple(run.config["image_shape"]), run.config["class_names"]
    predictions = [
        predict_image(model, path, image_shape=shape, class_names=names, top_k=args.top)
        for path in args.images
    ]
    if args.json:
        _print_json({"predictions": [p.to_dict() for p in predictions]})
        return 0
    for prediction in predictions:
        ranked = ", ".join(f"{s.name} {s.probability:.1%}" for s in prediction.top)
        print(f"{prediction.image}: {prediction.name} ({ranked})")
    return 0


def cmd_featuremaps(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cnnviz.images import save_png
    from cnnviz.inspect import feature_maps, layer_grid
    from cnnviz.predict import prepare_image
    from cnnviz.runs import load_run

    run = load_run(args.run, args.runs_dir)
    model = run.model()
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
