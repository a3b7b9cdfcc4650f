"""The settings a sweep may vary: a registry of them and one resolver, `get`.

A class experiment or a solo sweep (`cnnviz.sweep`) varies one or two of these:

================================  ==============================================  =============
name (aliases)                    what it sets                                    values
================================  ==============================================  =============
``learning_rate`` (``lr``)        the optimizer's step size                       0.001, 0.01
``epochs``                        passes over the training images                 3, 10
``batch_size``                    images per gradient step                        16, 64
``optimizer``                     one of `cnnviz.plan.OPTIMIZERS`                 adam, sgd
``augment`` (``augmentation``)    augmentation on or off                          on, off
``LAYER.rate`` (``dropout``)      a Dropout layer's rate, by its Keras name       0, 0.3
``LAYER.filters`` (``filters``)   a Conv2D layer's filters, by its Keras name     16, 32
================================  ==============================================  =============

A layer is named as Keras names it (`cnnviz.layers.keras_names`): the first Dropout layer
is ``dropout``, the second ``dropout_1``; ``dropout`` alone means ``dropout.rate`` and
``filters`` alone ``conv2d.filters``. Each `Setting` parses a typed value (``"0.01"``),
checks it with the same checker the engine uses for it, reads it back from a run's
config.json and spec, and applies it to a model, hyper-parameters and augmentation
(`Parts`). TensorFlow is not imported.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from cnnviz import checks, layers
from cnnviz.augment import AugmentSpec
from cnnviz.compare import AUGMENT_SETTINGS
from cnnviz.errors import CnnvizError, did_you_mean
from cnnviz.plan import OPTIMIZERS, TrainConfig
from cnnviz.spec import LayerSpec, ModelSpec

__all__ = [
    "ALIASES",
    "AUGMENT_ON",
    "LAYER_SETTINGS",
    "SETTINGS",
    "Parts",
    "Setting",
    "canonical",
    "get",
    "is_setting",
    "layer_names",
    "settings_for",
    "value_label",
]

NUMBER, WHOLE, CHOICE, SWITCH = "number", "whole", "choice", "switch"  # kinds of value
SWITCH_WORDS = {"on": True, "off": False, "true": True, "false": False, "yes": True, "no": False}
# Augmentation "on" when the experiment has none of its own: mild changes that keep a
# digit a digit (no flips: a mirrored 3 is no 3).
AUGMENT_ON = AugmentSpec(rotation_degrees=10, width_shift=0.1, height_shift=0.1, zoom=(0.9, 1.1))
ALIASES = {
    "lr": "learning_rate",
    "augmentation": "augment",
    "dropout": "dropout.rate",
    "filters": "conv2d.filters",
}
LAYER_SETTINGS = {"rate": "Dropout", "filters": "Conv2D"}  # LAYER.param -> its layer type
_WHOLE = re.compile(r"[+-]?\d{1,18}")


class Parts(NamedTuple):
    """What a setting changes: the model, the hyper-parameters and the augmentation (the
    identity for none)."""

    spec: ModelSpec
    config: TrainConfig
    augment: AugmentSpec


def value_label(value: Any) -> str:
    """A value as a person reads it: on/off, 0.001, adam; "none" for a missing one."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass(frozen=True)
