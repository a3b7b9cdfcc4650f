"""`train` and `runs`: train a model into a run folder, and list the runs."""

from __future__ import annotations

import argparse
import sys

from cnnviz.cli.output import data_dir_arg, json_arg, print_json, runner_arg, runs_dir_arg, table
from cnnviz.events import EpochEvent
from cnnviz.plan import OPTIMIZERS

__all__ = ["follow", "register", "train_config"]


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


def train_config(args: argparse.Namespace):
    from cnnviz.plan import TrainConfig

    return TrainConfig.suggested(
        args.model,
        epochs=args.epochs,
        batch_size=args.batch_size,
        optimizer=args.optimizer,
        learning_rate=args.lr,
        seed=args.seed,
        devices=args.devices,
    )


def cmd_train(args: argparse.Namespace) -> int:
    """Train a model into a new run folder with a job runner (`--runner`, default
    thread), printing one line per epoch (or, with --json, the DESIGN document on stdout
    and the epoch lines on stderr).

    Exit codes: 0 completed, or stopped by its time limit (`--max-minutes`, else
    $CNNVIZ_MAX_JOB_MINUTES: after the batch past it, saved and tested); 1 the run failed
    (NaN loss, full disk, a crash; its status.json says why); 2 a mistake found before
    training (no run is created); 130 stopped by Ctrl-C or SIGTERM: the first stops after
    the current batch, saves and tests what was learned and marks the run `stopped`; a
    second Ctrl-C aborts at once.
    """
    from cnnviz import presets
    from cnnviz.augment import read_spec
    from cnnviz.data.recent import load_recent
    from cnnviz.plan import check_training
    from cnnviz.request import TrainRequest
    from cnnviz.runners import make_runner, runner_name

    out = sys.stderr if args.json else sys.stdout
    try:
        spec = presets.get(args.model)
        config = train_config(args)
        augment = read_spec(args.augment) if args.augment else None
        kind = runner_name(args.runner)
        init_from = _start(args)
        request = TrainRequest(
            spec,
            args.data,
            config,
            data_dir=args.data_dir,
            limit=args.limit,
            model=str(args.model),
            augment=augment,
            runs_dir=args.runs_dir,
            owner=args.owner,
            init_from=init_from,
            max_minutes=args.max_minutes,
        )
        dataset = load_recent(  # the job (in a thread) takes the same load
            request.dataset,
            data_dir=request.data_dir,
            limit=request.limit,
            seed=config.seed,
            desk=request.owner,  # an upload:NAME is looked for among this desk's
            runs_dir=request.runs_dir,
        )
        check_training(spec, dataset.info, config)
        runner = make_runner(kind, 1)
    except KeyboardInterrupt:
        print("interrupted before training started", file=sys.stderr)
        return 130
    try:
        return _follow(runner, runner.submit(request), args, out)
    finally:
        runner.shutdown(wait=True)


def _start(args: argparse.Namespace) -> str | None:
    """The id of the run `--init-from` names, checked to have weights to start from."""
    if not args.init_from:
        return None
    from cnnviz.runs import load_run

    run = load_run(args.init_from, args.runs_dir)
    run.weights_file()
    return run.id


def follow(runner, job: str, out):
    """Print the job's epochs as they end until it ends; Ctrl-C or SIGTERM stops it after
    its batch, a second Ctrl-C aborts.

    Returns:
        (the run as it ended, whether a stop was asked), or None when aborted (the
        message is printed).
    """
    import signal
    import threading
    import time

    from cnnviz.events import ACTIVE
    from cnnviz.runs import load_run

    asked = threading.Event()

    def on_stop(signum, frame):
        if asked.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        asked.set()
        runner.stop(job)
        print("stopping after the current batch (Ctrl-C again to abort)", file=sys.stderr)

    in_main = threading.current_thread() is threading.main_thread()
    previous = (
        {s: signal.signal(s, on_stop) for s in (signal.SIGINT, signal.SIGTERM)} if in_main else {}
    )
    run_dir = runner.artifacts(job)
    print(f"training run {job} ({run_dir})", file=out, flush=True)
    seen = 0
    try:
        while True:
            done = runner.status(job)["status"] not in ACTIVE
            for event in runner.events(job, since=seen):
                seen += 1
                if isinstance(event, EpochEvent):
                    print(_epoch_line(event), file=out, flush=True)
            if done:
                break
            time.sleep(0.1)
    except KeyboardInterrupt:
        print(f"error: aborted; run {job} is marked interrupted", file=sys.stderr)
        return None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return load_run(run_dir), asked.is_set()


def _follow(runner, job: str, args: argparse.Namespace, out) -> int:
    """Follow the job (`follow`), then print how it ended."""
    followed = follow(runner, job, out)
    if followed is None:
        return 130
    run, asked = followed
    status = run.status
    if args.json:
        print_json(
            {
                "run_id": run.id,
                "run_dir": str(run.dir),
                "status": run.state,
                "message": status.get("message", ""),
                "history": run.history(),
                "test_accuracy": run.test_accuracy,
                "fit_seconds": status.get("fit_seconds", 0.0),
                "images_per_second": status.get("images_per_second", 0.0),
            }
        )
    if run.state == "failed":
        print(f"error: {status.get('message')} (run {run.id})", file=sys.stderr)
        return 1
    accuracy = "not tested"
    if run.test_accuracy is not None:
        accuracy = f"test accuracy {run.test_accuracy:.2%}"
    print(
        f"{run.state}: {accuracy} (fit {status.get('fit_seconds', 0.0):.1f} s, "
        f"{status.get('images_per_second', 0.0):,.0f} images/s); {status.get('message')}",
        file=out,
    )
    return 130 if run.state == "stopped" and asked else 0  # a time limit: 0


def cmd_runs(args: argparse.Namespace) -> int:
    from cnnviz import rundir, runs

    listed = runs.list_runs(args.runs_dir, owner=args.owner)
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
    p.add_argument(
        "--devices",
        type=int,
        default=None,
        help="split every batch over N devices (tf.distribute.MirroredStrategy; default 1)",
    )
    p.add_argument(
        "--owner",
        default=None,
        help="the desk the run belongs to (one job per desk on the runs folder; "
        "--data upload:NAME is one of its uploads)",
    )
    p.add_argument(
        "--init-from",
        default=None,
        metavar="RUN",
        help="start from that run's weights (same layers; e.g. more trainable_blocks)",
    )
    p.add_argument(
        "--max-minutes",
        type=float,
        default=None,
        help="stop after the batch past M minutes and keep what was learned (default: "
        "$CNNVIZ_MAX_JOB_MINUTES, else no limit; in classroom mode 30)",
    )
    runner_arg(p)
    data_dir_arg(p)
    runs_dir_arg(p)
    json_arg(p)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("runs", help="list the runs")
    p.add_argument("--owner", default=None, help="only this desk's runs")
    runs_dir_arg(p)
    json_arg(p)
    p.set_defaults(func=cmd_runs)
