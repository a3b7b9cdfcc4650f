"""Grad-CAM: where in the image a model looked to choose a class.

Selvaraju et al. (2017): weight each feature map of a convolution layer by the mean
gradient of the class score over that map, add them up, keep the positive part. The
class score is the value before the head's softmax or sigmoid (a Dense head's logit),
as in the paper, so a confident prediction still has useful gradients.

Works for any model a spec can express: functional models from `build_model` and
Keras Sequential stacks alike (both have a symbolic input and per-layer outputs), and
any layer inside a pretrained backbone (`cnnviz.build.all_layers`).
"""

from __future__ import annotations

import numpy as np

from cnnviz.build import all_layers, is_nested, model_layers
from cnnviz.errors import CnnvizError
from cnnviz.features import conv_layer_names
from cnnviz.forward import cached, image_batch, model_call, tapped
from cnnviz.metrics import predicted_classes

__all__ = ["default_layer", "grad_cam", "grad_cam_layers", "grad_cams"]


def grad_cam_layers(model) -> list[str]:
    """Layers Grad-CAM can look at: every layer with (h, w, channels) outputs, a
    backbone's own layers too."""
    return [l.name for l in all_layers(model) if len(l.output.shape) == 4]


def default_layer(model) -> str:
    """The last convolution of the spec's own layers, else the output of its pretrained
    backbone (all of its last maps), else the last layer with feature maps.

    Raises:
        CnnvizError: no layer of the model has feature maps.
    """
    convs = conv_layer_names(model, inside_backbones=False)
    if convs:
        return convs[-1]
    nested = [l for l in model_layers(model) if is_nested(l)]
    if nested:
        return all_layers(nested[-1])[-1].name
    spatial = grad_cam_layers(model)
    if not spatial:
        raise CnnvizError(
            "Grad-CAM needs a layer with feature maps (a Conv2D or pooling layer); "
            "this model has none"
        )
    return spatial[-1]


def _score_model(model, layer_name: str):
    """A function giving [the layer's maps, the head's input] (cached per model, layer)."""

    def make():
        top = model_layers(model)
        if len(top) == 1:  # the head's input is the image
            maps = tapped(model, [layer_name])
            return lambda x: [maps(x)[0], x]
        return tapped(model, [layer_name, top[-2].name])

    return cached(model, ("grad-cam", layer_name), make)


def _logits(head, head_input):
    """Pre-activation class scores of the head: x @ W + b for a Dense head."""
    if type(head).__name__ == "Dense":
        logits = head_input @ head.kernel
        return logits + head.bias if head.use_bias else logits
    return head_input  # an Activation head: its input is the scores


class _Gradients:
    """(the layer's maps, the gradient of each image's class score over its own maps)
    for a batch of images, one class per image: the images do not mix at inference, so
    the gradient of the sum of their scores is each one's own.

    A callable object, not a closure: TensorFlow counts traces per function code, and
    one trace per model of the same closure would read as needless retracing."""

    def __init__(self, scores, head, binary: bool):
        self.scores, self.head, self.binary = scores, head, binary

    def __call__(self, batch, classes):
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(batch)  # records every step from the image, through frozen layers too
            maps, head_input = self.scores(batch)
            tape.watch(maps)
            logits = _logits(self.head, head_input)
            if self.binary:  # class 1 is the logit, class 0 its opposite
                score = tf.where(classes == 1, logits[:, 0], -logits[:, 0])
            else:
                score = tf.gather(logits, classes, axis=1, batch_dims=1)
            total = tf.reduce_sum(score)
        return maps, tape.gradient(total, maps)


def _gradients(model, layer_name: str):
    """`_Gradients` as a graph function of (batch, class per image), traced once per
    model and layer: an eager GradientTape costs ~10x the small CNN's forward and
    backward."""

    def make():
        import tensorflow as tf

        call = _Gradients(
            _score_model(model, layer_name), model.layers[-1], int(model.output_shape[-1]) == 1
        )
        signature = [
            tf.TensorSpec((None, *model.input_shape[1:]), tf.float32),
            tf.TensorSpec((None,), tf.int32),
        ]
        return tf.function(call, input_signature=signature)

    return cached(model, ("grad-cam gradients", layer_name), make)


