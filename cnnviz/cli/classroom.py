"""The teacher's commands: `results [--owner NAME] --csv` (every run as one row, the CSV
the Class page downloads), `delete RUN [--owner NAME]` (a run's folder, once it has
stopped; with `--owner`, only that desk's) and `jobs` (every replica's queued and running
jobs on the runs folder)."""

from __future__ import annotations

import argparse
import sys

from cnnviz.cli.output import json_arg, print_json, run_arg, runs_dir_arg, table

__all__ = ["register"]


def cmd_results(args: argparse.Namespace) -> int:
    from cnnviz import checks, rundir
    from cnnviz.results import COLUMNS, results, results_csv

    owner = checks.desk_name(args.owner, "--owner") if args.owner is not None else None
    rows = results(owner=owner, runs_dir=args.runs_dir)
    if args.csv:
        sys.stdout.write(results_csv(rows))
        return 0
    if not rows:
        print(f"no runs in {rundir.runs_root(args.runs_dir)}")
        return 0
    shown = [c for c in COLUMNS if c != "settings"]
    print(table([[_text(row, c) for c in shown] for row in rows], shown))
    return 0


def _text(row: dict, column: str) -> str:
    value = row[column]
    if value is None or value == "":
        return "-"
    return f"{value:.2%}" if column == "test_accuracy" else str(value)


def cmd_delete(args: argparse.Namespace) -> int:
    from cnnviz import checks
    from cnnviz.runs import delete_run, load_run

    if args.owner is not None:
        owner = checks.desk_name(args.owner, "--owner")
        delete_run(args.run, args.runs_dir, owner=owner)
        print(f"deleted run {args.run.strip()} of desk {owner}")
        return 0
    run = load_run(args.run, args.runs_dir)
    delete_run(run.dir, args.runs_dir)
    print(f"deleted run {run.id}")
    return 0


def cmd_jobs(args: argparse.Namespace) -> int:
    from cnnviz import rundir
    from cnnviz.claims import active_jobs

    jobs = active_jobs(args.runs_dir)
    if args.json:
        print_json({"jobs": jobs})
        return 0
    if not jobs:
        print(f"no job queued or running on {rundir.runs_root(args.runs_dir)}")
        return 0
    rows = [[j["run_id"], j["status"], j["desk"] or "-", j["host"] or "-"] for j in jobs]
    print(table(rows, ["run", "status", "desk", "host"]))
    return 0


def register(sub) -> None:
    p = sub.add_parser("results", help="one row per run, for the teacher (--csv: as CSV)")
    p.add_argument("--owner", default=None, help="only this desk's runs")
    runs_dir_arg(p)
    p.add_argument("--csv", action="store_true", help="print CSV (what the Class page downloads)")
    p.set_defaults(func=cmd_results)

    p = sub.add_parser("delete", help="delete a run that is not queued or running")
    run_arg(p)
    p.add_argument("--owner", default=None, help="the desk asking: only its own runs")
    runs_dir_arg(p)
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser("jobs", help="every server's queued and running jobs on the runs folder")
    runs_dir_arg(p)
    json_arg(p)
    p.set_defaults(func=cmd_jobs)
