"""From a checked spec to a real Keras model, and what Keras says about its layers.

Only values that passed validation reach Keras: the builder reads `Report.rows`, whose
parameters were checked one by one against the layer registry (numbers, booleans, and
strings from fixed lists). `cnnviz.codegen` writes the same rows as Keras code.
"""

from __future__ import annotations

import re
from typing import Any

from cnnviz import layers
from cnnviz.spec import ModelSpec, Report, validate

__all__ = ["build_model", "keras_summary_rows", "model_layers", "safe_name"]


def safe_name(name: str) -> str:
    """A model name Keras and file systems accept: letters, digits, '_' and '-'."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_-")
    return cleaned[:64] or "model"


def build_model(
    spec: ModelSpec | Report,
    *,
    input_shape: tuple[int, ...] | None = None,
    num_classes: int | None = None,
):
    """Build the Keras model a spec describes (functional API, one layer per row).

    Args:
        spec: a spec, or a Report from `validate` (then no other argument is needed).
        input_shape: the dataset's (height, width, channels) if the spec has none.
        num_classes: resolves `"units": "num_classes"`.

    Returns:
        keras.Model taking float32 batches of shape (B, *input_shape).

    Raises:
        SpecError: the spec's first problem.
    """
    import keras

    report = (
        spec
        if isinstance(spec, Report)
        else validate(spec, input_shape=input_shape, num_classes=num_classes)
    )
    if report.error is not None:
        raise report.error
    inputs = keras.Input(shape=report.input_shape, name="image")
    x = inputs
    for row in report.rows:
        x = layers.keras_layer(layers.get(row.type), row.params, row.name)(x)
    return keras.Model(inputs, x, name=safe_name(report.spec.name))


def keras_summary_rows(model) -> list[dict[str, Any]]:
    """What Keras itself says about each layer: name, type, output shape, params.

    Returns:
        One dict per layer (the input layer excluded) with keys name, type,
        output_shape (a list with a leading None) and params.
    """
    return [
        {
            "name": layer.name,
            "type": type(layer).__name__,
            "output_shape": list(layer.output.shape),
            "params": layer.count_params(),
        }
        for layer in model_layers(model)
    ]


def model_layers(model) -> list:
    """The model's layers without its InputLayer, first first: one per spec row."""
    return [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