def grad_cam(
    model,
    image: np.ndarray,
    *,
    layer_name: str | None = None,
    class_index: int | None = None,
    upsample: bool = True,
) -> np.ndarray:
    """The Grad-CAM heatmap of one image.

    Args:
        model: a Keras model ending in a softmax or sigmoid head.
        image: float pixels as the model takes them, shape (H, W, C) or (1, H, W, C).
        layer_name: the layer to explain; default the last convolution.
        class_index: the class to explain; default the predicted class (one forward
            pass more: pass it when it is known). For a one-unit sigmoid head, 1 is the
            positive class and 0 the other.
        upsample: resize to the image's (H, W) (bilinear); False keeps the layer's
            (h, w).

    Returns:
        float32 ndarray of shape (H, W) (or (h, w)) with values in [0, 1]; all zero
        when nothing in the layer speaks for the class.

    Raises:
        CnnvizError: wrong image shape, unknown layer, or class index out of range.
    """
    batch = image_batch(model, image)
    if class_index is None:  # the predicted class, by the one rule
        class_index = int(predicted_classes(np.asarray(model_call(model)(batch)))[0])
    return grad_cams(model, batch, [class_index], layer_name=layer_name, upsample=upsample)[0]


def grad_cams(
    model,
    images: np.ndarray,
    classes,
    *,
    layer_name: str | None = None,
    upsample: bool = True,
) -> np.ndarray:
    """The Grad-CAM heatmaps of a batch of images, each for its own known class, in one
    call of the model (the classes come from an evaluation: no forward pass to find them).

    Args:
        model, layer_name, upsample: as for `grad_cam`.
        images: float pixels as the model takes them, shape (N, H, W, C).
        classes: N class indices, one per image.

    Returns:
        float32 ndarray of shape (N, H, W) (or (N, h, w)) with values in [0, 1].

    Raises:
        CnnvizError: wrong image shape, unknown layer, or a class index out of range.
    """
    import tensorflow as tf

    batch = np.asarray(images, np.float32)
    if batch.ndim != 4 or tuple(batch.shape[1:]) != tuple(model.input_shape[1:]):
        raise CnnvizError(
            f"grad_cams takes images of shape (N, {', '.join(map(str, model.input_shape[1:]))})"
            f". Received: shape={list(batch.shape)}"
        )
    name = layer_name or default_layer(model)
    allowed = grad_cam_layers(model)
    if name not in allowed:
        raise CnnvizError(
            f"Grad-CAM needs a layer with feature maps; {name!r} is not one. Choose "
            f"one of: {', '.join(allowed) or 'none (the model has no such layer)'}"
        )
    units = int(model.output_shape[-1])
    chosen = np.array([_chosen_class(units, int(c)) for c in classes], np.int32)
    if len(chosen) != len(batch):
        raise CnnvizError(
            f"grad_cams needs one class per image. Received: images={len(batch)}, "
            f"classes={len(chosen)}"
        )
    if not len(batch):
        return np.zeros((0, *(batch.shape[1:3] if upsample else (0, 0))), np.float32)
    maps, grads = (t.numpy() for t in _gradients(model, name)(batch, tf.constant(chosen)))
    weights = grads.mean(axis=(1, 2))  # (N, channels)
    cams = np.maximum(np.einsum("nhwc,nc->nhw", maps, weights), 0.0)
    top = cams.max(axis=(1, 2), keepdims=True)
    cams = np.divide(cams, top, out=np.zeros_like(cams), where=top > 0).astype(np.float32)
    if upsample:
        cams = tf.image.resize(cams[..., None], batch.shape[1:3], method="bilinear").numpy()
        cams = np.clip(cams[..., 0], 0.0, 1.0)
    return cams


def _chosen_class(units: int, class_index: int) -> int:
    classes = 2 if units == 1 else units
    if not isinstance(class_index, (int, np.integer)) or not 0 <= class_index < classes:
        raise CnnvizError(
            f"class_index must be 0..{classes - 1} for this model. "
            f"Received: class_index={class_index!r}"
        )
    return int(class_index)
