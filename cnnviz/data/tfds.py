"""`tfds:NAME`: any TensorFlow Datasets image-classification set, through the real
`tfds.load`, offline-first.

A set is read from the TFDS data dir; when it is not there it is downloaded only if
asked to (or, by default, if the download server answers within seconds), so an offline
machine fails fast with a message naming the data dir. In classroom mode the data dir is
always the server's ($TFDS_DATA_DIR, else TFDS's own): a data dir a request names (a
browser's) is ignored, and messages name no folder of the server. A misspelt name gets the closest
TFDS names. Importing this module is cheap: TFDS (and TensorFlow) are imported when a
set is loaded.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
from pathlib import Path

import numpy as np

from cnnviz.data.dataset import DEFAULT_IMAGE_SIZE, Loaded
from cnnviz.data.splits import TEST_FRACTION, Split
from cnnviz.errors import CnnvizError, did_you_mean
from cnnviz.images import resize
from cnnviz.settings import settings

__all__ = ["TFDS_SETS", "load_tfds"]

TFDS_PROBE = ("storage.googleapis.com", 443)  # where TFDS downloads from
TFDS_SETS = {  # the CNN lab's sets, listed by `datasets` and offered on the Data page
    "horses_or_humans": "TFDS horses or humans: 1,283 rendered 300x300 colour images, "
    "2 classes (binary)",
    "fashion_mnist": "TFDS Fashion-MNIST: 70,000 28x28 grayscale clothing images, 10 classes",
    "cifar10": "TFDS CIFAR-10: 60,000 32x32 colour photos, 10 classes",
    "cifar100": "TFDS CIFAR-100: 60,000 32x32 colour photos, 100 classes",
    "mnist": "TFDS MNIST: 70,000 28x28 grayscale handwritten digits, 10 classes",
}
# TFDS's own name grammar: dataset_name[/config_name][:version]
NAME = re.compile(r"[A-Za-z0-9_]+(/[A-Za-z0-9_.-]+)?(:\d+(\.\d+){0,2})?")


def load_tfds(name: str, options) -> Loaded:
    """A TFDS image-classification set through the real `tfds.load`.

    Args:
        name: the TFDS name, e.g. "fashion_mnist".
        options: `cnnviz.data.sources.Options`: data_dir (TFDS cache directory,
            default $TFDS_DATA_DIR, else TFDS's own), size ((height, width) to resize
            to, or None for the set's own size) and download (see `load_dataset`).

    Raises:
        CnnvizError: unknown or malformed name (with the closest names), not an
            image-classification set, or not cached and not downloadable.
    """
    if not NAME.fullmatch(name):
        raise _unknown(name.strip(), f"{name!r} is not a TFDS name")
    absl_log = logging.getLogger("absl")  # TFDS logs "no dataset_info.json" when not cached
    level = absl_log.level
    absl_log.setLevel(logging.ERROR)
    try:
        return _load_quietly(name, options.data_dir, options.size, options.download)
    finally:
        absl_log.setLevel(level)


def _unknown(name: str, what: str) -> CnnvizError:
    wanted = re.sub(r"[\s-]+", "_", name.lower())
    known = [*TFDS_SETS]
    try:
        import tensorflow_datasets as tfds

        known += tfds.list_builders()
    except Exception:  # the catalogue is a hint only
        pass
    hint = did_you_mean(wanted, known, form="; did you mean {}?", n=3, show="tfds:{}".format)
    return CnnvizError(f"{what}{hint} (TFDS names look like tfds:fashion_mnist)")


def _load_quietly(name: str, data_dir: str | None, size, download: bool | None) -> Loaded:
    import tensorflow_datasets as tfds

    data_dir = _tfds_data_dir(data_dir)
    builder = _tfds_builder(tfds, name, data_dir)
    loaded = _tfds_load(tfds, name, builder, data_dir)
    if loaded is None:  # not in data_dir
        if not _may_download(download):
            raise _not_cached(name, data_dir, download)
        try:
            builder.download_and_prepare()
        except Exception as err:  # network, disk, missing extras: all end the same way
            raise _not_cached(name, data_dir, download, reason=str(err)) from None
        loaded = _tfds_load(tfds, name, _tfds_builder(tfds, name, data_dir), data_dir)
        if loaded is None:
            raise _not_cached(name, data_dir, download, reason="nothing was prepared")
    (train_ds, test_ds), info = loaded
    names = tuple(str(n) for n in info.features[info.supervised_keys[1]].names)
    description = TFDS_SETS.get(name, f"TFDS {name}: {info.description.strip()[:120]}")
    train, test = _tfds_to_split(tfds, train_ds, size), _tfds_to_split(tfds, test_ds, size)
    return Loaded(description, names, train, test)


def _tfds_load(tfds, name: str, builder, data_dir: str):
    """The real `tfds.load` of train and test, never downloading; None if not in data_dir."""
    train_split, test_split = _tfds_split_names(builder)
    try:
        return tfds.load(
            name,
            split=[train_split, test_split],
            as_supervised=True,
            with_info=True,
            data_dir=data_dir,
            download=False,
        )
    except AssertionError:  # TFDS's "could not find data in DATA_DIR"
        return None


def _tfds_builder(tfds, name: str, data_dir: str):
    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError:
        raise _unknown(name, f"TFDS has no dataset {name!r}") from None
    except (ValueError, AssertionError) as err:  # a version or config TFDS does not have
        text = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        reason = re.sub(r'^Failed to construct dataset "[^"]*", builder_kwargs "[^"]*": ', "", text)
        raise CnnvizError(f"TFDS cannot open {name!r}: {reason[:200]}") from None
    keys = builder.info.supervised_keys
    features = builder.info.features
    if (
        not keys
        or len(keys) != 2
        or keys[0] not in features
        or keys[1] not in features
        or not isinstance(features[keys[1]], tfds.features.ClassLabel)
        or not isinstance(features[keys[0]], tfds.features.Image)
    ):
        raise CnnvizError(
            f"tfds:{name} is not an image-classification set (images with one class "
            "label each); try tfds:fashion_mnist, tfds:cifar10 or tfds:horses_or_humans"
        )
    return builder


def _tfds_split_names(builder) -> tuple[str, str]:
    """("train", "test"), or a held-out 20% of train when the set has no test split."""
    known = set(builder.info.splits.keys())  # empty until prepared
    if not known or "test" in known:
        return "train", "test"
    if "validation" in known:
        return "train", "validation"
    cut = round(100 * (1 - TEST_FRACTION))
    return f"train[:{cut}%]", f"train[{cut}%:]"


def _tfds_to_split(tfds, ds, size) -> Split:
    shape = tuple(ds.element_spec[0].shape)
    if None in shape and size is None:
        size = DEFAULT_IMAGE_SIZE  # images of many sizes: they need one
    if size is not None and shape[:2] != size:
        images, labels = [], []
        for image, label in tfds.as_numpy(ds):
            images.append(resize(image, size))
            labels.append(label)
        images = np.stack(images) if images else np.zeros((0, *size, shape[2] or 3), np.uint8)
        return Split(images, np.asarray(labels, dtype=np.int64))
    batches = list(tfds.as_numpy(ds.batch(1024)))
    if not batches:
        return Split(np.zeros((0, *shape), np.uint8), np.zeros(0, np.int64))
    return Split(np.concatenate([b[0] for b in batches]), np.concatenate([b[1] for b in batches]))


def _tfds_data_dir(data_dir: str | None) -> str:
    """The TFDS cache to read: `data_dir`, else $TFDS_DATA_DIR, else TFDS's own; in
    classroom mode always the server's, whatever a request (a browser) names."""
    if data_dir and not settings().classroom:
        return str(Path(data_dir).expanduser())
    if settings().tfds_data_dir:
        return settings().tfds_data_dir  # $TFDS_DATA_DIR
    from tensorflow_datasets.core import constants

    return str(Path(constants.DATA_DIR).expanduser())


def _may_download(download: bool | None) -> bool:
    if download is None:
        return _reachable(*TFDS_PROBE)
    return bool(download)


def _reachable(host: str, port: int, timeout: float = 3.0) -> bool:
    """Whether a TCP connection to host:port opens within `timeout` seconds."""
    result = []

    def connect():
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            result.append(True)
        except OSError:
            pass

    thread = threading.Thread(target=connect, daemon=True)  # DNS ignores socket timeouts
    thread.start()
    thread.join(timeout)
    return bool(result)


def _not_cached(
    name: str, data_dir: str, download: bool | None, reason: str | None = None
) -> CnnvizError:
    why = (
        f"downloading it failed ({reason[:200]})"
        if reason
        else "downloading is switched off (opening a run or a link never downloads)"
        if download is False
        else "this machine cannot reach the TFDS download server (offline?)"
    )
    if settings().classroom:  # a learner's message: no folder of the server in it
        return CnnvizError(
            f"tfds:{name} is not in this server's TFDS cache and {why}; ask the teacher to "
            f"cache it (`python -m cnnviz data-info tfds:{name}` on a connected machine)"
        )
    return CnnvizError(
        f"tfds:{name} is not in the TFDS data dir {data_dir} and {why}. Run "
        f"`python -m cnnviz data-info tfds:{name} --data-dir {data_dir}` once on a "
        f"connected machine and copy that data dir here (or point --data-dir / "
        f"TFDS_DATA_DIR at a TFDS cache that has {name})"
    )
