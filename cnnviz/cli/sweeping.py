"""`sweep`: train one model over a grid of settings, one run after another."""

from __future__ import annotations

import argparse
import logging
import sys

from cnnviz.cli.output import data_dir_arg, json_arg, print_json, runner_arg, runs_dir_arg, table
from cnnviz.cli.training import follow, train_config
from cnnviz.plan import OPTIMIZERS

__all__ = ["register"]


def _not_retracing(record: logging.LogRecord) -> bool:
    """False for TensorFlow's "triggered tf.function retracing" warning: every run of a
    sweep builds a new model, whose functions are traced anew, as they should be."""
    return "tf.function retracing" not in record.getMessage()


def _accuracy(value: float | None) -> str:
    return "-" if value is None else f"{value:.2%}"


def _checked_requests(sweep, base, args: argparse.Namespace) -> list:
    """Every run of the grid, checked against its data before the first one starts (a
    batch size too large for the images is refused now, not after an hour)."""
    from cnnviz.data.recent import load_recent
    from cnnviz.plan import check_training

    requests = sweep.requests(base)
    for request in requests:  # a job in a thread takes the same load (`load_recent`)
        data = load_recent(
            args.data, data_dir=args.data_dir, limit=args.limit, seed=request.config.seed
        )
        check_training(request.spec, data.info, request.config)
    return requests


def cmd_sweep(args: argparse.Namespace) -> int:
    """Train the grid one run at a time with a job runner (`--runner`, default thread).

    Exit codes: 0 every run completed; 1 a run failed (the others still ran; e.g. a
    learning rate so large that the loss became NaN); 2 a mistake found before
    training (no run is created); 130 stopped by Ctrl-C or SIGTERM (the current run
    stops after its batch and keeps what it learned; the rest are not started).
    """
    from cnnviz import presets
    from cnnviz.augment import read_spec
    from cnnviz.request import TrainRequest
    from cnnviz.runners import make_runner, runner_name
    from cnnviz.sweep import Sweep

    out = sys.stderr if args.json else sys.stdout
    logging.getLogger("tensorflow").addFilter(_not_retracing)
    try:
        spec = presets.get(args.model)
        sweep = Sweep.parse(args.vary, spec, repeats=args.repeat, question=args.question)
        kind = runner_name(args.runner)
        base = TrainRequest(
            spec,
            args.data,
            train_config(args),
            data_dir=args.data_dir,
            limit=args.limit,
            model=str(args.model),
            augment=read_spec(args.augment) if args.augment else None,
            runs_dir=args.runs_dir,
            owner=args.owner,
        )
        requests = _checked_requests(sweep, base, args)
        runner = make_runner(kind, 1)
    except KeyboardInterrupt:
        print("interrupted before training started", file=sys.stderr)
        return 130
    print(f"sweep {sweep.id}: {sweep.describe()}", file=out, flush=True)
    done, code = [], 0
    try:
        for slot, request in zip(sweep.slots(), requests, strict=True):
            print(f"\nrun {slot.number + 1}/{sweep.size}: {slot.describe()}", file=out)
            followed = follow(runner, runner.submit(request), out)
            if followed is None:
                return 130
            run, asked = followed
            done.append((slot, run))
            print(f"{run.state}: test accuracy {_accuracy(run.test_accuracy)}", file=out)
            if run.state in ("failed", "interrupted"):
                print(f"  {run.status.get('message')}", file=out)
                code = 1
            if asked or run.state == "stopped":
                code = 130
                break
    finally:
        runner.shutdown(wait=True)
    _report(sweep, done, args, out)
    return code


def _report(sweep, done: list, args: argparse.Namespace, out) -> None:
    from cnnviz.grouping import group_runs
    from cnnviz.sweep_settings import value_label

    if args.json:
        print_json(
            {
                "experiment": {"id": sweep.id, "question": sweep.question},
                "runs": [
                    {
                        "run_id": run.id,
                        "settings": slot.settings,
                        "repeat": slot.repeat,
                        "status": run.state,
                        "test_accuracy": run.test_accuracy,
                    }
                    for slot, run in done
                ],
            }
        )
        return
    names = list(sweep.settings)
    rows = [
        [
            run.id,
            *(value_label(slot.settings[n]) for n in names),
            run.state,
            _accuracy(run.test_accuracy),
        ]
        for slot, run in done
    ]
    print("\n" + table(rows, ["run", *names, "status", "test acc"]), file=out)
    for name in names:
        grouping = group_runs([run for _, run in done], name, curves=False)
        rows = [
            [g.label, str(len(g.runs)), _accuracy(g.mean), _spread(g.std)] for g in grouping.groups
        ]
        print(f"\nby {name}", file=out)
        print(table(rows, [name, "runs", "mean", "spread (std)"]), file=out)


def _spread(std: float | None) -> str:
    return "-" if std is None else f"{std * 100:.2f} points"


def register(sub) -> None:
    p = sub.add_parser("sweep", help="train a model over a grid of settings, one run at a time")
    p.add_argument("--data", required=True, help="dataset id, e.g. digits")
    p.add_argument("--model", required=True, help="preset name or spec.json")
    p.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="SETTING=V1,V2",
        help="a setting and its values, e.g. learning_rate=0.001,0.01 (once or twice): "
        "learning_rate, epochs, batch_size, optimizer, augment (on,off), "
        "dropout (a Dropout layer's rate), filters (a Conv2D layer's), LAYER.rate, LAYER.filters",
    )
    p.add_argument("--repeat", type=int, default=1, help="runs of each combination (default 1)")
    p.add_argument("--question", default="", help="what the sweep asks, kept with its runs")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--optimizer", default=None, help=", ".join(OPTIMIZERS))
    p.add_argument("--lr", type=float, default=None, help="learning rate")
    p.add_argument("--seed", type=int, default=None, help="the first repeat's seed")
    p.add_argument("--augment", default=None, help="augmentation spec JSON file")
    p.add_argument("--limit", type=int, default=None, help="use at most N training images")
    p.add_argument("--owner", default=None, help="the desk the runs belong to")
    runner_arg(p)
    data_dir_arg(p)
    runs_dir_arg(p)
    json_arg(p)
    p.set_defaults(func=cmd_sweep, devices=None)
