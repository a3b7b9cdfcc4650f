"""The lab's input pipeline: uint8 images rescaled to [0, 1], batched, augmented.

`rescale` is the one rule that turns pixels into a model's input, exactly as the lab's
`Rescaling(1./255)`; every room that feeds a model (training, evaluation, predicting on
an upload) uses it. TensorFlow is imported only when a pipeline is made.
"""

from __future__ import annotations

import numpy as np

from cnnviz import checks
from cnnviz.data.splits import Split
from cnnviz.errors import CnnvizError

__all__ = ["RESCALE", "make_pipeline", "rescale"]

RESCALE = 1.0 / 255  # the lab's Rescaling(1./255): uint8 0-255 -> float32 0-1


def rescale(images: np.ndarray) -> np.ndarray:
    """uint8 pixels 0-255 -> float32 0-1, as `Rescaling(1./255)`: any shape, same shape."""
    return np.asarray(images).astype(np.float32) * np.float32(RESCALE)


def make_pipeline(
    split: Split,
    *,
    batch_size: int,
    training: bool,
    augment=None,
    seed: int = 0,
    cache: bool = True,
):
    """The lab's input pipeline over a split.

    rescale (map) -> cache -> shuffle (training only) -> batch -> augment (training
    only) -> prefetch(AUTOTUNE).

    Args:
        split: the images and labels.
        batch_size: images per batch.
        training: shuffle every epoch and augment.
        augment: None, or a callable (a Keras layer) applied to float batches in
            [0, 1] with `training=True`.
        seed: shuffle seed.
        cache: keep the rescaled images in memory after the first epoch.

    Returns:
        a `tf.data.Dataset` of (images, labels): float32 of shape (B, H, W, C) in
        [0, 1], int64 of shape (B,).
    """
    checks.whole(batch_size, "batch_size", low=1)
    if augment is not None and not callable(augment):
        raise CnnvizError(f"augment is a Keras layer or None. Received: augment={augment!r}")
    if len(split) == 0:
        raise CnnvizError("the split has no images to feed a model")
    import tensorflow as tf

    autotune = tf.data.AUTOTUNE
    scale = tf.constant(RESCALE, tf.float32)
    ds = tf.data.Dataset.from_tensor_slices((split.images, split.labels))
    ds = ds.map(lambda x, y: (tf.cast(x, tf.float32) * scale, y), num_parallel_calls=autotune)
    if cache:
        ds = ds.cache()
    if training:
        ds = ds.shuffle(len(split), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    if training and augment is not None:
        ds = ds.map(lambda x, y: (augment(x, training=True), y), num_parallel_calls=autotune)
    return ds.prefetch(autotune)
