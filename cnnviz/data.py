"""Datasets: one registry, four sources, the same `Dataset` and `tf.data` pipeline.

Ids: `digits` (scikit-learn's 8x8 digits, offline), `shapes` / `shapes:N` (generated,
offline), `tfds:NAME` (TensorFlow Datasets, through the real `tfds.load`) and
`folder:PATH` (a folder or .zip of class sub-folders). Every loader returns uint8
images in 0-255 of one fixed shape; `make_pipeline` rescales them to [0, 1] exactly as
the lab does. TensorFlow and TFDS are imported only when a pipeline or a TFDS set is
needed, so importing this module stays fast.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from cnnviz import archive
from cnnviz.errors import CnnvizError
from cnnviz.shapes_data import SHAPE_NAMES, generate_shapes

__all__ = [
    "RESCALE",
    "Dataset",
    "DatasetInfo",
    "Split",
    "list_datasets",
    "load_dataset",
    "make_pipeline",
    "rescale",
    "split_validation",
]

RESCALE = 1.0 / 255  # the lab's Rescaling(1./255): uint8 0-255 -> float32 0-1
DEFAULT_SHAPES = 2_000  # images in `shapes`
MAX_SHAPES = 100_000
FOLDER_IMAGE_SIZE = (64, 64)  # (height, width) a folder's images are resized to
TEST_FRACTION = 0.2  # share of each class kept for testing when a source has no test split
SPLIT_SEED = 0  # the train/test split is fixed: every run of a dataset sees the same one
IMBALANCE_RATIO = 3.0  # largest class this many times the smallest: warn
MAX_DATASET_BYTES = 3 * 2**30  # pixels held in memory for one dataset
IMAGE_SIDE_RANGE = (8, 512)
TFDS_SETS = {
    "horses_or_humans": "TFDS horses or humans: 1,283 rendered 300x300 colour images, "
    "2 classes (binary)",
    "fashion_mnist": "TFDS Fashion-MNIST: 70,000 28x28 grayscale clothing images, 10 classes",
    "cifar10": "TFDS CIFAR-10: 60,000 32x32 colour photos, 10 classes",
    "cifar100": "TFDS CIFAR-100: 60,000 32x32 colour photos, 100 classes",
    "mnist": "TFDS MNIST: 70,000 28x28 grayscale handwritten digits, 10 classes",
}
_BUILTINS = {
    "digits": "scikit-learn's handwritten digits: 1,797 8x8 grayscale images, 10 classes (offline)",
    "shapes": f"generated 32x32 colour shapes, 4 classes ({', '.join(SHAPE_NAMES)}), "
    f"{DEFAULT_SHAPES:,} images; shapes:N for N (offline)",
}


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
                "a split holds uint8 images of shape (N, H, W, C); received "
                f"dtype {images.dtype}, shape {images.shape}"
            )
        if labels.shape != (len(images),):
            raise CnnvizError(
                f"a split needs one label per image; received {len(images)} images and "
                f"labels of shape {labels.shape}"
            )
        object.__setattr__(self, "images", images)
        object.__setattr__(self, "labels", labels.astype(np.int64, copy=False))

    def __len__(self) -> int:
        return len(self.labels)

    def take(self, indices: np.ndarray) -> Split:
        """The images at `indices` (ndarray of shape (k,), int), in that order."""
        return Split(self.images[indices], self.labels[indices])


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
        if split not in ("train", "test"):
            raise CnnvizError(f'split is "train" or "test"; received {split!r}')
        _check_int("per_class", per_class, low=1)
        data = self.train if split == "train" else self.test
        rng = np.random.default_rng(seed)
        chosen = {}
        for index in range(self.info.num_classes):
            members = np.flatnonzero(data.labels == index)
            picked = rng.permutation(members)[:per_class]
            chosen[index] = data.images[np.sort(picked)]
        return chosen


def list_datasets() -> list[tuple[str, str]]:
    """(id, description) of the built-in sets and the TFDS sets of the CNN lab."""
    return [*_BUILTINS.items(), *((f"tfds:{k}", v) for k, v in TFDS_SETS.items())]


def load_dataset(
    dataset_id: str,
    *,
    data_dir: str | None = None,
    limit: int | None = None,
    image_size: tuple[int, int] | None = None,
    seed: int = 0,
    download: bool | None = None,
) -> Dataset:
    """Load a dataset into memory.

    Args:
        dataset_id: "digits", "shapes", "shapes:N", "tfds:NAME" or "folder:PATH".
        data_dir: TFDS cache directory (default: $TFDS_DATA_DIR, else TFDS's own).
        limit: at most this many training images: a stratified random subset; the
            test split shrinks in proportion.
        image_size: (height, width) to resize to. Folders default to 64x64; the
            others keep their native size.
        seed: chooses the `limit` subset (the train/test split itself is fixed).
        download: for a TFDS set not in `data_dir`: True downloads it, False never
            does, None (default) downloads only when the download server answers
            within seconds, so an offline machine fails fast with a clear message.

    Raises:
        CnnvizError: unknown id (with close matches), bad argument, unreadable folder,
            or a TFDS set that is not cached and cannot be downloaded.
    """
    if not isinstance(dataset_id, str) or not dataset_id.strip():
        raise CnnvizError(f"a dataset id is a non-empty string; received {dataset_id!r}")
    if limit is not None:
        _check_int("limit", limit, low=1)
    size = None if image_size is None else _check_image_size(image_size)
    kind, _, rest = dataset_id.strip().partition(":")
    if kind == "digits" and not rest:
        loaded = _load_digits()
    elif kind == "shapes":
        loaded = _load_shapes(rest)
    elif kind == "tfds" and rest:
        from cnnviz.tfds_data import load_tfds  # imports TensorFlow: only when asked

        loaded = load_tfds(rest, data_dir, size, download)
    elif kind == "folder" and rest:
        loaded = _load_folder(rest, size or FOLDER_IMAGE_SIZE, limit, seed)
    else:
        raise _unknown_dataset(dataset_id)
    description, class_names, train, test, warnings = loaded
    if size is not None and train.images.shape[1:3] != size:
        train, test = _resize(train, size), _resize(test, size)
    if limit is not None and len(train) > limit:
        train, test = _limit(train, test, limit, seed)
    info = _make_info(dataset_id.strip(), description, class_names, train, test, warnings)
    return Dataset(info, train, test)


def split_validation(split: Split, fraction: float, *, seed: int = 0) -> tuple[Split, Split]:
    """Hold out `fraction` of every class for validation.

    Returns:
        (train, validation): the rest and the held-out images, each in original order.
    """
    if (
        isinstance(fraction, bool)
        or not isinstance(fraction, (int, float))
        or not (0 < fraction < 1)
    ):
        raise CnnvizError(
            f"the validation fraction is a number between 0 and 1, e.g. 0.2; received {fraction!r}"
        )
    keep, held = _stratified_split(split.labels, fraction, seed)
    if len(held) == 0:
        raise CnnvizError(
            f"{len(split)} images are too few to hold out {fraction:.0%} for "
            "validation; use more images or a larger fraction"
        )
    return split.take(keep), split.take(held)


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
    _check_int("batch_size", batch_size, low=1)
    if augment is not None and not callable(augment):
        raise CnnvizError(f"augment is a Keras layer or None; received {augment!r}")
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


# --- built-in sets ------------------------------------------------------------------


def _load_digits():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = np.round(bunch.images * (255 / 16)).astype(np.uint8)[..., None]
    labels = bunch.target.astype(np.int64)
    train, test = _fixed_split(Split(images, labels))
    names = tuple(str(n) for n in bunch.target_names)
    return _BUILTINS["digits"], names, train, test, ()


def _load_shapes(count: str):
    n = DEFAULT_SHAPES
    if count:
        if not count.isdigit() or not 8 <= int(count) <= MAX_SHAPES:
            raise CnnvizError(
                f"shapes:N takes a number of images N from 8 to {MAX_SHAPES:,}, e.g. "
                f"shapes:500; received 'shapes:{count}'"
            )
        n = int(count)
    images, labels = generate_shapes(n, seed=SPLIT_SEED)
    train, test = _fixed_split(Split(images, labels))
    description = (
        f"generated 32x32 colour shapes ({', '.join(SHAPE_NAMES)}) at random "
        f"places, sizes, angles and colours: {n:,} images (offline)"
    )
    return description, SHAPE_NAMES, train, test, ()


# --- folders ------------------------------------------------------------------------


def _load_folder(path: str, size: tuple[int, int], limit: int | None, seed: int):
    with archive.ClassFolders(path) as folders:
        if len(folders.classes) < 2:
            raise _too_few_classes(folders)
        labels = np.array([folders.classes.index(e.class_name) for e in folders.entries])
        chosen = np.arange(len(labels))
        if limit is not None:  # decode only what the limit keeps, plus room for a test split
            wanted = math.ceil(limit / (1 - TEST_FRACTION)) + len(folders.classes)
            chosen = _stratified_subset(labels, wanted, np.random.default_rng(seed))
        _check_memory(len(chosen), (*size, 3))
        images, kept, skipped = archive.decode_images(
            folders, [folders.entries[i] for i in chosen], size=size
        )
        warnings = (*folders.warnings, *(f"skipped {message}" for message in skipped))
    readable = Split(images, labels[chosen[kept]])
    if len(np.unique(readable.labels)) < 2:
        listed = "; ".join(skipped[:3]) + (
            f" (and {len(skipped) - 3} more)" if len(skipped) > 3 else ""
        )
        found = "no readable images" if len(readable) == 0 else "readable images of one class only"
        raise CnnvizError(f"{path} has {found}: {listed}")
    train, test = _fixed_split(readable)
    description = (
        f"images from {path}: {len(folders.classes)} class folders, resized to {size[0]}x{size[1]}"
    )
    return description, folders.classes, train, test, warnings


def _too_few_classes(folders: archive.ClassFolders) -> CnnvizError:
    found = (
        f"only one, {folders.classes[0]!r}" if folders.classes else "no images in class sub-folders"
    )
    notes = f" ({'; '.join(folders.warnings)})" if folders.warnings else ""
    return CnnvizError(
        f"{folders.path} needs at least 2 class sub-folders of images and has {found}"
        f"{notes}; {archive.LAYOUT_HINT}"
    )


# --- splitting, limiting, resizing --------------------------------------------------


def _stratified_split(
    labels: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (kept, held out): `fraction` of each class held out, at least 1 of any
    class with 2 or more images, never all of one. Both sorted."""
    rng = np.random.default_rng(seed)
    kept, held = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        n = len(members)
        n_held = 0 if n < 2 else min(max(round(n * fraction), 1), n - 1)
        held.append(members[:n_held])
        kept.append(members[n_held:])
    empty = [np.zeros(0, np.int64)]
    return np.sort(np.concatenate(kept + empty)), np.sort(np.concatenate(held + empty))


def _fixed_split(data: Split) -> tuple[Split, Split]:
    train, test = _stratified_split(data.labels, TEST_FRACTION, SPLIT_SEED)
    return data.take(train), data.take(test)


def _stratified_subset(labels: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
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


def _limit(train: Split, test: Split, limit: int, seed: int) -> tuple[Split, Split]:
    """`limit` training images, stratified; the test split shrinks in proportion."""
    rng = np.random.default_rng(seed)
    n_test = max(1, round(len(test) * limit / len(train))) if len(test) else 0
    return (
        train.take(_stratified_subset(train.labels, limit, rng)),
        test.take(_stratified_subset(test.labels, n_test, rng)),
    )


def _resize(split: Split, size: tuple[int, int]) -> Split:
    _check_memory(len(split), (*size, split.images.shape[3]))
    images = np.empty((len(split), *size, split.images.shape[3]), dtype=np.uint8)
    for i, image in enumerate(split.images):
        images[i] = resize_image(image, size)
    return Split(images, split.labels)


def resize_image(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """One (H, W, C) uint8 image resized (bilinear) to (size[0], size[1], C)."""
    channels = image.shape[2]
    picture = Image.fromarray(image[..., 0] if channels == 1 else image)
    array = np.asarray(picture.resize((size[1], size[0]), Image.Resampling.BILINEAR))
    return array.reshape(*size, channels)


# --- info and checks ----------------------------------------------------------------


def _make_info(
    dataset_id: str, description: str, class_names, train: Split, test: Split, warnings
) -> DatasetInfo:
    k = len(class_names)
    per_class = {
        "train": np.bincount(train.labels, minlength=k).tolist(),
        "test": np.bincount(test.labels, minlength=k).tolist(),
    }
    shape = tuple(int(d) for d in train.images.shape[1:])
    return DatasetInfo(
        id=dataset_id,
        description=description,
        image_shape=shape,
        class_names=tuple(class_names),
        counts={"train": len(train), "test": len(test)},
        per_class=per_class,
        warnings=(*_balance_warnings(class_names, per_class["train"]), *warnings),
    )


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


def _check_int(name: str, value: Any, *, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise CnnvizError(f"{name} is a whole number >= {low}; received {value!r}")


def _check_image_size(image_size: Any) -> tuple[int, int]:
    low, high = IMAGE_SIDE_RANGE
    try:
        height, width = image_size
        ok = all(
            not isinstance(v, bool) and isinstance(v, (int, np.integer)) and low <= v <= high
            for v in (height, width)
        )
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise CnnvizError(
            f"image_size is (height, width) in pixels, each from {low} to {high}, e.g. "
            f"(64, 64); received {image_size!r}"
        )
    return int(height), int(width)


def _check_memory(count: int, shape: tuple[int, ...]) -> None:
    needed = count * int(np.prod(shape))
    if needed > MAX_DATASET_BYTES:
        raise CnnvizError(
            f"{count:,} images of {'x'.join(map(str, shape))} need {needed / 2**30:.1f} GiB, "
            f"more than the {MAX_DATASET_BYTES / 2**30:.0f} GiB allowed; use --limit or a "
            "smaller image size"
        )


def _unknown_dataset(dataset_id: str) -> CnnvizError:
    ids = [i for i, _ in list_datasets()]
    close = difflib.get_close_matches(dataset_id.strip(), [*ids, "folder:"], n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    return CnnvizError(
        f"unknown dataset {dataset_id!r}.{hint} Datasets are digits, shapes, shapes:N, "
        "tfds:NAME (e.g. tfds:fashion_mnist) or folder:PATH (a folder or .zip of class "
        "sub-folders); `python -m cnnviz datasets` lists them"
    )
