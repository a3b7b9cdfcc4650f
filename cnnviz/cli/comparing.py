"""`compare` and `diagnose`: tries side by side, and what one try's curves say."""

from __future__ import annotations

import argparse
import json

from cnnviz.cli.comparing_many import compare_many_runs, print_groups
from cnnviz.cli.output import data_dir_arg, json_arg, print_json, run_arg, runs_dir_arg, table

__all__ = ["register"]


def _layer(layer: dict | None) -> str:
    if layer is None:
        return "-"
    settings = ", ".join(f"{k}={json.dumps(v)}" for k, v in layer.items() if k != "type")
    return f"{layer['type']}({settings})"


def _count(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def _accuracy(value: float | None) -> str:
    return "not tested" if value is None else f"{value:.2%}"


def cmd_compare(args: argparse.Namespace) -> int:
    """Two runs: what changed and what it changed, image by image (`compare_runs`); more
    runs, or --group-by: the N-run comparison (`cnnviz.cli.comparing_many`)."""
    from cnnviz.compare import compare_runs
    from cnnviz.compare_many import check_count
    from cnnviz.runs import load_run

    runs = [load_run(run, args.runs_dir) for run in args.runs]
    check_count(runs)
    if len(runs) > 2:
        return compare_many_runs(runs, args)
    grouping = None
    if args.group_by is not None:
        from cnnviz.grouping import group_runs

        grouping = group_runs(runs, args.group_by)
    comparison = compare_runs(*runs, data_dir=args.data_dir)
    if args.json:
        document = comparison.to_dict()
        if grouping is not None:
            document["groups"] = [g.to_dict() for g in grouping.groups]
            document["apart"] = [a.to_dict() for a in grouping.apart]
        print_json(document)
        return 0
    for label, run_id, accuracy in zip("AB", comparison.runs, comparison.test_accuracy):
        print(f"{label}: {run_id}  test accuracy {_accuracy(accuracy)}")
    print("\nSettings that differ")
    rows = [
        [name, json.dumps(a), json.dumps(b)] for name, (a, b) in comparison.settings_diff.items()
    ]
    print(table(rows, ["setting", "A", "B"]) if rows else "(none)")
    print("\nLayers")
    rows = [
        [str(c.index), c.change, _layer(c.a), _layer(c.b), _count(c.params[0]), _count(c.params[1])]
        for c in comparison.layers
    ]
    print(table(rows, ["#", "change", "A", "B", "params A", "params B"]))
    total_a, total_b = comparison.total_params
    print(f"total params: {total_a:,} (A), {total_b:,} (B)")
    if not comparison.same_test_split:
        print(f"\nNot compared image by image: {comparison.reason}.")
        return 0
    names = comparison.class_names
    print(
        f"\nOn the same test images the two answer {comparison.disagreements_count:,} differently"
    )
    per_class = comparison.per_class_accuracy
    rows = [
        [name, f"{a:.1%}", f"{b:.1%}", f"{(b - a) * 100:+.1f}"]
        for name, a, b in zip(names, per_class[0], per_class[1])
    ]
    print(table(rows, ["class", "accuracy A", "accuracy B", "change (points)"]))
    print("\nConfusion matrix, B minus A (rows: true class, columns: predicted class)")
    matrix = [
        [name, *(f"{v:+d}" if v else "0" for v in row)]
        for name, row in zip(names, comparison.confusion_diff)
    ]
    print(table(matrix, ["", *names]))
    if grouping is not None:
        print_groups(grouping)
    return 0


def cmd_diagnose(args: argparse.Namespace) -> int:
    from cnnviz.coach import diagnose_run
    from cnnviz.runs import load_run

    run = load_run(args.run, args.runs_dir)
    findings = diagnose_run(run, data_dir=args.data_dir)
    if args.json:
        print_json({"findings": [f.to_dict() for f in findings]})
        return 0
    print(f"Run {run.id} ({run.state})")
    for finding in findings:
        print(f"\n{'!' if finding.warning else '-'} {finding.title} [{finding.kind}]")
        print(f"  seen: {finding.evidence}")
        print(f"  try:  {finding.suggestion}")
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "compare", help="compare runs: two image by image, up to ten side by side, grouped"
    )
    p.add_argument(
        "runs",
        nargs="+",
        metavar="RUN",
        help="2 to 10 run ids or run directories (of two: the baseline, then the new try)",
    )
    p.add_argument(
        "--group-by",
        default=None,
        metavar="SETTING",
        help="group the runs by a setting: mean and spread of each group's test accuracy",
    )
    runs_dir_arg(p)
    data_dir_arg(p)
    json_arg(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("diagnose", help="what a run's curves say, and what to try next")
    run_arg(p)
    runs_dir_arg(p)
    data_dir_arg(p)
    json_arg(p)
    p.set_defaults(func=cmd_diagnose)
