"""Shared pieces of the data tests: the digits set, loaded once, and toy splits."""

import numpy as np

from cnnviz.data import (
    Split,
)


def toy_split(per_class=(10, 6, 4), shape=(4, 4, 1)) -> Split:
    labels = np.concatenate([np.full(n, c) for c, n in enumerate(per_class)])
    images = np.arange(len(labels) * np.prod(shape)).reshape(len(labels), *shape) % 256
    return Split(images.astype(np.uint8), labels)
