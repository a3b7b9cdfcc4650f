"""Fast calls of a trained model: graph functions built once per model, no `predict`.

`model.predict` on one image costs ~60 ms of set-up where the forward pass of a small
CNN costs ~1 ms, so every room that runs a model (feature maps, evaluation, predicting,
Grad-CAM) calls it through here: as a cached TensorFlow graph function with a fixed
signature (any batch size), traced once per model, or in batches for many images.
`tapped` gives any layers' outputs in the same pass, a backbone's inner layers too.
Training's validation (`predict_with_loss`) gets the outputs and the compiled loss from
one pass.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from cnnviz.build import all_layers, is_nested, model_layers
from cnnviz.errors import CnnvizError

__all__ = [
    "cached",
    "graph_function",
    "image_batch",
    "model_call",
    "model_input",
    "predict_outputs",
    "predict_with_loss",
    "tapped",
]

_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def cached(model, key: Any, make: Any) -> Any:
    """A value made once per model and key, dropped when the model is.

    `make()` must not keep the model itself alive (its layers are fine).
    """
    store = _CACHE.setdefault(model, {})
    if key not in store:
        store[key] = make()
    return store[key]


def model_input(model):
    """The model's symbolic input (Sequential stacks have `inputs` but no `input`)."""
    return model.inputs[0]


class _Call:
    """A callable object around `call`: TensorFlow counts traces per function code,
    and one trace per model of the same lambda would read as needless retracing."""

    def __init__(self, call: Any):
        self.function = call

    def __call__(self, x):
        return self.function(x)


def _as_list(outputs) -> list:
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def tapped(model, names: list[str]) -> Any:
    """A function x -> [the named layers' outputs], in one forward pass (`training`
    off); wrap it with `graph_function`.

    Args:
        model: a Keras model whose layers form a chain (as specs build them); a layer
            that is itself a model (a Backbone) may be tapped inside.
        names: layer names from `cnnviz.build.all_layers` (or the nested model's own).
    """
    import keras

    top = model_layers(model)
    if not any(is_nested(layer) for layer in top):
        by_name = {layer.name: layer for layer in top}
        extractor = keras.Model(model_input(model), [by_name[n].output for n in names])
        return lambda x: _as_list(extractor(x, training=False))
    wanted = set(names)
    steps = []  # (a top-level layer, or a model of a nested one's taps and output)
    for layer in top:
        if not is_nested(layer):
            steps.append((layer, None))
            continue
        inner = [l for l in all_layers(layer) if l.name in wanted]
        outputs = [l.output for l in inner] + [layer.outputs[0]]
        steps.append((keras.Model(layer.inputs[0], outputs), [l.name for l in inner]))

    def call(x):
        found = {}
        for (step, inner), layer in zip(steps, top):
            if inner is None:
                x = step(x, training=False)
            else:
                *taps, x = _as_list(step(x, training=False))
                found.update(zip(inner, taps))
            found[layer.name] = x
        return [found[n] for n in names]

    return call


def graph_function(model, call: Any) -> Any:
    """`call` as a TensorFlow graph function on float32 batches of the model's input.

    A graph runs a small CNN several times faster than calling Keras eagerly, and
    the fixed signature (any batch size) means it is traced once per model.
    """
    import tensorflow as tf

    signature = tf.TensorSpec((None, *model.input_shape[1:]), tf.float32)
    return tf.function(_Call(call), input_signature=[signature])


def model_call(model) -> Any:
    """`model(x, training=False)` as a cached graph function of (N, H, W, C) batches."""
    ref = weakref.ref(model)
    return cached(model, "call", lambda: graph_function(model, lambda x: ref()(x, training=False)))


def image_batch(model, image: np.ndarray) -> np.ndarray:
    """One image as a batch of one, checked against the model's input shape.

    Args:
        model: a Keras model.
        image: float pixels of shape (H, W, C) or (1, H, W, C).

    Returns:
        float32 ndarray of shape (1, H, W, C).

    Raises:
        CnnvizError: the image does not have the model's input shape.
    """
    array = np.asarray(image, dtype=np.float32)
    if array.ndim == 3:
        array = array[None]
    expected = tuple(model.input_shape[1:])
    if array.ndim != 4 or array.shape[0] != 1 or tuple(array.shape[1:]) != expected:
        raise CnnvizError(
            f"the model takes one image of shape {list(expected)} (height, width, "
            f"channels). Received: shape={list(np.shape(image))}"
        )
    return array


def predict_outputs(model, images: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    """The model's raw outputs for many images, calling it on batches.

    Args:
        model: a Keras model.
        images: float pixels of shape (N, H, W, C), already rescaled.
        batch_size: images per forward pass.

    Returns:
        float64 ndarray of shape (N, units): softmax rows, or one sigmoid unit.
    """
    call = model_call(model)
    parts = [
        np.asarray(call(np.asarray(images[i : i + batch_size], np.float32)), np.float64)
        for i in range(0, len(images), batch_size)
    ]
    if not parts:
        return np.zeros((0, int(model.output_shape[-1])))
    return np.concatenate(parts)


class _LossCall:
    """`(model(x, training=False), the compiled loss of those outputs on labels y)`."""

    def __init__(self, model: Any):
        self.model = weakref.ref(model)

    def __call__(self, x, y):
        model = self.model()
        outputs = model(x, training=False)
        return outputs, model.compute_loss(x, y, outputs, training=False)


def loss_call(model) -> Any:
    """`_LossCall` as a cached graph function of (N, H, W, C) float32 images and (N,)
    int64 labels; the model must be compiled."""

    def make():
        import tensorflow as tf

        image = tf.TensorSpec((None, *model.input_shape[1:]), tf.float32)
        label = tf.TensorSpec((None,), tf.int64)
        return tf.function(_LossCall(model), input_signature=[image, label])

    return cached(model, "loss", make)


def predict_with_loss(
    model, images: np.ndarray, labels: np.ndarray, *, batch_size: int = 256
) -> tuple[np.ndarray, float]:
    """The model's raw outputs for many images and its compiled loss on them, from
    one pass in batches.

    Args:
        model: a compiled Keras model.
        images: float pixels of shape (N, H, W, C), already rescaled; N > 0.
        labels: int ndarray of shape (N,).
        batch_size: images per forward pass.

    Returns:
        (float64 ndarray of shape (N, units), the loss: the mean over the images of the
        compiled loss, plus any regularization losses, as Keras's `evaluate` reports it).
    """
    call = loss_call(model)
    parts, total = [], 0.0
    for i in range(0, len(images), batch_size):
        x = np.asarray(images[i : i + batch_size], np.float32)
        outputs, loss = call(x, np.asarray(labels[i : i + batch_size], np.int64))
        parts.append(np.asarray(outputs, np.float64))
        total += float(loss) * len(x)
    return np.concatenate(parts), total / len(images)
