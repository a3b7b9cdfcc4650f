"""Predicting on a picture a user brings: any size, mode or format.

The picture is turned into the model's input exactly as training images were: decoded
by `cnnviz.images` (EXIF rotation applied, alpha composited on white, big JPEGs drafted
to a reduced scale), resized bilinearly to the model's (height, width), converted to
its channels, then rescaled by `cnnviz.data.rescale`. The model is called directly, as
a cached graph function, on a batch of one (no `model.predict`, whose set-up costs
more than the forward pass).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from cnnviz.errors import CnnvizError
from cnnviz.forward import image_batch, model_call
from cnnviz.images import ImageSource, open_image, to_array
from cnnviz.metrics import (
    THRESHOLD,
    ClassScore,
    class_probabilities,
    predicted_classes,
    top_classes,
)

__all__ = ["THRESHOLD", "Prediction", "predict", "predict_image", "prepare_image"]


@dataclass(frozen=True)
class Prediction:
    """A model's answer for one image.

    Attributes:
        image: how the image is called (file name or a caption).
        probabilities: ndarray of shape (n_classes,); a sigmoid head gives [1 - p, p].
        label: the predicted class index; name its class name.
        top: the most probable classes, most probable first.
        binary: True for a one-unit sigmoid head (answered with `metrics.THRESHOLD`).
    """

    image: str
    probabilities: np.ndarray
    label: int
    name: str
    top: tuple[ClassScore, ...]
    binary: bool

    @property
    def probability(self) -> float:
        """The probability of the predicted class."""
        return float(self.probabilities[self.label])

    def to_dict(self) -> dict[str, Any]:
        """The `predict --json` entry: {"image", "top": [{"class", "index", "probability"}]}."""
        return {"image": self.image, "top": [score.to_dict() for score in self.top]}


def prepare_image(
    source: ImageSource, image_shape: tuple[int, int, int], *, name: str | None = None
) -> np.ndarray:
    """A user's image as the model's input, converted as training images were.

    Args:
        source: a path, raw bytes or a binary file object (PNG, JPEG, WebP, GIF, BMP).
        image_shape: the model's (height, width, channels), channels 1 or 3.
        name: how to call the image in messages.

    Returns:
        float32 ndarray of shape (height, width, channels) with values in [0, 1].

    Raises:
        CnnvizError: not an image, damaged, too large, or an unusable image_shape.
    """
    from cnnviz.data.pipeline import rescale

    height, width, channels = (int(v) for v in image_shape)
    if channels not in (1, 3):
        raise CnnvizError(
            f"cnnviz predicts on grayscale (1 channel) or colour (3 channel) models. "
            f"Received: input_shape={[height, width, channels]}"
        )
    image = open_image(source, name=name, draft_size=(width, height))
    pixels = to_array(image, size=(height, width), channels=channels)
    return np.asarray(rescale(pixels), dtype=np.float32)


def predict(
    model, image: np.ndarray, class_names: list[str], *, top_k: int = 3, caption: str = "image"
) -> Prediction:
    """The model's answer for one image that is already the model's input.

    Args:
        model: a trained Keras model with a softmax or one-unit sigmoid head.
        image: float32 pixels of shape (H, W, C), rescaled as in training.
        class_names: one name per class (two for a sigmoid head).
        top_k: how many classes to list (capped at the number of classes).
        caption: how to call the image in the answer.

    Raises:
        CnnvizError: the image does not fit the model, or class names do not fit
            its head.
    """
    outputs = np.asarray(model_call(model)(image_batch(model, image)))
    binary = outputs.shape[-1] == 1
    probabilities = class_probabilities(outputs)[0]
    if len(class_names) != len(probabilities):
        raise CnnvizError(
            f"the model gives {len(probabilities)} class probabilities but "
            f"{len(class_names)} class names were given: {list(class_names)[:10]}"
        )
    label = int(predicted_classes(outputs)[0])
    top = top_classes(probabilities, class_names, k=top_k, predicted=label)
    return Prediction(caption, probabilities, label, str(class_names[label]), tuple(top), binary)


def predict_image(
    model,
    source: ImageSource,
    *,
    image_shape: tuple[int, int, int],
    class_names: list[str],
    top_k: int = 3,
    name: str | None = None,
) -> Prediction:
    """`prepare_image` then `predict`: the answer for a user's image file or bytes.

    Args:
        model: a trained Keras model.
        source: a path, raw bytes or a binary file object.
        image_shape: the model's (height, width, channels).
        class_names: one name per class.
        top_k: how many classes to list.
        name: how to call the image (default its path or file name).
    """
    if name is None:
        is_path = isinstance(source, (str, os.PathLike))
        name = str(source) if is_path else getattr(source, "name", None)
    pixels = prepare_image(source, image_shape, name=name)
    return predict(model, pixels, class_names, top_k=top_k, caption=str(name or "image"))
