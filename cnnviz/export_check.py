"""What an export is checked with before it is written: the run's test images, and the
comparison of the export's outputs with the Keras model's.

An export passes when, on up to `MAX_IMAGES` test images, no output differs from Keras's
by more than `TOLERANCE` and every image gets the same answer by the one rule of
`cnnviz.metrics.predicted_classes` (a sigmoid's threshold, a softmax's most probable
class). The images are read as `cnnviz.evaluate.run_dataset` reads them for the Inspect
page, from this machine's copy of the dataset: a check never downloads one.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from cnnviz.checks import received
from cnnviz.errors import CnnvizError
from cnnviz.metrics import predicted_classes

__all__ = ["MAX_IMAGES", "TOLERANCE", "check_images", "compare"]

TOLERANCE = 1e-4  # the largest |exported - Keras| output accepted
MAX_IMAGES = 256  # test images an export is checked on


def compare(expected: np.ndarray, exported: np.ndarray, *, what: str) -> tuple[float, float]:
    """The largest output difference and the share of equal answers, checked.

    Args:
        expected: Keras's outputs, shape (N, units).
        exported: the export's outputs for the same images, shape (N, units).
        what: the export, for the message, e.g. "the LiteRT export of run X".

    Returns:
        (max |exported - expected|, share of images with the same predicted class).

    Raises:
        CnnvizError: other shapes, a difference beyond TOLERANCE (or not finite), or
            any changed answer.
    """
    expected, exported = np.asarray(expected), np.asarray(exported)
    if expected.shape != exported.shape:
        raise CnnvizError(
            f"{what} returns outputs of shape {list(exported.shape)} where Keras returns "
            f"{list(expected.shape)}; nothing was written. "
            + received("output_shape", list(exported.shape))
        )
    n = len(expected)
    diff = float(np.max(np.abs(expected.astype(np.float64) - exported))) if n else 0.0
    same = predicted_classes(expected) == predicted_classes(exported)
    agreement = float(np.mean(same)) if n else 1.0
    if not np.isfinite(diff) or diff > TOLERANCE or not same.all():
        raise CnnvizError(
            f"{what} does not match the Keras model on {n} test images: its outputs differ "
            f"by up to {diff:.1e} (at most {TOLERANCE:.0e} is allowed) and {n - int(same.sum())}"
            f" of {n} answers changed; nothing was written. "
            f"Received: max_abs_diff={diff:.3g}, argmax_agreement={agreement:.3g}"
        )
    return diff, agreement


def check_images(run, max_images: int, *, required: bool = True) -> np.ndarray | None:
    """The first `max_images` test images of the run, uint8 (N, H, W, C), read from the
    machine's copy of its dataset (never downloaded); None when not `required` and the
    dataset cannot be read."""
    from cnnviz.data import load_dataset
    from cnnviz.evaluate import run_dataset

    try:
        images = run_dataset(run, load=partial(load_dataset, download=False)).test.images
    except CnnvizError as err:
        if not required:
            return None
        raise CnnvizError(
            f"an export is checked on the run's test images, and they cannot be read: {err}"
        ) from None
    if not len(images):
        raise CnnvizError(f"run {run.id} has no test images to check the export on")
    return np.asarray(images[:max_images])
