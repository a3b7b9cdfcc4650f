"""The registry of dataset sources and the one resolver, `load_dataset`.

A dataset id is `KIND` or `KIND:ARGUMENT`: `digits`, `shapes` / `shapes:N`, `tfds:NAME`,
`upload:NAME` (a desk's upload, found in the uploads of the desk the caller names),
`folder:PATH`. Each kind is one `Source` in `SOURCES`: what it is, whether it takes an
argument, the ids it lists, and its loader (`(argument, Options) -> Loaded`). A new
dataset source is one entry of `SOURCES` (plus its test).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cnnviz import checks
from cnnviz.data import builtin
from cnnviz.data.dataset import Dataset, Loaded, finish
from cnnviz.errors import CnnvizError, did_you_mean

__all__ = ["SOURCES", "Options", "Source", "check_dataset_id", "list_datasets", "load_dataset"]


MAX_ID = 1000  # characters of a dataset id (a folder path is the longest)


@dataclass(frozen=True)
class Options:
    """How to load a dataset (see `load_dataset`)."""

    data_dir: str | None = None
    limit: int | None = None
    size: tuple[int, int] | None = None
    seed: int = 0
    download: bool | None = None
    desk: str | None = None  # whose uploads an `upload:` id names (None: of no desk)
    runs_dir: str | None = None  # the runs root holding the uploads (None: the default)


def _tfds(argument: str, options: Options) -> Loaded:
    from cnnviz.data.tfds import load_tfds  # TFDS and TensorFlow: only when asked

    return load_tfds(argument, options)


def _folder(argument: str, options: Options) -> Loaded:
    from cnnviz.data.folders import load_folder

    return load_folder(argument, options)


def _upload(argument: str, options: Options) -> Loaded:
    from cnnviz.data.uploaded import load_upload

    return load_upload(argument, options)


def _tfds_listing() -> list[tuple[str, str]]:
    from cnnviz.data.tfds import TFDS_SETS

    return [(f"tfds:{name}", text) for name, text in TFDS_SETS.items()]


@dataclass(frozen=True)
class Source:
    """One kind of dataset.

    Attributes:
        kind: the id's part before ":", e.g. "tfds".
        argument: "none", "optional" or "required": the part after ":".
        load: `(argument, Options) -> Loaded`; the argument is "" when there is none.
        listing: the (id, description) pairs `datasets` lists for this kind.
        usage: how to write its ids, for messages.
    """

    kind: str
    argument: str
    load: Callable[[str, Options], Loaded]
    listing: Callable[[], list[tuple[str, str]]]
    usage: str


SOURCES: dict[str, Source] = {
    source.kind: source
    for source in [
        Source(
            "digits", "none", builtin.load_digits, lambda: [("digits", builtin.DIGITS)], "digits"
        ),
        Source(
            "shapes",
            "optional",
            builtin.load_shapes,
            lambda: [("shapes", builtin.SHAPES)],
            "shapes, shapes:N",
        ),
        Source("tfds", "required", _tfds, _tfds_listing, "tfds:NAME (e.g. tfds:fashion_mnist)"),
        Source(
            "upload",
            "required",
            _upload,
            lambda: [],
            "upload:NAME (a zip uploaded on the Data page)",
        ),
        Source(
            "folder",
            "required",
            _folder,
            lambda: [],
            "folder:PATH (a folder or .zip of class sub-folders)",
        ),
    ]
}


def list_datasets() -> list[tuple[str, str]]:
    """(id, description) of the built-in sets and the TFDS sets of the CNN lab."""
    return [pair for source in SOURCES.values() for pair in source.listing()]


def load_dataset(
    dataset_id: str,
    *,
    data_dir: str | None = None,
    limit: int | None = None,
    image_size: tuple[int, int] | None = None,
    seed: int = 0,
    download: bool | None = None,
    desk: str | None = None,
    runs_dir: str | None = None,
) -> Dataset:
    """Load a dataset into memory.

    Args:
        dataset_id: "digits", "shapes", "shapes:N", "tfds:NAME", "upload:NAME" or
            "folder:PATH".
        data_dir: TFDS cache directory (default: $TFDS_DATA_DIR, else TFDS's own).
        limit: at most this many training images: a stratified random subset; the
            test split shrinks in proportion.
        image_size: (height, width) to resize to. Folders default to 64x64; the
            others keep their native size.
        seed: chooses the `limit` subset (the train/test split itself is fixed).
        download: for a TFDS set not in `data_dir`: True downloads it, False never
            does, None (default) downloads only when the download server answers
            within seconds, so an offline machine fails fast with a clear message.
            Viewing a run passes False (`cnnviz.evaluate.run_dataset`).
        desk: the desk whose uploads an `upload:` id is looked for in (None: the
            uploads of no desk). A cache of loads must key on it for `upload:` ids.
        runs_dir: the runs root holding the uploads (default: $CNNVIZ_RUNS_DIR).

    Raises:
        CnnvizError: unknown id (with close matches), bad argument, unreadable folder,
            or a TFDS set that is not cached and cannot be downloaded.
    """
    dataset_id = check_dataset_id(dataset_id)
    if limit is not None:
        checks.whole(limit, "limit", low=1)
    size = None if image_size is None else checks.image_size(image_size)
    kind, _, argument = dataset_id.partition(":")
    source = SOURCES[kind]
    runs_dir = None if runs_dir is None else str(runs_dir)
    options = Options(data_dir, limit, size, seed, download, desk, runs_dir)
    return finish(dataset_id, source.load(argument, options), size=size, limit=limit, seed=seed)


def check_dataset_id(dataset_id: object) -> str:
    """A dataset id written as `SOURCES` allows (`KIND` or `KIND:ARGUMENT`), stripped;
    whether its data exists is only known when it is loaded.

    Raises:
        CnnvizError: not a string, longer than MAX_ID characters, or not the form of
            any source (with close matches).
    """
    if not isinstance(dataset_id, str) or not dataset_id.strip():
        raise checks.fail("a dataset id", "a non-empty string", dataset_id, CnnvizError)
    if len(dataset_id) > MAX_ID:
        raise checks.fail("a dataset id", f"at most {MAX_ID} characters", dataset_id, CnnvizError)
    dataset_id = dataset_id.strip()
    kind, colon, argument = dataset_id.partition(":")
    source = SOURCES.get(kind)
    if (
        source is None
        or (source.argument == "none" and colon)
        or (source.argument == "required" and not argument)
    ):
        raise _unknown_dataset(dataset_id)
    return dataset_id


def _unknown_dataset(dataset_id: str) -> CnnvizError:
    ids = [i for i, _ in list_datasets()]
    hint = did_you_mean(dataset_id, [*ids, "folder:"], n=3, cutoff=0.5, show=str)
    usage = ", ".join(source.usage for source in SOURCES.values())
    return CnnvizError(
        f"unknown dataset {dataset_id!r}.{hint} Datasets are {usage}; "
        "`python -m cnnviz datasets` lists them"
    )
