"""Many runs read together: grouped by a setting, and which setting mattered most.

`group_runs` puts runs into groups by the value one setting had (a sweep's setting,
`cnnviz.sweep_settings`, or any entry of `cnnviz.compare.run_settings`, or "model"),
each group with its runs' test accuracies, their mean and their spread (the standard
deviation over the group's runs, ddof=0, as numpy computes it), and the mean of their
curves epoch by epoch. A run of a sweep whose other settings differ from its
experiment's base (a desk that changed the batch size too) is shown apart, not in a
group; for runs of no sweep, `Grouping.also_differ` names the other settings that differ
between them, which the groups then do not isolate. `sweep_results` is everything the
Class page shows of a class experiment; `effects` ranks the settings by the spread of
their group means.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cnnviz.compare import AUGMENT_SETTINGS, DATA_SETTINGS, TRAINING_SETTINGS, run_settings
from cnnviz.errors import CnnvizError, did_you_mean
from cnnviz.sweep_record import base_differences, other_settings, record_of, varied_of
from cnnviz.sweep_settings import SETTINGS, canonical, get, is_setting, value_label

__all__ = [
    "CURVE_KEYS",
    "Apart",
    "Effect",
    "Group",
    "Grouping",
    "SweepResults",
    "effects",
    "experiment_runs",
    "group_runs",
    "reader",
    "sweep_results",
]

CURVE_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")  # history columns averaged
OTHER_NAMES = (*DATA_SETTINGS, *TRAINING_SETTINGS, *AUGMENT_SETTINGS, "model")


@dataclass(frozen=True)
class Group:
    """The runs that had one value of a setting.

    Attributes:
        value: the value (plain JSON), e.g. 0.01, "adam", True; None where a run has
            no such setting (a layer its model lacks).
        runs: the run ids.
        labels: how each run is named in a figure: its desk, else its id.
        accuracies: each run's test accuracy (None: not tested).
        mean, std: of the tested runs' accuracies (std with ddof=0); None when none
            is tested.
        mean_curve: {"loss", "accuracy", "val_loss", "val_accuracy"}: each epoch's
            mean over the runs that reached it (NaN where none has a value).
        histories: each run's history (`Run.history()`).
    """

    value: Any
    runs: tuple[str, ...]
    labels: tuple[str, ...]
    accuracies: tuple[float | None, ...]
    mean: float | None
    std: float | None
    mean_curve: dict[str, list[float]] = field(default_factory=dict)
    histories: tuple[dict[str, list[float]], ...] = ()

    @property
    def label(self) -> str:
        """The value as a person reads it (on/off, 0.001)."""
        return value_label(self.value)

    def to_dict(self) -> dict[str, Any]:
        """One entry of `compare --group-by --json`'s "groups"."""
        return {
            "value": self.value,
            "runs": list(self.runs),
            "mean_test_accuracy": self.mean,
            "std_test_accuracy": self.std,
            "test_accuracies": list(self.accuracies),
        }


@dataclass(frozen=True)
class Apart:
    """A run of a sweep shown apart: settings other than the varied ones differ from
    its experiment's base.

    Attributes:
        run: its id.
        label: its desk, else its id.
        differs: setting -> [the experiment's value, the run's]; "layers" is
            ["as given", "changed"] when the layer stack was edited.
        test_accuracy: its test accuracy, or None.
    """

    run: str
    label: str
    differs: dict[str, list[Any]]
    test_accuracy: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run, "differs": self.differs, "test_accuracy": self.test_accuracy}


@dataclass(frozen=True)
class Grouping:
    """Runs grouped by one setting (`group_runs`).

    Attributes:
        setting: the setting's name.
        groups: one per value, in value order (off before on, small before large).
        apart: the runs shown apart.
        also_differ: other settings whose values differ between the grouped runs
            (beyond those their sweep varies): what the groups do not isolate.
    """

    setting: str
    groups: tuple[Group, ...]
    apart: tuple[Apart, ...] = ()
    also_differ: tuple[str, ...] = ()

    @property
    def spread(self) -> float:
        """The largest group mean minus the smallest (0 with fewer than two)."""
        means = [g.mean for g in self.groups if g.mean is not None]
        return float(max(means) - min(means)) if len(means) > 1 else 0.0

    @property
    def best(self) -> Group | None:
        """The group with the highest mean (the first of equals), or None."""
        tested = [g for g in self.groups if g.mean is not None]
        return max(tested, key=lambda g: g.mean) if tested else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "setting": self.setting,
            "groups": [g.to_dict() for g in self.groups],
            "apart": [a.to_dict() for a in self.apart],
            "also_differ": list(self.also_differ),
        }


@dataclass(frozen=True)
class Effect:
    """How much one setting moved the test accuracy: the spread of its group means."""

    setting: str
    spread: float
    best_value: Any
    best_mean: float | None


def reader(name: Any) -> tuple[str, Callable[[Any], Any]]:
    """(the setting's canonical name, a function reading its value from a `Run`).

    Raises:
        CnnvizError: no such setting, with the closest name; ends `Received: ...`.
    """
    text = canonical(name)
    if is_setting(text):
        setting = get(text)
        return setting.name, lambda run: setting.read(run.config, run.spec)
    if text == "model":
        return text, lambda run: run.spec.name
    if text in OTHER_NAMES:
        return text, lambda run: run_settings(run.config)[text]
    known = [*SETTINGS, *OTHER_NAMES]
    hint = did_you_mean(text, known, form=" Did you mean {}?")
    raise CnnvizError(
        f"runs cannot be grouped by {str(name)[:80]!r}.{hint} Group by one of "
        f"{', '.join(dict.fromkeys(known))}, or a layer's LAYER.rate or LAYER.filters. "
        f"Received: group_by={json.dumps(str(name)[:80])}"
    )


