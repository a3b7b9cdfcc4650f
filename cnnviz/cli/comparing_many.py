"""`compare RUN RUN RUN ...` and `--group-by`: up to ten runs side by side, grouped."""

from __future__ import annotations

import argparse

from cnnviz.cli.output import print_json, table

__all__ = ["compare_many_runs", "print_groups"]


def _accuracy(value: float | None) -> str:
    return "not tested" if value is None else f"{value:.2%}"


def print_groups(grouping) -> None:
    """A `cnnviz.grouping.Grouping` as tables: each group's mean and spread, and the
    runs shown apart."""
    print(f"\nGrouped by {grouping.setting}")
    rows = [
        [
            g.label,
            str(len(g.runs)),
            "-" if g.mean is None else f"{g.mean:.2%}",
            "-" if g.std is None else f"{g.std * 100:.2f} points",
            ", ".join(g.runs),
        ]
        for g in grouping.groups
    ]
    print(table(rows, [grouping.setting, "runs", "mean", "spread (std)", "run ids"]))
    if grouping.also_differ:
        print(f"These runs also differ in: {', '.join(grouping.also_differ)}")
    for apart in grouping.apart:
        changed = ", ".join(f"{k} {a} -> {b}" for k, (a, b) in apart.differs.items())
        print(f"Shown apart: {apart.run} changed other settings too ({changed})")


def compare_many_runs(runs: list, args: argparse.Namespace) -> int:
    """Print the N-run comparison (`cnnviz.compare_many.compare_many`) of the runs,
    grouped by `args.group_by` when given."""
    from cnnviz.compare_many import compare_many

    comparison = compare_many(runs, group_by=args.group_by)
    if args.json:
        print_json(comparison.to_dict())
        return 0
    listed = zip(comparison.runs, comparison.test_accuracy, strict=True)
    rows = [[str(i + 1), run, _accuracy(acc)] for i, (run, acc) in enumerate(listed)]
    print(table(rows, ["#", "run", "test accuracy"]))
    rows = comparison.table(differences_only=True)
    print("\nSettings that differ")
    if rows:
        header = ["setting", *(str(i + 1) for i in range(len(comparison.runs)))]
        print(table([list(row.values()) for row in rows], header))
    else:
        print("(none)")
    if comparison.per_class_accuracy is None:
        print(f"\nNo per-class accuracy: {comparison.reason}.")
    else:
        rows = [
            [name, *(f"{v:.1%}" for v in comparison.per_class_accuracy[:, k])]
            for k, name in enumerate(comparison.class_names)
        ]
        print("\nAccuracy on each class's test images")
        print(table(rows, ["class", *(str(i + 1) for i in range(len(comparison.runs)))]))
    if comparison.grouping is not None:
        print_groups(comparison.grouping)
    return 0
