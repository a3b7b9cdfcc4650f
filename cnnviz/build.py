"""From a checked spec to a real Keras model, and what Keras says about its layers.

Only values that passed validation reach Keras: the builder reads `Report.rows`, whose
parameters were checked one by one against the layer registry (numbers, booleans, and
strings from fixed lists). `cnnviz.codegen` writes the same rows as Keras code.

A model has one Keras layer per spec row; a Backbone row is a whole Keras model nested
as one layer (`cnnviz.backbones`). `all_layers` lists the layers inside it too, for
everything that looks inside a model (feature maps, filters, Grad-CAM, trace).
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from cnnviz import layers
from cnnviz.errors import CnnvizError
from cnnviz.spec import ModelSpec, Report, validate

__all__ = [
    "all_layers",
    "build_model",
    "find_layer",
    "input_layers",
    "is_nested",
    "keras_summary_rows",
    "model_layers",
    "safe_name",
    "start_from",
]


def safe_name(name: str) -> str:
    """A model name Keras and file systems accept: letters, digits, '_' and '-'."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_-")
    return cleaned[:64] or "model"


def build_model(
    spec: ModelSpec | Report,
    *,
    input_shape: tuple[int, ...] | None = None,
    num_classes: int | None = None,
    pretrained: bool = False,
):
    """Build the Keras model a spec describes (functional API, one layer per row).

    Args:
        spec: a spec, or a Report from `validate` (then no other argument is needed).
        input_shape: the dataset's (height, width, channels) if the spec has none.
        num_classes: resolves `"units": "num_classes"`.
        pretrained: give a Backbone its ImageNet weights (a training starts from them);
            False leaves Keras's initial values, for a model whose weights are loaded
            next (a run's, a bundle's).

    Returns:
        keras.Model taking float32 batches of shape (B, *input_shape).

    Raises:
        SpecError: the spec's first problem.
        CnnvizError: pretrained weights asked for but not on this machine.
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
        kind = layers.get(row.type)
        layer = layers.keras_layer(
            kind, row.params, row.name, input_shape=row.input_shape, pretrained=pretrained
        )
        x = layer(x)
    return keras.Model(inputs, x, name=safe_name(report.spec.name))


def keras_summary_rows(model) -> list[dict[str, Any]]:
    """What Keras itself says about each layer: name, type, output shape, params.

    Returns:
        One dict per layer (the input layer excluded) with keys name, type (a nested
        model is the spec's "Backbone"), output_shape (a list with a leading None) and
        params.
    """
    return [
        {
            "name": layer.name,
            "type": layers.BACKBONE if is_nested(layer) else type(layer).__name__,
            "output_shape": list(layer.output.shape),
            "params": layer.count_params(),
        }
        for layer in model_layers(model)
    ]


def model_layers(model) -> list:
    """The model's layers without its InputLayer, first first: one per spec row."""
    return [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]


def is_nested(layer) -> bool:
    """True for a whole model used as one layer (a spec's Backbone)."""
    return hasattr(layer, "layers") and hasattr(layer, "inputs")


def all_layers(model) -> list:
    """Every layer, a nested model's own layers in its place (its input layer left out),
    first first: the backbone's layers, then the head's."""
    found = []
    for layer in model_layers(model):
        found.extend(all_layers(layer) if is_nested(layer) else [layer])
    return found


def find_layer(model, name: str):
    """The layer of that name, looked for among `all_layers` too; None when absent."""
    for layer in model_layers(model):
        if layer.name == name:
            return layer
    return next((layer for layer in all_layers(model) if layer.name == name), None)


def input_layers(model) -> dict[str, list[str | None]]:
    """Where each layer of `all_layers` takes its input from.

    Returns:
        Layer name -> the names of the layers whose outputs it takes, in order (two
        for a Concatenate or an Add), None standing for the model's input image.
    """
    feeds: dict[str, list[str | None]] = {}
    previous: str | None = None  # the layer whose output the next one takes
    for layer in model_layers(model):
        if not is_nested(layer):
            feeds[layer.name], previous = [previous], layer.name
            continue
        made = {id(inner.output): inner.name for inner in model_layers(layer)}
        made[id(layer.inputs[0])] = previous
        for inner in model_layers(layer):
            tensors = inner.input if isinstance(inner.input, (list, tuple)) else [inner.input]
            feeds[inner.name] = [made[id(t)] for t in tensors]
        previous = made[id(layer.outputs[0])]
    return feeds


def start_from(model, path) -> None:
    """Load another run's weights into a model about to train ("unfreeze and fine-tune":
    the same layers, more of the backbone trainable).

    Raises:
        CnnvizError: the weights do not fit the model (other layers, other shapes).
    """
    try:
        with warnings.catch_warnings():  # a mismatch raises below; its warnings repeat it
            warnings.simplefilter("ignore")
            model.load_weights(path)
    except Exception as err:  # Keras and h5py raise many kinds for weights that do not fit
        reason = str(err).strip().splitlines()[0][:160] if str(err).strip() else ""
        raise CnnvizError(
            f"the weights of the run to start from do not fit this model "
            f"({reason or type(err).__name__}); start from a run with the same layers "
            "(change only trainable_blocks, rates and the training settings)"
        ) from None
