"""What a sweep's run keeps in its config.json, and whether it kept its experiment's base.

A run of a sweep or class experiment carries one entry (written by `cnnviz.rundir` from
`TrainRequest.experiment`, made by `cnnviz.sweep.Sweep.record`)::

    "experiment": {"id": "20261129-193000-ab12", "question": "Does dropout help?",
                   "settings": {"dropout.rate": 0.3}, "repeat": 0,
                   "base": {...every other setting of the experiment...}}

`other_settings` is everything about a run but the varied settings and the seed: the
data, hyper-parameters and augmentation (`cnnviz.compare.run_settings`) and a digest of
its layer stack. `keeps_settings` says whether a run still has its record's values of the
varied settings (a desk that changed one is not trying its combination any more).
`base_differences` compares a run's with its record's "base": a desk
that also changed the batch size, or edited a layer, differs, and is shown apart.
TensorFlow is not imported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from cnnviz import layers
from cnnviz.compare import run_settings
from cnnviz.errors import CnnvizError
from cnnviz.spec import ModelSpec
from cnnviz.sweep_settings import get, is_setting, layer_names

__all__ = [
    "RECORD_KEY",
    "base_differences",
    "keeps_settings",
    "other_settings",
    "record_of",
    "varied_of",
]

RECORD_KEY = "experiment"  # the config.json entry of a sweep's run


def record_of(config: Mapping[str, Any]) -> dict[str, Any] | None:
    """The experiment entry of a run's config.json, or None (not a sweep's run)."""
    record = config.get(RECORD_KEY)
    ok = isinstance(record, dict) and isinstance(record.get("settings"), dict)
    return record if ok else None


def varied_of(config: Mapping[str, Any]) -> list[str]:
    """The settings a run's sweep varied ([] for a run of no sweep)."""
    record = record_of(config)
    return [name for name in (record["settings"] if record else ()) if is_setting(name)]


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _model_key(spec: ModelSpec, skip: set[tuple[str, str]]) -> str:
    """A short digest of the layer stack (defaults filled in), without the parameters in
    `skip` ((layer name, parameter) pairs) and without the model's name."""
    stack = []
    for layer, name in zip(spec.layers, layer_names(spec)):
        try:
            kind = layers.get(layer.type)
            params = kind.resolve_params(layer.params)
        except CnnvizError:
            kind, params = None, dict(layer.params)
        kept = {k: v for k, v in params.items() if (name, k) not in skip}
        stack.append({"type": kind.name if kind else layer.type, **kept})
    text = json.dumps([spec.input_shape, _plain(stack)], sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def other_settings(
    config: Mapping[str, Any], spec: ModelSpec, varied: Iterable[str]
) -> dict[str, Any]:
    """Every setting of a run but the varied ones and the seed: the data, the
    hyper-parameters and the augmentation (`cnnviz.compare.run_settings`), and "layers",
    a digest of the layer stack. Two runs of one experiment that kept its other
    settings have equal `other_settings`.

    Args:
        config: a run's config.json (or `TrainRequest.source()`).
        spec: its model.
        varied: the names of the settings the experiment varies.
    """
    chosen = [get(name) for name in varied]
    values = run_settings(dict(config))
    for name in ("seed", *(key for setting in chosen for key in setting.covers)):
        values.pop(name, None)
    values["layers"] = _model_key(spec, {s.layer for s in chosen if s.layer is not None})
    return values


def base_differences(config: Mapping[str, Any], spec: ModelSpec) -> dict[str, list[Any]]:
    """What differs between a sweep's run and its experiment's base: setting ->
    [the experiment's value, the run's]; "layers" is ["as given", "changed"] when the
    layer stack was edited. {} when nothing differs, and for a run of no sweep."""
    record = record_of(config)
    base = record.get("base") if record else None
    if not isinstance(base, dict):
        return {}
    try:
        actual = other_settings(config, spec, varied_of(config))
    except CnnvizError:  # a record this version cannot read: the run is not judged
        return {}
    differs = {
        k: [base.get(k), actual.get(k)]
        for k in dict.fromkeys([*base, *actual])
        if base.get(k) != actual.get(k)
    }
    if "layers" in differs:
        differs["layers"] = ["as given", "changed"]
    return differs


def keeps_settings(record: Mapping[str, Any], config: Mapping[str, Any], spec: ModelSpec) -> bool:
    """Whether a run's values of its record's varied settings are the record's.

    Args:
        record: a run's experiment entry (`cnnviz.sweep.Sweep.record`).
        config: the run's config.json (or `TrainRequest.source()`).
        spec: its model.
    """
    settings = record.get("settings")
    if not isinstance(settings, dict):
        return False
    try:
        return all(get(name).read(config, spec) == value for name, value in settings.items())
    except CnnvizError:  # a setting this version does not know
        return False
