"""The parameters of layer kinds: their checkers, defaults and the widgets that edit them.

A `Param` is one keyword argument of a Keras layer as a spec may give it: the function
that checks a value (`(value, name) -> normalised value`, raising `ParamError`), its
default (or `REQUIRED`), and the `Widget` the Build page edits it with. `cnnviz.layers`
puts them together into the registry of layer kinds. No TensorFlow here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cnnviz import checks, json_input
from cnnviz.errors import CnnvizError

__all__ = [
    "ACTIVATIONS",
    "CHOOSE_ACTIVATION",
    "CHOOSE_PADDING",
    "COUNT",
    "FRACTION",
    "NUMBER",
    "NUM_CLASSES",
    "PADDINGS",
    "REQUIRED",
    "TEXT",
    "WHOLE",
    "Param",
    "Widget",
]

ACTIVATIONS = (
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
    "elu",
    "selu",
    "gelu",
    "swish",
    "leaky_relu",
    "linear",
)
PADDINGS = ("valid", "same")
NUM_CLASSES = "num_classes"


# --- parameter checkers: (value, name) -> normalised value, or ParamError -------------


def positive_int(value: Any, name: str) -> int:
    return checks.whole(value, name, low=1)


def padding_mode(value: Any, name: str) -> str:
    if value not in PADDINGS:
        raise checks.fail(name, "'valid' or 'same'", value)
    return value


def activation(value: Any, name: str) -> str:
    if value is None:
        return "linear"
    return checks.one_of(value, name, ACTIVATIONS)


def rate(value: Any, name: str) -> float:
    return checks.between(
        value, name, 0.0, 1.0, high_open=True, what="the fraction of values dropped"
    )


def fraction_open(value: Any, name: str) -> float:
    return checks.between(value, name, 0.0, 1.0, low_open=True, high_open=True)


def positive_number(value: Any, name: str) -> float:
    return checks.between(value, name, 0.0, float("inf"), low_open=True)


def units(value: Any, name: str) -> int | str:
    if value == NUM_CLASSES:
        return NUM_CLASSES
    if not checks.is_whole(value) or value <= 0:
        raise checks.fail(name, 'a positive whole number or "num_classes"', value)
    return int(value)


# --- parameters and their widgets -------------------------------------------------------

REQUIRED = object()  # marks a parameter that has no default


@dataclass(frozen=True)
class Widget:
    """How the Build page edits a parameter.

    Attributes:
        kind: "choice" (a select box of `options`), "toggle", "count" (a whole number
            from 1), "whole" (a whole number from 0), "fraction" (0 to 0.99), "number",
            or "text" (typed, e.g. "3, 5").
        options: the choices of a "choice".
        placeholder: the hint shown in an empty "text" field.
    """

    kind: str
    options: tuple[str, ...] = ()
    placeholder: str | None = None

    def parse(self, text: str) -> Any:
        """What a learner typed in a "text" widget: "3" -> 3, "3, 5" or "3x5" -> [3, 5],
        "" -> None, JSON as JSON; anything else is kept as typed (validation then says
        what is wrong with it)."""
        text = text.strip()
        if not text:
            return None
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        if re.fullmatch(r"\d+\s*[x,]\s*\d+", text):
            return [int(v) for v in re.split(r"\s*[x,]\s*", text)]
        try:
            return json_input.parse_json(text, "the value")
        except CnnvizError:
            return text

    def format(self, value: Any) -> str:
        """A value as a learner would type it in a "text" widget: [3, 5] -> "3, 5"."""
        if value is None:
            return ""
        if isinstance(value, (list, tuple)):
            if all(isinstance(v, int) for v in value):
                return ", ".join(str(v) for v in value)
            return json.dumps(value)
        return str(value)


TEXT = Widget("text")


@dataclass(frozen=True)
class Param:
    """One keyword argument of a layer: its checker, its default and its widget."""

    check: Callable[[Any, str], Any]
    default: Any = REQUIRED
    keras_requires: bool = False  # Keras has no default for it: always write it in code
    widget: Widget = TEXT


COUNT, FRACTION, NUMBER = Widget("count"), Widget("fraction"), Widget("number")
WHOLE = Widget("whole")
CHOOSE_ACTIVATION = Widget("choice", ACTIVATIONS)
CHOOSE_PADDING = Widget("choice", PADDINGS)
