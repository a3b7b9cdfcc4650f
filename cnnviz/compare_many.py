"""Two to ten runs side by side: their settings, curves and per-class accuracy.

`compare_many` reads what the runs recorded (no model is loaded, nothing is evaluated
again): every setting of each run (`cnnviz.compare.run_settings`, the model, its
parameter count, and the rate and filters of its Dropout and Conv2D layers), as a table
whose "differences only" view keeps the rows that differ; each run's curves; each run's
accuracy on each class's test images (its metrics.json), when the runs share their
classes; and, given a setting, the runs grouped by it (`cnnviz.grouping`). Two runs
compared image by image are `cnnviz.compare.compare_runs`'s.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cnnviz import checks
from cnnviz.compare import run_settings
from cnnviz.errors import CnnvizError
from cnnviz.grouping import Grouping, group_runs, reader
from cnnviz.sweep_settings import SETTINGS, settings_for, value_label

__all__ = [
    "MAX_RUNS",
    "MIN_RUNS",
    "ManyComparison",
    "SettingRow",
    "can_group_by",
    "check_count",
    "compare_many",
    "setting_rows",
]

MIN_RUNS, MAX_RUNS = 2, 10  # more than ten lines or bars cannot be told apart


@dataclass(frozen=True)
class SettingRow:
    """One setting across the runs.

    Attributes:
        name: e.g. "learning_rate", "conv2d.filters", "model".
        values: each run's value (plain JSON; None where a run has none).
    """

    name: str
    values: tuple[Any, ...]

    @property
    def differs(self) -> bool:
        """True when not every run has the same value."""
        return len({json.dumps(v, sort_keys=True) for v in self.values}) > 1


def setting_rows(runs: Sequence[Any]) -> list[SettingRow]:
    """Every setting of the runs, one row each: desk, model, layers, parameters, the
    data, hyper-parameters and augmentation, then the layers' rate and filters.

    Args:
        runs: `cnnviz.runs.Run`s.
    """
    settings = [run_settings(run.config) for run in runs]
    rows = [
        SettingRow("desk", tuple(run.owner for run in runs)),
        SettingRow("model", tuple(run.spec.name for run in runs)),
        SettingRow("layers", tuple(", ".join(x.type for x in run.spec.layers) for run in runs)),
        SettingRow("parameters", tuple(run.total_params for run in runs)),
    ]
    rows += [SettingRow(name, tuple(s[name] for s in settings)) for name in settings[0]]
    layer_settings = {}
    for run in runs:
        for name, setting in settings_for(run.spec).items():
            if name not in SETTINGS:
                layer_settings.setdefault(name, setting)
    rows += [
        SettingRow(name, tuple(setting.read(run.config, run.spec) for run in runs))
        for name, setting in layer_settings.items()
    ]
    return rows


@dataclass(frozen=True, eq=False)
class ManyComparison:
    """Runs compared (`compare_many`).

    Attributes:
        runs: the run ids, in the order given.
        labels: each run's name in figures: its desk and id when it has a desk.
        test_accuracy: each run's test accuracy (None untested).
        rows: every setting across the runs (`setting_rows`).
        histories: each run's per-epoch history.
        class_names: the classes (of the first run).
        per_class_accuracy: float ndarray of shape (n_runs, n_classes), each run's
            accuracy on each class's test images (None unless every run was tested
            and they share their classes; `reason` says why not).
        reason: why there is no per-class accuracy ("" when there is).
        grouping: the runs grouped by a setting, when one was asked for.
    """

    runs: tuple[str, ...]
    labels: tuple[str, ...]
    test_accuracy: tuple[float | None, ...]
    rows: tuple[SettingRow, ...]
    histories: tuple[dict[str, list[float]], ...]
    class_names: tuple[str, ...]
    per_class_accuracy: np.ndarray | None
    reason: str
    grouping: Grouping | None = None

    @property
    def settings_diff(self) -> dict[str, list[Any]]:
        """The settings whose values differ: {"learning_rate": [0.003, 0.001, ...]}."""
        return {row.name: list(row.values) for row in self.rows if row.differs}

    @property
    def groupable(self) -> list[str]:
        """The settings that differ and that the runs can be grouped by (for a menu)."""
        return [name for name in self.settings_diff if can_group_by(name)]

    def run_rows(self, settings: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """One row per run, {"run_id", "label", each setting's value, "test_accuracy"},
        for `cnnviz.figures.parallel.parallel_coordinates_figure`; the settings default to
        those that differ and can be grouped by."""
        names = self.groupable if settings is None else list(settings)
        values = {row.name: row.values for row in self.rows}
        return [
            {
                "run_id": run,
                "label": label,
                **{name: values[name][i] for name in names if name in values},
                "test_accuracy": accuracy,
            }
            for i, (run, label, accuracy) in enumerate(
                zip(self.runs, self.labels, self.test_accuracy, strict=True)
            )
        ]

    def table(self, *, differences_only: bool = False) -> list[dict[str, str]]:
        """The settings table: one row per setting, {"setting": name, run id: value as
        text, ...}; with `differences_only`, only the settings that differ."""
        return [
            {"setting": row.name, **{r: value_label(v) for r, v in zip(self.runs, row.values)}}
            for row in self.rows
            if row.differs or not differences_only
        ]

    def to_dict(self) -> dict[str, Any]:
        """The `compare RUN RUN RUN ... --json` document."""
        document: dict[str, Any] = {
            "runs": list(self.runs),
            "test_accuracy": list(self.test_accuracy),
            "settings_diff": self.settings_diff,
            "class_names": list(self.class_names),
        }
        if self.per_class_accuracy is not None:
            document["per_class_accuracy"] = self.per_class_accuracy.tolist()
        if self.grouping is not None:
            document["groups"] = [g.to_dict() for g in self.grouping.groups]
            document["apart"] = [a.to_dict() for a in self.grouping.apart]
        return document


def can_group_by(name: str) -> bool:
    """True when runs can be grouped by the setting (`cnnviz.grouping.reader`)."""
    try:
        reader(name)
    except CnnvizError:
        return False
    return True


def _per_class(runs: Sequence[Any]) -> tuple[np.ndarray | None, str]:
    names = [run.config.get("class_names") for run in runs]
    if any(n != names[0] for n in names):
        return None, "the runs have different classes, so their classes cannot be compared"
    recalls = []
    for run in runs:
        metrics = run.metrics()
        if metrics is None:
            return None, f"run {run.id} has no test results ({run.state})"
        recalls.append(np.asarray(metrics.recall, dtype=float))
    return np.stack(recalls), ""


def check_count(runs: Sequence[Any]) -> None:
    """Between MIN_RUNS and MAX_RUNS runs, none twice.

    Raises:
        CnnvizError: too few, too many, or a run named twice.
    """
    ids = [run.id for run in runs]
    if not MIN_RUNS <= len(ids) <= MAX_RUNS:
        raise checks.fail("runs", f"{MIN_RUNS} to {MAX_RUNS} runs to compare", ids, CnnvizError)
    twice = [i for i in ids if ids.count(i) > 1]
    if twice:
        raise checks.fail("runs", f"different runs ({twice[0]} is named twice)", ids, CnnvizError)


def compare_many(runs: Sequence[Any], *, group_by: str | None = None) -> ManyComparison:
    """Compare 2 to 10 runs from what they recorded.

    Args:
        runs: `cnnviz.runs.Run`s, in the order to show them.
        group_by: a setting to group the runs by (see `cnnviz.grouping.group_runs`).

    Raises:
        CnnvizError: fewer than 2 or more than 10 runs, a run twice, or an unknown
            setting to group by.
    """
    runs = list(runs)
    check_count(runs)
    grouping = None if group_by is None else group_runs(runs, group_by)
    per_class, reason = _per_class(runs)
    names = runs[0].config.get("class_names") or ()
    return ManyComparison(
        runs=tuple(run.id for run in runs),
        labels=tuple(f"{run.owner}: {run.id}" if run.owner else run.id for run in runs),
        test_accuracy=tuple(run.test_accuracy for run in runs),
        rows=tuple(setting_rows(runs)),
        histories=tuple(run.history() for run in runs),
        class_names=tuple(str(n) for n in names),
        per_class_accuracy=per_class,
        reason=reason,
        grouping=grouping,
    )
