"""A dataset in memory: what it is (`DatasetInfo`) and its splits (`Dataset`).

Every source's loader returns a `Loaded` record; `finish` turns it into a `Dataset`
(resized and limited as asked, with counts per class and warnings).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cnnviz import checks
from cnnviz.data.splits import Split, limit_splits
from cnnviz.errors import CnnvizError
from cnnviz.images import resize

__all__ = ["DEFAULT_IMAGE_SIZE", "Dataset", "DatasetInfo", "Loaded", "check_memory", "finish"]

DEFAULT_IMAGE_SIZE = (64, 64)  # (height, width) for images of many sizes (folders)
IMBALANCE_RATIO = 3.0  # largest class this many times the smallest: warn
MAX_DATASET_BYTES = 3 * 2**30  # pixels held in memory for one dataset


@dataclass(frozen=True, eq=False)
class Loaded:
    """What a source's loader returns.

    Attributes:
        description: one line for people.
        class_names: one name per class, in class-index order.
        train, test: the splits, uint8 images of one shape.
        warnings: what was skipped or ignored while loading, one message each.
    """

    description: str
    class_names: tuple[str, ...]
    train: Split
    test: Split
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset is: shape, classes, counts per split and class, warnings.

    Attributes:
        id: the dataset id, e.g. "digits", "tfds:fashion_mnist", "folder:/x/y.zip".
        description: one line for people.
        image_shape: (height, width, channels) of every image.
        class_names: one string per class, e.g. "0".."9" for digits.
        counts: images per split, {"train": n, "test": n}.
        per_class: images per class and split, {"train": [n0, n1, ...], "test": [...]}.
        warnings: class imbalance, skipped files (named), ignored archive members...
    """

    id: str
    description: str
    image_shape: tuple[int, int, int]
    class_names: tuple[str, ...]
    counts: dict[str, int]
    per_class: dict[str, list[int]]
    warnings: tuple[str, ...] = ()

    @property
    def num_classes(self) -> int:
        """Number of classes."""
        return len(self.class_names)

    def to_dict(self) -> dict[str, Any]:
        """The `data-info --json` document (plus "description" and "warnings")."""
        return {
            "id": self.id,
            "description": self.description,
            "image_shape": list(self.image_shape),
            "num_classes": self.num_classes,
            "class_names": list(self.class_names),
            "splits": {
                name: {"count": self.counts[name], "per_class": list(self.per_class[name])}
                for name in self.counts
            },
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True, eq=False)
class Dataset:
    """A dataset in memory: its info and its train and test splits."""

    info: DatasetInfo
    train: Split
    test: Split

    def samples(
        self, per_class: int = 4, *, split: str = "train", seed: int = 0
    ) -> dict[int, np.ndarray]:
        """A few images of every class, chosen at random (repeatably with `seed`).

        Returns:
            class index -> ndarray of shape (k, H, W, C), uint8, k <= per_class (fewer
            when the class has fewer images in the split).
        """
        checks.one_of(split, "split", ("train", "test"))
        checks.whole(per_class, "per_class", low=1)
        data = self.train if split == "train" else self.test
        rng = np.random.default_rng(seed)
        chosen = {}
        for index in range(self.info.num_classes):
            members = np.flatnonzero(data.labels == index)
            picked = rng.permutation(members)[:per_class]
            chosen[index] = data.images[np.sort(picked)]
        return chosen


def check_memory(count: int, shape: tuple[int, ...]) -> None:
    """Refuse to hold `count` uint8 images of `shape` when they exceed MAX_DATASET_BYTES."""
    needed = count * int(np.prod(shape))
    if needed > MAX_DATASET_BYTES:
        raise CnnvizError(
            f"{count:,} images of {'x'.join(map(str, shape))} need {needed / 2**30:.1f} GiB, "
            f"more than the {MAX_DATASET_BYTES / 2**30:.0f} GiB allowed; use --limit or a "
            "smaller image size"
        )


def _resize(split: Split, size: tuple[int, int]) -> Split:
    check_memory(len(split), (*size, split.images.shape[3]))
    images = np.empty((len(split), *size, split.images.shape[3]), dtype=np.uint8)
    for i, image in enumerate(split.images):
        images[i] = resize(image, size)
    return Split(images, split.labels)


def finish(
    dataset_id: str,
    loaded: Loaded,
    *,
    size: tuple[int, int] | None = None,
    limit: int | None = None,
    seed: int = 0,
) -> Dataset:
    """The loaded splits as a Dataset: resized to `size`, at most `limit` training images
    (stratified; the test split shrinks in proportion), counted and checked."""
    train, test = loaded.train, loaded.test
    if size is not None and train.images.shape[1:3] != size:
        train, test = _resize(train, size), _resize(test, size)
    if limit is not None and len(train) > limit:
        train, test = limit_splits(train, test, limit, seed)
    names = tuple(loaded.class_names)
    k = len(names)
    per_class = {
        "train": np.bincount(train.labels, minlength=k).tolist(),
        "test": np.bincount(test.labels, minlength=k).tolist(),
    }
    info = DatasetInfo(
        id=dataset_id,
        description=loaded.description,
        image_shape=tuple(int(d) for d in train.images.shape[1:]),
        class_names=names,
        counts={"train": len(train), "test": len(test)},
        per_class=per_class,
        warnings=(*_balance_warnings(names, per_class["train"]), *loaded.warnings),
    )
    return Dataset(info, train, test)


def _balance_warnings(class_names, counts: list[int]) -> list[str]:
    if not counts or not any(counts):
        return []
    empty = [str(class_names[i]) for i, c in enumerate(counts) if c == 0]
    if empty:
        return [f"no training images for class(es) {', '.join(empty[:10])}"]
    large, small = int(np.argmax(counts)), int(np.argmin(counts))
    if counts[large] > IMBALANCE_RATIO * counts[small]:
        return [
            f"classes are badly imbalanced: {class_names[large]!s} has {counts[large]:,} "
            f"training images, {class_names[small]!s} only {counts[small]:,}; accuracy "
            "alone will flatter the model (look at the confusion matrix)"
        ]
    return []
