"""`compare` and `diagnose`: two tries side by side, and what one try's curves say."""

from __future__ import annotations

import argparse
import json

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
    from cnnviz.compare import compare_runs
    from cnnviz.runs import load_run

    run_a, run_b = load_run(args.run_a, args.runs_dir), load_run(args.run_b, args.runs_dir)
    comparison = compare_runs(run_a, run_b, data_dir=args.data_dir)
    if args.json:
        print_json(comparison.to_dict())
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
    p = sub.add_parser("compare", help="compare two runs: settings, layers, answers")
    p.add_argument("run_a", metavar="RUN_A", help="run id or run directory (the baseline)")
    p.add_argument("run_b", metavar="RUN_B", help="run id or run directory (the new try)")
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
