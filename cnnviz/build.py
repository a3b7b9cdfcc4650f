"""From a checked spec to a real Keras model, its summary, and runnable Keras code.

Only values that passed validation reach Keras or the generated code: the builder and
the code writer both read `Report.rows`, whose parameters were checked one by one
against the layer registry (numbers, booleans, and strings from fixed lists).
"""

from __future__ import annotations

import re
from typing import Any

from cnnviz import layers
from cnnviz.spec import ModelSpec, Report, validate

__all__ = ["build_model", "keras_summary_rows", "to_keras_code", "safe_name"]


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
    rows = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        rows.append(
            {
                "name": layer.name,
                "type": type(layer).__name__,
                "output_shape": list(layer.output.shape),
                "params": layer.count_params(),
            }
        )
    return rows


# --- code export --------------------------------------------------------------------


def _literal(value: Any) -> str:
    """Python source for a checked value (int, float, bool, str, tuples of them)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        if not re.fullmatch(r"[A-Za-z0-9_]+", value):
            raise ValueError(f"refusing to write an unchecked string: {value!r}")
        return f'"{value}"'
    if isinstance(value, tuple):
        inner = ", ".join(_literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    raise ValueError(f"refusing to write an unchecked value: {value!r}")


def _layer_call(row) -> str:
    kind = layers.get(row.type)
    args = []
    for key, value in row.params.items():
        param = kind.params[key]
        if value == param.default and not param.keras_requires:
            continue
        args.append(f"{key}={_literal(value)}")
    return f"layers.{row.type}({', '.join(args)})"


def to_keras_code(report: Report) -> str:
    """A runnable Python script that builds the same model with plain Keras.

    Args:
        report: a Report from `validate` with no error.

    Returns:
        Source code: imports, `keras.Sequential([...])` and `model.summary()`.
    """
    if report.error is not None:
        raise report.error
    name = safe_name(report.spec.name)
    lines = [
        f'"""The "{name}" model, written by cnnviz as plain Keras code.',
        "",
        "Run it with `python this_file.py` to build the model and print its summary.",
        '"""',
        "",
        "import keras",
        "from keras import layers",
        "",
        "model = keras.Sequential(",
        "    [",
        f"        keras.Input(shape={_literal(tuple(report.input_shape))}),",
    ]
    lines += [f"        {_layer_call(row)}," for row in report.rows]
    lines += [
        "    ],",
        f'    name="{name}",',
        ")",
        "",
        'if __name__ == "__main__":',
        "    model.summary()",
        "",
    ]
    return "\n".join(lines)
