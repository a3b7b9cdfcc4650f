"""The datasets this process loaded last, kept for the next job that names one again.

A warm training worker trains one desk's job after another, most on the same dataset:
each would load it again (the whole of CIFAR-10 is seconds and ~180 MB). `load_recent`
keeps the last `KEEP` loads of the process, keyed by everything that decides their
images (for an upload, also when it last changed: a dataset made in the browser grows in
place); the command line's check and its job (in a thread) share one load the same way.
Datasets are never changed in place (splits are taken as copies), so sharing is safe.
"""

from __future__ import annotations

import collections
import threading

from cnnviz.data.dataset import Dataset
from cnnviz.data.sources import load_dataset
from cnnviz.data.uploaded import upload_stamp

__all__ = ["KEEP", "forget_recent", "load_recent"]

KEEP = 2  # datasets a process keeps: memory stays bounded on a server that runs for weeks
_recent: collections.OrderedDict[tuple, Dataset] = collections.OrderedDict()
_lock = threading.Lock()


def load_recent(
    dataset_id: str,
    *,
    data_dir: str | None = None,
    limit: int | None = None,
    image_size: tuple[int, int] | None = None,
    seed: int = 0,
    desk: str | None = None,
    runs_dir: str | None = None,
) -> Dataset:
    """`cnnviz.data.load_dataset`, or the same load this process made recently.

    Raises:
        CnnvizError: as `load_dataset` (a failed load is not kept).
    """
    size = None if image_size is None else tuple(image_size)
    runs_dir = None if runs_dir is None else str(runs_dir)
    stamp = upload_stamp(dataset_id, desk=desk, runs_dir=runs_dir)  # an upload is a desk's
    key = (dataset_id, data_dir, limit, size, seed, desk, runs_dir, stamp)
    with _lock:
        if key in _recent:
            _recent.move_to_end(key)
            return _recent[key]
    dataset = load_dataset(
        dataset_id,
        data_dir=data_dir,
        limit=limit,
        image_size=size,
        seed=seed,
        desk=desk,
        runs_dir=runs_dir,
    )
    with _lock:
        _recent[key] = dataset
        while len(_recent) > KEEP:
            _recent.popitem(last=False)
    return dataset


def forget_recent() -> None:
    """Let go of every kept dataset."""
    with _lock:
        _recent.clear()
