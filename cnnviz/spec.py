"""Model specs: a CNN as a layer stack in Keras vocabulary, checked in pure Python.

A spec reads like the Keras code a learner will write::

    {"name": "fashion-cnn", "input_shape": [28, 28, 1],
     "layers": [{"type": "Conv2D", "filters": 32, "kernel_size": 3, "activation": "relu"},
                {"type": "Flatten"},
                {"type": "Dense", "units": "num_classes", "activation": "softmax"}]}

`check` walks the stack with the same shape and parameter rules as Keras and returns a
`Report` (one row per layer, and the first problem if any) without importing
TensorFlow, so it answers while someone types. `validate` does the same and raises
`SpecError` on a problem.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cnnviz import checks, layers
from cnnviz.checks import received
from cnnviz.errors import ParamError, SpecError
from cnnviz.head import head_of
from cnnviz.json_input import parse_json
from cnnviz.shapes import ShapeError, format_shape

__all__ = [
    "LayerRow",
    "LayerSpec",
    "ModelSpec",
    "Report",
    "check",
    "validate",
]

TOP_LEVEL_KEYS = ("name", "input_shape", "layers")
MAX_LAYERS = 200
MAX_DIMENSION = 4096
MAX_NAME = 100  # characters of a model's name


@dataclass(frozen=True)
class LayerSpec:
    """One layer: its Keras class name and the keyword arguments given for it."""

    type: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **self.params}

    @classmethod
    def from_dict(cls, data: Any, number: int = 0) -> LayerSpec:
        """Parse `{"type": ..., **params}`; raises SpecError for a malformed entry."""
        if not isinstance(data, dict):
            raise SpecError(
                f"layer {number}: each layer must be an object like "
                f'{{"type": "Conv2D", ...}}. ' + received("layer", data),
                number,
            )
        if "type" not in data or not isinstance(data["type"], str):
            raise SpecError(
                f'layer {number}: missing "type" (a Keras layer name such as '
                f'"Conv2D"). ' + received("layer", data),
                number,
            )
        params = {k: v for k, v in data.items() if k != "type"}
        return cls(data["type"], params)


@dataclass(frozen=True)
class ModelSpec:
    """A CNN as a stack of layers.

    Attributes:
        layers: the stack, first layer first.
        input_shape: (height, width, channels), or None to take it from the dataset.
        name: a short name, used for the Keras model and file names.
    """

    layers: tuple[LayerSpec, ...]
    input_shape: tuple[int, int, int] | None = None
    name: str = "model"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name}
        if self.input_shape is not None:
            data["input_shape"] = list(self.input_shape)
        data["layers"] = [layer.to_dict() for layer in self.layers]
        return data

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: Any) -> ModelSpec:
        """Parse a spec dict; raises SpecError saying what is malformed."""
        if not isinstance(data, dict):
            raise SpecError(
                'a model spec must be an object with "layers". ' + received("spec", data)
            )
        checks.known_keys(data, TOP_LEVEL_KEYS, where="model spec: ", error=SpecError)
        raw_layers = data.get("layers")
        if not isinstance(raw_layers, list):
            raise SpecError('"layers" must be a list of layers. ' + received("layers", raw_layers))
        if len(raw_layers) > MAX_LAYERS:
            raise SpecError(
                f"the stack has {len(raw_layers)} layers; cnnviz handles at most {MAX_LAYERS}"
            )
        name = data.get("name", "model")
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
            raise SpecError(
                f'"name" must be a non-empty string of at most {MAX_NAME} characters. '
                + received("name", name)
            )
        input_shape = data.get("input_shape")
        if input_shape is not None:
            input_shape = _input_shape(input_shape)
        return cls(
            tuple(LayerSpec.from_dict(raw, i + 1) for i, raw in enumerate(raw_layers)),
            input_shape,
            name,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> ModelSpec:
        return cls.from_dict(parse_json(text, "the model spec", SpecError))


def _input_shape(value: Any) -> tuple[int, int, int]:
    try:
        return checks.input_shape(value, max_side=MAX_DIMENSION)
    except ParamError as err:
        raise SpecError(str(err)) from None


# --- checking -----------------------------------------------------------------------


@dataclass(frozen=True)
class LayerRow:
    """What one layer does to the tensor, as `model.summary()` would show it.

    Attributes:
        number: 1-based position in the stack.
        name: the Keras layer name, e.g. "conv2d_1".
        type: the Keras class name.
        params: checked parameters with defaults filled in, "num_classes" resolved.
        input_shape, output_shape: shapes without the batch axis.
        trainable, non_trainable: weight counts.
    """

    number: int
    name: str
    type: str
    params: dict[str, Any]
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    trainable: int
    non_trainable: int

    @property
    def total(self) -> int:
        return self.trainable + self.non_trainable


@dataclass(frozen=True)
class Report:
    """The result of checking a spec.

    Attributes:
        spec: the spec checked.
        input_shape: the resolved input shape, or None if there was none.
        rows: one row per layer that could be checked (all of them when ok).
        error: the first problem, or None.
    """

    spec: ModelSpec
    input_shape: tuple[int, int, int] | None
    rows: tuple[LayerRow, ...]
    error: SpecError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def trainable_params(self) -> int:
        return sum(r.trainable for r in self.rows)

    @property
    def non_trainable_params(self) -> int:
        return sum(r.non_trainable for r in self.rows)

    @property
    def total_params(self) -> int:
        return self.trainable_params + self.non_trainable_params

    @property
    def output_shape(self) -> tuple[int, ...] | None:
        return self.rows[-1].output_shape if self.rows else self.input_shape

    def summary_dict(self) -> dict[str, Any]:
        """The `summary --json` document (shapes with a leading null batch axis)."""
        return {
            "layers": [
                {
                    "name": r.name,
                    "type": r.type,
                    "output_shape": [None, *r.output_shape],
                    "params": r.total,
                }
                for r in self.rows
            ],
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
        }


def check(
    spec: ModelSpec,
    *,
    input_shape: tuple[int, ...] | list[int] | None = None,
    num_classes: int | None = None,
) -> Report:
    """Check a spec layer by layer without TensorFlow.

    Args:
        spec: the model spec.
        input_shape: the dataset's (height, width, channels); used when the spec has
            none, and must match the spec's own when it has one.
        num_classes: the dataset's number of classes; resolves `"units": "num_classes"`
            and checks that the head fits the classes.

    Returns:
        A Report with a row per checked layer and the first problem, if any.
    """
    rows: list[LayerRow] = []
    try:
        shape = _resolve_input_shape(spec, input_shape)
    except SpecError as err:
        return Report(spec, None, (), err)
    if not spec.layers:
        err = SpecError("the model has no layers; add at least one, e.g. Conv2D")
        return Report(spec, shape, (), err)
    names = layers.keras_names([layers.ALIASES.get(l.type, l.type) for l in spec.layers])
    current: tuple[int, ...] = shape
    for number, (layer, name) in enumerate(zip(spec.layers, names), start=1):
        try:
            row = _check_layer(layer, number, name, current, num_classes)
        except SpecError as err:
            return Report(spec, shape, tuple(rows), err)
        rows.append(row)
        current = row.output_shape
    report = Report(spec, shape, tuple(rows))
    if num_classes is not None:
        try:
            head_of(report, num_classes)
        except SpecError as err:
            return Report(spec, shape, tuple(rows), err)
    return report


def _resolve_input_shape(spec: ModelSpec, given: Any) -> tuple[int, int, int]:
    if given is not None:
        given = _input_shape(list(given))
    if spec.input_shape is None and given is None:
        raise SpecError(
            'no input shape: add "input_shape": [height, width, channels] to the '
            "spec, or choose a dataset"
        )
    if spec.input_shape is not None and given is not None and spec.input_shape != given:
        raise SpecError(
            f"the model's input_shape {list(spec.input_shape)} does not match the "
            f"dataset's images {list(given)}; remove input_shape from the spec to "
            f"take it from the dataset"
        )
    return spec.input_shape or given


def _check_layer(
    layer: LayerSpec,
    number: int,
    name: str,
    shape: tuple[int, ...],
    num_classes: int | None,
) -> LayerRow:
    where = f"layer {number} {layer.type}"
    try:
        kind = layers.get(layer.type)
    except ParamError as err:
        raise SpecError(f"layer {number}: {err}", number) from None
    if kind.first_only and number != 1:
        raise SpecError(
            f"{where}: a {kind.name} takes the dataset's images itself (it resizes and "
            f"scales them as it was trained), so it must be the first layer; move it to the "
            f"top. Received: position={number}",
            number,
        )
    try:
        params = kind.resolve_params(layer.params)
    except ParamError as err:
        raise SpecError(f"{where}: {err}", number) from None
    if params.get("units") == layers.NUM_CLASSES:
        if num_classes is None:
            raise SpecError(
                f'{where}: units is "num_classes" but no dataset says how many '
                f"classes there are; choose a dataset or give a number",
                number,
            )
        params["units"] = num_classes
    try:
        out = kind.output_shape(shape, params)
        trainable, frozen = kind.count_params(shape, params)
    except ShapeError as err:
        raise SpecError(f"{where}: {err}", number) from None
    if any(n <= 0 for n in out):
        raise SpecError(
            f"{where}: turns its {format_shape(shape)} input into an empty "
            f"{format_shape(out)} output; use smaller strides or padding='same'",
            number,
        )
    return LayerRow(number, name, kind.name, params, shape, out, trainable, frozen)


def validate(
    spec: ModelSpec,
    *,
    input_shape: tuple[int, ...] | list[int] | None = None,
    num_classes: int | None = None,
) -> Report:
    """Like `check`, but raises the first problem.

    Raises:
        SpecError: the first problem, with its layer number and a hint.
    """
    report = check(spec, input_shape=input_shape, num_classes=num_classes)
    if report.error is not None:
        raise report.error
    return report