class Setting:
    """One setting a sweep may vary.

    Attributes:
        name: its canonical name, e.g. "learning_rate" or "dropout_1.rate".
        label: what it is, for people, e.g. "learning rate".
        kind: "number", "whole", "choice" or "switch".
        example: values to try, as typed after `=`, e.g. "0.001,0.01".
        choices: the values a "choice" takes.
    """

    name: str
    label: str
    kind: str
    example: str
    choices: tuple[str, ...] = ()

    @property
    def first(self) -> str:
        """One value of the example, e.g. "0.001"."""
        return self.example.split(",")[0]

    @property
    def covers(self) -> tuple[str, ...]:
        """The `cnnviz.compare.run_settings` entries this setting decides."""
        return ()

    @property
    def layer(self) -> tuple[str, str] | None:
        """(layer name, parameter) for a layer's setting, else None."""
        return None

    def parse(self, text: str) -> Any:
        """A value typed as text ("0.01", "adam", "on"), checked.

        Raises:
            ParamError: not a value of this setting, ending `Received: name="text"`.
        """
        raw = text.strip()
        if self.kind == NUMBER:
            try:
                value: Any = float(raw)
            except ValueError:
                raise checks.fail(self.name, f"a number, e.g. {self.first}", text) from None
        elif self.kind == WHOLE:
            if not _WHOLE.fullmatch(raw):
                raise checks.fail(self.name, f"a whole number, e.g. {self.first}", text)
            value = int(raw)
        elif self.kind == SWITCH:
            if raw.lower() not in SWITCH_WORDS:
                raise checks.fail(self.name, "on or off", text)
            value = SWITCH_WORDS[raw.lower()]
        else:
            value = raw
        return self.check(value)

    def value(self, value: Any) -> Any:
        """A value as a page or a document gives it: text is parsed, anything else
        checked (`check`)."""
        if isinstance(value, str) and self.kind != CHOICE:
            return self.parse(value)
        return self.check(value)

    def check(self, value: Any) -> Any:
        """The value normalised (0 -> 0.0 for a number), or ParamError."""
        raise NotImplementedError

    def read(self, config: dict[str, Any], spec: ModelSpec) -> Any:
        """The value a run had, from its config.json and spec (None where it has none)."""
        raise NotImplementedError

    def apply(self, parts: Parts, value: Any) -> Parts:
        """`parts` with this setting set to a checked value."""
        raise NotImplementedError


@dataclass(frozen=True)
class TrainingSetting(Setting):
    """A `TrainConfig` field, checked by `TrainConfig` itself."""

    @property
    def covers(self) -> tuple[str, ...]:
        return (self.name,)

    def check(self, value: Any) -> Any:
        if self.choices:
            value = value.strip().lower() if isinstance(value, str) else value
            value = checks.one_of(value, self.name, self.choices)
        return getattr(TrainConfig(**{self.name: value}), self.name)

    def read(self, config: dict[str, Any], spec: ModelSpec) -> Any:
        return (config.get("training") or {}).get(self.name)

    def apply(self, parts: Parts, value: Any) -> Parts:
        return parts._replace(config=dataclasses.replace(parts.config, **{self.name: value}))


@dataclass(frozen=True)
class AugmentSetting(Setting):
    """Augmentation on or off: on is the experiment's own augmentation, or `AUGMENT_ON`
    when it has none."""

    @property
    def covers(self) -> tuple[str, ...]:
        return AUGMENT_SETTINGS

    def check(self, value: Any) -> Any:
        return checks.boolean(value, self.name)

    def read(self, config: dict[str, Any], spec: ModelSpec) -> Any:
        return not AugmentSpec.from_dict(config.get("augment") or {}).is_identity

    def apply(self, parts: Parts, value: Any) -> Parts:
        if not value:
            return parts._replace(augment=AugmentSpec())
        return parts if not parts.augment.is_identity else parts._replace(augment=AUGMENT_ON)


@dataclass(frozen=True)
class LayerSetting(Setting):
    """One parameter of one layer, named `LAYER.param` after Keras's name of the layer."""

    layer_type: str = ""
    layer_name: str = ""
    param: str = ""

    @property
    def layer(self) -> tuple[str, str]:
        return self.layer_name, self.param

    def check(self, value: Any) -> Any:
        return layers.get(self.layer_type).params[self.param].check(value, self.name)

    def _index(self, spec: ModelSpec) -> int | None:
        names = layer_names(spec)
        if self.layer_name in names:
            index = names.index(self.layer_name)
            if _type(spec.layers[index]) == self.layer_type:
                return index
        return None

    def read(self, config: dict[str, Any], spec: ModelSpec) -> Any:
        index = self._index(spec)
        return None if index is None else _plain(spec.layers[index].params.get(self.param))

    def apply(self, parts: Parts, value: Any) -> Parts:
        index = self._index(parts.spec)
        if index is None:
            raise _no_layer(
                self.name,
                parts.spec,
                self.layer_type,
                self.layer_name,
                checks.received(self.name, value),
            )
        stack = list(parts.spec.layers)
        old = stack[index]
        stack[index] = LayerSpec(old.type, {**old.params, self.param: value})
        return parts._replace(spec=dataclasses.replace(parts.spec, layers=tuple(stack)))