def _label(run) -> str:
    return run.owner or run.id


def _others(run, grouped: str) -> dict[str, Any]:
    varied = varied_of(run.config) + ([grouped] if is_setting(grouped) else [])
    values = other_settings(run.config, run.spec, varied)
    values.pop(grouped, None)
    if grouped == "model":
        values.pop("layers")
    return values


def _order(value: Any) -> tuple:
    if value is None:
        return (3, "")
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, value if isinstance(value, str) else json.dumps(value))


def _mean_curve(histories: Sequence[dict[str, list[float]]]) -> dict[str, list[float]]:
    curve = {}
    for key in CURVE_KEYS:
        rows = [h[key] for h in histories if h.get(key)]
        if not rows:
            continue
        values = np.full((len(rows), max(map(len, rows))), np.nan)
        for i, row in enumerate(rows):
            values[i, : len(row)] = row
        seen = np.isfinite(values)
        total = np.where(seen, values, 0.0).sum(axis=0)
        count = seen.sum(axis=0)
        curve[key] = np.where(count > 0, total / np.maximum(count, 1), np.nan).tolist()
    return curve


def _group(value: Any, runs: list, curves: bool) -> Group:
    accuracies = tuple(run.test_accuracy for run in runs)
    tested = np.array([a for a in accuracies if a is not None], dtype=float)
    histories = tuple(run.history() for run in runs) if curves else ()
    return Group(
        value=value,
        runs=tuple(run.id for run in runs),
        labels=tuple(_label(run) for run in runs),
        accuracies=accuracies,
        mean=float(np.mean(tested)) if tested.size else None,
        std=float(np.std(tested)) if tested.size else None,
        mean_curve=_mean_curve(histories),
        histories=histories,
    )


def group_runs(runs: Iterable[Any], setting: Any, *, curves: bool = True) -> Grouping:
    """Group runs by the value one setting had.

    Args:
        runs: `cnnviz.runs.Run`s (any number, in any order).
        setting: a setting's name: a sweep's (`cnnviz.sweep_settings`, aliases
            accepted), an entry of `cnnviz.compare.run_settings`, or "model".
        curves: read each run's history and average the groups' curves.

    Raises:
        CnnvizError: an unknown setting (see `reader`).
    """
    name, read = reader(setting)
    runs = list(runs)
    apart = {run.id: d for run in runs if (d := base_differences(run.config, run.spec))}
    kept = [run for run in runs if run.id not in apart]
    by_value: dict[str, tuple[Any, list]] = {}
    for run in kept:
        value = read(run)
        by_value.setdefault(json.dumps(value, sort_keys=True), (value, []))[1].append(run)
    groups = [_group(value, members, curves) for value, members in by_value.values()]
    others = [_others(run, name) for run in kept]
    keys = dict.fromkeys(k for values in others for k in values)
    also = [k for k in keys if len({json.dumps(v.get(k), sort_keys=True) for v in others}) > 1]
    return Grouping(
        setting=name,
        groups=tuple(sorted(groups, key=lambda g: _order(g.value))),
        apart=tuple(
            Apart(run.id, _label(run), apart[run.id], run.test_accuracy)
            for run in runs
            if run.id in apart
        ),
        also_differ=tuple(also),
    )


def effects(groupings: Iterable[Grouping]) -> list[Effect]:
    """Each grouping's setting with the spread of its group means, the largest first:
    the first is the setting that mattered most."""
    found = []
    for grouping in groupings:
        best = grouping.best
        found.append(
            Effect(
                grouping.setting,
                grouping.spread,
                None if best is None else best.value,
                None if best is None else best.mean,
            )
        )
    return sorted(found, key=lambda e: -e.spread)


def experiment_runs(runs: Iterable[Any], experiment_id: str) -> list[Any]:
    """The runs of one sweep (their config.json's experiment id is `experiment_id`)."""
    return [run for run in runs if (record_of(run.config) or {}).get("id") == experiment_id]


@dataclass(frozen=True)
class SweepResults:
    """What a class experiment (or a sweep) found so far (`sweep_results`).

    Attributes:
        settings: the varied settings.
        groupings: setting -> its `Grouping`.
        effects: the settings by the spread of their group means, largest first.
        rows: one per run: {"run_id", "label", one entry per setting,
            "test_accuracy", "apart"}; the parallel-coordinates plot draws them.
    """

    settings: tuple[str, ...]
    groupings: dict[str, Grouping]
    effects: tuple[Effect, ...]
    rows: tuple[dict[str, Any], ...]

    @property
    def mattered_most(self) -> Effect | None:
        """The setting whose groups' means differ most, or None before any result."""
        tested = [e for e in self.effects if e.best_mean is not None]
        return tested[0] if tested else None


def sweep_results(runs: Iterable[Any], settings: Sequence[str]) -> SweepResults:
    """Group a sweep's runs by each varied setting, rank the settings, and list every
    run's values (see `SweepResults`).

    Args:
        runs: the sweep's runs (`experiment_runs`), finished or not.
        settings: the varied settings (`Sweep.settings`).
    """
    runs = list(runs)
    groupings = {}
    for name in settings:
        grouping = group_runs(runs, name)
        groupings[grouping.setting] = grouping
    names = tuple(groupings)
    readers = [reader(name)[1] for name in names]
    apart = {a.run for grouping in groupings.values() for a in grouping.apart}
    rows = tuple(
        {
            "run_id": run.id,
            "label": _label(run),
            **{name: read(run) for name, read in zip(names, readers, strict=True)},
            "test_accuracy": run.test_accuracy,
            "apart": run.id in apart,
        }
        for run in runs
    )
    return SweepResults(names, groupings, tuple(effects(groupings.values())), rows)
