"""Splits of a dataset held in memory, and the stratified rules that make them.

A `Split` is uint8 images with their labels. Every source without a test split of its
own gets a fixed one (`TEST_FRACTION` of each class, always the same images); `limit`
keeps a stratified subset; `split_validation` holds out part of the training images.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz import checks
from cnnviz.errors import CnnvizError

__all__ = [
    "SPLIT_SEED",
    "TEST_FRACTION",
    "Split",
    "fixed_split",
    "held_out",
    "limit_splits",
    "split_validation",
    "stratified_split",
    "stratified_subset",
]

TEST_FRACTION = 0.2  # share of each class kept for testing when a source has no test split
SPLIT_SEED = 0  # the train/test split is fixed: every run of a dataset sees the same one


@dataclass(frozen=True, eq=False)
class Split:
    """One split held in memory.

    Attributes:
        images: ndarray of shape (N, H, W, C), uint8, values 0-255.
        labels: ndarray of shape (N,), int64 class indices.
    """

    images: np.ndarray
    labels: np.ndarray

    def __post_init__(self):
        images, labels = np.asarray(self.images), np.asarray(self.labels)
        if images.dtype != np.uint8 or images.ndim != 4:
            raise CnnvizError(
                "a split holds uint8 images of shape (N, H, W, C). "
                f"Received: dtype={images.dtype}, shape={images.shape}"
            )
        if labels.shape != (len(images),):
            raise CnnvizError(
                f"a split needs one label per image. Received: images={len(images)}, "
                f"labels shape={labels.shape}"
            )
        object.__setattr__(self, "images", images)
        object.__setattr__(self, "labels", labels.astype(np.int64, copy=False))

    def __len__(self) -> int:
        return len(self.labels)

    def take(self, indices: np.ndarray) -> Split:
        """The images at `indices` (ndarray of shape (k,), int), in that order."""
        return Split(self.images[indices], self.labels[indices])


def held_out(count: int, fraction: float) -> int:
    """How many of a class's `count` images a stratified split holds out: `fraction` of
    them, at least 1 of a class with 2 or more, never all of one."""
    return 0 if count < 2 else min(max(round(count * fraction), 1), count - 1)


def stratified_split(
    labels: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (kept, held out): `held_out` of each class held out. Both sorted."""
    rng = np.random.default_rng(seed)
    kept, held = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        n_held = held_out(len(members), fraction)
        held.append(members[:n_held])
        kept.append(members[n_held:])
    empty = [np.zeros(0, np.int64)]
    return np.sort(np.concatenate(kept + empty)), np.sort(np.concatenate(held + empty))


def fixed_split(data: Split) -> tuple[Split, Split]:
    """(train, test): the fixed stratified test split of a source that has none."""
    train, test = stratified_split(data.labels, TEST_FRACTION, SPLIT_SEED)
    return data.take(train), data.take(test)


def stratified_subset(labels: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions of `n` of `labels`, classes in proportion, each present class at
    least once when `n` allows."""
    classes, counts = np.unique(labels, return_counts=True)
    if n >= len(labels):
        return np.arange(len(labels))
    base = np.ones_like(counts) if n >= len(classes) else np.zeros_like(counts)
    share = (counts - base) * (n - base.sum()) / max((counts - base).sum(), 1)
    quota = base + np.floor(share).astype(int)
    for i in np.argsort(-(share - np.floor(share)))[: n - quota.sum()]:
        quota[i] += 1
    picked = [
        rng.choice(np.flatnonzero(labels == c), q, replace=False) for c, q in zip(classes, quota)
    ]
    return np.sort(np.concatenate(picked))


def limit_splits(train: Split, test: Split, limit: int, seed: int) -> tuple[Split, Split]:
    """`limit` training images, stratified; the test split shrinks in proportion."""
    rng = np.random.default_rng(seed)
    n_test = max(1, round(len(test) * limit / len(train))) if len(test) else 0
    return (
        train.take(stratified_subset(train.labels, limit, rng)),
        test.take(stratified_subset(test.labels, n_test, rng)),
    )


def split_validation(split: Split, fraction: float, *, seed: int = 0) -> tuple[Split, Split]:
    """Hold out `fraction` of every class for validation.

    Returns:
        (train, validation): the rest and the held-out images, each in original order.
    """
    checks.between(
        fraction, "the validation fraction", 0, 1, low_open=True, high_open=True, what="e.g. 0.2"
    )
    keep, held = stratified_split(split.labels, fraction, seed)
    if len(held) == 0:
        raise CnnvizError(
            f"{len(split)} images are too few to hold out {fraction:.0%} for "
            "validation; use more images or a larger fraction"
        )
    return split.take(keep), split.take(held)