SETTINGS: dict[str, Setting] = {
    setting.name: setting
    for setting in [
        TrainingSetting("learning_rate", "learning rate", NUMBER, "0.001,0.01"),
        TrainingSetting("epochs", "epochs", WHOLE, "3,10"),
        TrainingSetting("batch_size", "batch size", WHOLE, "16,64"),
        TrainingSetting("optimizer", "optimizer", CHOICE, "adam,sgd", tuple(OPTIMIZERS)),
        AugmentSetting("augment", "augmentation", SWITCH, "on,off", ("on", "off")),
    ]
}
LAYER_EXAMPLES = {"rate": "0,0.3", "filters": "16,32"}


def _type(layer: LayerSpec) -> str:
    return layers.ALIASES.get(layer.type, layer.type)


def layer_names(spec: ModelSpec) -> list[str]:
    """Keras's names of the model's layers: conv2d, conv2d_1, dropout, ..."""
    return layers.keras_names([_type(layer) for layer in spec.layers])


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _layer_setting(layer_name: str, param: str) -> LayerSetting:
    kind = LAYER_SETTINGS[param]
    label = f"{param} of the {kind} layer {layer_name}"
    what = NUMBER if param == "rate" else WHOLE
    return LayerSetting(
        f"{layer_name}.{param}", label, what, LAYER_EXAMPLES[param], (), kind, layer_name, param
    )


def settings_for(spec: ModelSpec | None = None) -> dict[str, Setting]:
    """Every setting one may vary on a model, by canonical name: the hyper-parameters,
    augmentation, and the rate of each of its Dropout layers and the filters of each of
    its Conv2D layers (none without a spec)."""
    found = dict(SETTINGS)
    if spec is not None:
        for layer, name in zip(spec.layers, layer_names(spec)):
            for param, kind in LAYER_SETTINGS.items():
                if _type(layer) == kind:
                    found[f"{name}.{param}"] = _layer_setting(name, param)
    return found


def canonical(name: Any) -> str:
    """A setting's name as typed, in canonical form: lower case, "-" as "_", aliases
    resolved ("lr" -> "learning_rate", "dropout" -> "dropout.rate")."""
    text = str(name).strip().lower().replace("-", "_")
    return ALIASES.get(text, text)


def is_setting(name: Any) -> bool:
    """True when `name` is a setting of the vocabulary (on some model)."""
    text = canonical(name)
    layer, _, param = text.rpartition(".")
    return text in SETTINGS or (bool(layer) and param in LAYER_SETTINGS)


def _no_layer(name: str, spec: ModelSpec, kind: str, layer_name: str, got: str) -> CnnvizError:
    names = [n for layer, n in zip(spec.layers, layer_names(spec)) if _type(layer) == kind]
    if not names:
        what = (
            f"the model {spec.name!r} has no {kind} layer: add one on Build (or to the spec), "
            "or vary another setting"
        )
    else:
        what = f"the model {spec.name!r} has no {kind} layer {layer_name!r}; its {kind} layers: "
        what += ", ".join(f"{n}.{name.rpartition('.')[2]}" for n in names)
    return CnnvizError(f"{name} sets a {kind} layer, and {what}. {got}")


def get(identifier: Any, spec: ModelSpec | None = None) -> Setting:
    """The setting a name stands for (the one resolver).

    Args:
        identifier: a name as typed ("lr", "Batch-Size", "dropout_1.rate") or a Setting.
        spec: the model it is varied on: a layer's setting must name one of its layers.
            Without a spec any `LAYER.rate` or `LAYER.filters` resolves.

    Raises:
        CnnvizError: an unknown setting (with the closest name), or a layer's setting on
            a model without that layer; the message ends `Received: setting="..."`.
    """
    if isinstance(identifier, Setting):
        return identifier
    name = canonical(identifier)
    if name in SETTINGS:
        return SETTINGS[name]
    layer_name, _, param = name.rpartition(".")
    if layer_name and param in LAYER_SETTINGS:
        setting = _layer_setting(layer_name, param)
        if spec is not None and setting._index(spec) is None:
            got = checks.received("setting", str(identifier))
            raise _no_layer(name, spec, LAYER_SETTINGS[param], layer_name, got)
        return setting
    known = list(settings_for(spec))
    hint = did_you_mean(name, [*known, *ALIASES], form=" Did you mean {}?")
    raise CnnvizError(
        f"{str(identifier)[:80]!r} is not a setting a sweep may vary.{hint} Settings: "
        f"{', '.join(known)} (a layer's as LAYER.rate or LAYER.filters). "
        + checks.received("setting", str(identifier))
    )
