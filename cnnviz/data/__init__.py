"""Datasets: a registry of sources, the same `Dataset` and `tf.data` pipeline for all.

Ids: `digits` (scikit-learn's 8x8 digits, offline), `shapes` / `shapes:N` (generated,
offline), `tfds:NAME` (TensorFlow Datasets, through the real `tfds.load`) and
`folder:PATH` (a folder or .zip of class sub-folders). Every loader returns uint8
images in 0-255 of one fixed shape; `make_pipeline` rescales them to [0, 1] exactly as
the lab does. TensorFlow and TFDS are imported only when a pipeline or a TFDS set is
needed, so importing this package stays fast.

Rooms: `sources` (the registry and `load_dataset`), `builtin`, `tfds`, `folders` (the
sources), `dataset` (`Dataset`, `DatasetInfo`, the `Loaded` record), `splits`,
`pipeline`.
"""

from cnnviz.data.dataset import Dataset, DatasetInfo, Loaded
from cnnviz.data.pipeline import RESCALE, make_pipeline, rescale
from cnnviz.data.sources import SOURCES, list_datasets, load_dataset
from cnnviz.data.splits import Split, split_validation

__all__ = [
    "RESCALE",
    "SOURCES",
    "Dataset",
    "DatasetInfo",
    "Loaded",
    "Split",
    "list_datasets",
    "load_dataset",
    "make_pipeline",
    "rescale",
    "split_validation",
]
