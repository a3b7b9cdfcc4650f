"""`train` and `runs`: train a model into a run folder, and list the runs."""

from __future__ import annotations

import argparse
import sys

from cnnviz.cli.output import data_dir_arg, json_arg, print_json, runs_dir_arg, table
from cnnviz.events import EpochEvent, Event
from cnnviz.plan import OPTIMIZERS

__all__ = ["register"]


def _epoch_line(event: EpochEvent) -> str:
    width = len(str(event.epochs))
    parts = [f"epoch {event.epoch:>{width}}/{event.epochs}"]
    parts += [
        f"{key} {event.logs[key]:.4f}"
        for key in ("loss", "accuracy", "val_loss", "val_accuracy")
        if key in event.logs
    ]
    parts.append(f"{event.images_per_second:,.0f} img/s  {event.elapsed:.1f} s")
    if event.partial:
        parts.append(f"(stopped in batch {event.batch}/{event.batches})")
    return "  ".join(parts)


def _train_config(args: argparse.Namespace):
    from cnnviz.plan import TrainConfig

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
    130 stopped by Ctrl-C, 143 by SIGTERM (`kill`, a scheduler ending the job): the
    first one stops after the current batch, saves and tests what was learned and
    marks the run `stopped`; a second one aborts at once.
    """
    import contextlib
    import signal
    import threading

    from cnnviz import presets, rundir
    from cnnviz.augment import read_spec
    from cnnviz.data import load_dataset
    from cnnviz.jobs import TrainRequest
    from cnnviz.plan import plan_training
    from cnnviz.train import train

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
            spec,
            args.data,
            config,
            data_dir=args.data_dir,
            limit=args.limit,
            model=str(args.model),
            augment=augment,
        )
        run_dir = rundir.create(spec.to_dict(), request.source(), runs_dir=args.runs_dir)
    except KeyboardInterrupt:
        print("interrupted before training started", file=sys.stderr)
        return 130
    stop = threading.Event()
    stopped_by: list[int] = []

    def on_signal(signum, frame):
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        stopped_by.append(signum)
        how = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
        print(f"stopping after the current batch ({how} again to abort)", file=sys.stderr)

    def show(event: Event) -> None:
        if isinstance(event, EpochEvent):
            print(_epoch_line(event), file=out, flush=True)

    in_main = threading.current_thread() is threading.main_thread()
    stopping = (signal.SIGINT, signal.SIGTERM)
    previous = [signal.signal(s, on_signal) for s in stopping] if in_main else []
    print(f"training run {run_dir.name} ({run_dir})", file=out, flush=True)
    try:
        with contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext():
            result = train(
                spec,
                dataset,
                config,
                run_dir=run_dir,
                emit=show,
                should_stop=stop.is_set,
                augment=augment,
            )
    except KeyboardInterrupt:
        print(f"error: aborted; run {run_dir.name} is marked interrupted", file=sys.stderr)
        return 130
    finally:
        for number, handler in zip(stopping, previous):
            signal.signal(number, handler)
    if args.json:
        print_json(result.to_dict())
    if result.status == "failed":
        print(f"error: {result.message} (run {run_dir.name})", file=sys.stderr)
        return 1
    accuracy = "not tested"
    if result.test_accuracy is not None:
        accuracy = f"test accuracy {result.test_accuracy:.2%}"
    print(
        f"{result.status}: {accuracy} (fit {result.fit_seconds:.1f} s, "
        f"{result.images_per_second:,.0f} images/s); {result.message}",
        file=out,
    )
    if result.status == "stopped":
        return 128 + (stopped_by[0] if stopped_by else signal.SIGINT)
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    from cnnviz import rundir, runs

    listed = runs.list_runs(args.runs_dir)
    if args.json:
        print_json({"runs": [run.to_dict() for run in listed]})
        return 0
    if not listed:
        print(f"no runs in {rundir.runs_root(args.runs_dir)}")
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
    print(table(rows, ["run", "status", "model", "dataset", "epochs", "test acc"]))
    return 0


def register(sub) -> None:
    p = sub.add_parser("train", help="train a model on a dataset")
    p.add_argument("--data", required=True, help="dataset id, e.g. digits")
    p.add_argument("--model", required=True, help="preset name or spec.json")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--optimizer", default=None, help=", ".join(OPTIMIZERS))
    p.add_argument("--lr", type=float, default=None, help="learning rate")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--augment", default=None, help="augmentation spec JSON file")
    p.add_argument("--limit", type=int, default=None, help="use at most N training images")
    data_dir_arg(p)
    runs_dir_arg(p)
    json_arg(p)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("runs", help="list the runs")
    runs_dir_arg(p)
    json_arg(p)
    p.set_defaults(func=cmd_runs)
