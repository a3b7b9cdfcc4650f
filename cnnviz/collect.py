"""Datasets made in the browser: classes a desk names, adds, renames and deletes.

A made dataset is a folder of class folders among the desk's uploads,
`<runs root>/_uploads/<desk>/<16 random hex>-<its name>/<class>/<image>.jpg` (a learner
alone's directly in `_uploads/`), so its id, `upload:<16 hex>-<name>`, works everywhere
an uploaded zip does (`cnnviz.data.uploaded`: Train, Augment, Inspect, Compare, Predict,
links, bundles), always looked for among one desk's uploads. Its images are added,
removed and zipped by `cnnviz.collect_images`. Every change touches the dataset's
folder (`mark_changed`), so caches keyed by `cnnviz.data.uploaded.upload_stamp` read it
again. `problems` says why a dataset cannot be trained on yet. No Streamlit here.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cnnviz.checks import fail
from cnnviz.data.folders import IMAGE_SUFFIXES
from cnnviz.data.uploaded import desk_folder, stored_label, stored_name, upload_path
from cnnviz.desk_uploads import desk_uploads
from cnnviz.errors import CnnvizError
from cnnviz.rundir import checked_root
from cnnviz.uploads import upload_id

__all__ = [
    "MAX_CLASSES",
    "MAX_CLASS_NAME",
    "MIN_IMAGES",
    "Made",
    "MadeClass",
    "add_class",
    "check_ready",
    "class_name",
    "dataset_folder",
    "delete_class",
    "is_made",
    "made_datasets",
    "mark_changed",
    "new_dataset",
    "open_made",
    "problems",
    "rename_class",
    "writing",
]

MIN_IMAGES = 5  # a class's images to train on: at least 4 to learn from and 1 to test
MAX_CLASSES = 20
MAX_CLASS_NAME = 40
_CLASS = re.compile(rf"\w[\w +-]{{0,{MAX_CLASS_NAME - 1}}}")
_IMAGE = re.compile(r"[^./\\][^/\\]*")


@dataclass(frozen=True)
class MadeClass:
    """One class of a made dataset.

    Attributes:
        name: its name (its folder's).
        images: its images' file names, oldest first.
    """

    name: str
    images: tuple[str, ...]


@dataclass(frozen=True)
class Made:
    """A dataset made in the browser, as it is on disk now.

    Attributes:
        id: its dataset id, "upload:<16 hex>-<name>".
        label: its name, e.g. "my desk things".
        classes: its classes, sorted by name (the order a model learns them in).
    """

    id: str
    label: str
    classes: tuple[MadeClass, ...]

    @property
    def class_names(self) -> list[str]:
        return [c.name for c in self.classes]

    def get(self, name: str) -> MadeClass:
        """The class `name`.

        Raises:
            CnnvizError: it has no such class.
        """
        for made in self.classes:
            if made.name == name:
                return made
        raise CnnvizError(f"{self.label} has no class {name!r}; choose one of its classes")


def class_name(value: object, what: str = "class") -> str:
    """A class's (or a made dataset's) name as typed, spaces tidied: letters, digits,
    spaces, "-" and "_".

    Raises:
        CnnvizError: empty, too long, or with other characters (a class is a folder).
    """
    text = " ".join(value.split()) if isinstance(value, str) else None
    if not text or not _CLASS.fullmatch(text):
        raise fail(
            what,
            f"a name of letters, digits, spaces, - and _ (at most {MAX_CLASS_NAME}), e.g. cats",
            value,
            CnnvizError,
        )
    return text


def _clash(name: str, taken: Iterable[str], what: str) -> None:
    if any(name.lower() == other.lower() for other in taken):
        raise CnnvizError(
            f"there is already a {what} named {name!r}; give this one another name "
            f"(names must differ by more than upper and lower case). Received: name={name!r}"
        )


def made_datasets(desk: str | None, *, runs_dir: str | os.PathLike | None = None) -> list[Made]:
    """The datasets desk `desk` (None: a learner alone) made in the browser, newest first."""
    return [
        open_made(upload.id, desk=desk, runs_dir=runs_dir)
        for upload in desk_uploads(desk, runs_dir=runs_dir)
        if is_made(upload.id, desk=desk, runs_dir=runs_dir)
    ]


def new_dataset(name: str, *, desk: str | None, runs_dir: str | os.PathLike | None = None) -> str:
    """Make an empty dataset called `name` among the desk's uploads; returns its id.

    Raises:
        CnnvizError: a bad name, one the desk already uses, or a runs folder that cannot
            be written.
    """
    label = class_name(name, "name")
    _clash(label, [m.label for m in made_datasets(desk, runs_dir=runs_dir)], "dataset")
    checked_root(runs_dir, create=True)
    folder = desk_folder(desk, runs_dir) / f"{secrets.token_hex(8)}-{label}"
    writing(lambda: folder.mkdir(parents=True), label)
    return upload_id(folder)


def is_made(
    dataset: object, *, desk: str | None, runs_dir: str | os.PathLike | None = None
) -> bool:
    """Whether `dataset` names a dataset desk `desk` made in the browser."""
    name = stored_name(dataset)
    if name is None:
        return False
    try:
        return upload_path(name, desk=desk, runs_dir=runs_dir).is_dir()
    except CnnvizError:
        return False


def dataset_folder(dataset: str, desk: str | None, runs_dir=None) -> Path:
    """The folder of desk `desk`'s made dataset `dataset` (an `upload:` id).

    Raises:
        CnnvizError: the desk has no such dataset, or it is an uploaded zip.
    """
    name = stored_name(dataset)
    if name is None:
        raise CnnvizError(
            f"that is not a dataset made on the Data page. Received: dataset={str(dataset)[:80]!r}"
        )
    path = upload_path(name, desk=desk, runs_dir=runs_dir)
    if not path.is_dir():
        raise CnnvizError(
            f"{stored_label(name)} is an uploaded zip: only a dataset made on the Data page "
            "can be changed there; upload the zip again to change it"
        )
    return path


def _images(folder: Path) -> tuple[str, ...]:
    """Image file names of a class folder, oldest first (names start with the time)."""
    try:
        names = [p.name for p in folder.iterdir() if p.is_file() and not p.is_symlink()]
    except OSError:
        return ()
    return tuple(sorted(n for n in names if _IMAGE.fullmatch(n) and _is_image(n)))


def _is_image(name: str) -> bool:
    return name.lower().endswith(IMAGE_SUFFIXES)


def open_made(dataset: str, *, desk: str | None, runs_dir: str | os.PathLike | None = None) -> Made:
    """Desk `desk`'s made dataset `dataset` (its `upload:` id) as it is on disk now.

    Raises:
        CnnvizError: the desk has no such dataset, or it is an uploaded zip.
    """
    folder = dataset_folder(dataset, desk, runs_dir)
    try:
        entries = sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        entries = []
    classes = tuple(MadeClass(p.name, _images(p)) for p in entries if _CLASS.fullmatch(p.name))
    return Made(upload_id(folder), stored_label(folder.name), classes)


def mark_changed(folder: Path) -> None:
    """Mark a made dataset's folder changed (its stamp, for the caches)."""
    try:
        os.utime(folder)
    except OSError:
        pass


def writing(action, label: str):
    """`action()`; a runs folder that cannot be written is a CnnvizError naming `label`."""
    try:
        return action()
    except OSError as err:
        raise CnnvizError(
            f"{label} cannot be changed: the server's runs folder cannot be written "
            f"({err.strerror or err}); ask the teacher"
        ) from None


def add_class(
    dataset: str, name: str, *, desk: str | None, runs_dir: str | os.PathLike | None = None
) -> str:
    """Add an empty class; returns its name as kept (spaces tidied).

    Raises:
        CnnvizError: a bad name, a name the dataset already has, or MAX_CLASSES already.
    """
    made = open_made(dataset, desk=desk, runs_dir=runs_dir)
    label = class_name(name)
    _clash(label, made.class_names, "class")
    if len(made.classes) >= MAX_CLASSES:
        raise CnnvizError(
            f"{made.label} has {MAX_CLASSES} classes, the most a made dataset may have; "
            f"delete one to add another. Received: classes={len(made.classes) + 1}"
        )
    folder = dataset_folder(dataset, desk, runs_dir)
    writing(lambda: (folder / label).mkdir(), made.label)
    mark_changed(folder)
    return label


def rename_class(
    dataset: str, old: str, new: str, *, desk: str | None, runs_dir: str | os.PathLike | None = None
) -> str:
    """Rename class `old` to `new` (its images stay); returns the new name as kept.

    Raises:
        CnnvizError: no class `old`, a bad name, or one another class has.
    """
    made = open_made(dataset, desk=desk, runs_dir=runs_dir)
    made.get(old)
    label = class_name(new)
    if label == old:
        return label
    _clash(label, [n for n in made.class_names if n != old], "class")
    folder = dataset_folder(dataset, desk, runs_dir)
    writing(lambda: (folder / old).rename(folder / label), made.label)
    mark_changed(folder)
    return label


def delete_class(
    dataset: str, name: str, *, desk: str | None, runs_dir: str | os.PathLike | None = None
) -> None:
    """Delete class `name` and its images.

    Raises:
        CnnvizError: no such class.
    """
    made = open_made(dataset, desk=desk, runs_dir=runs_dir)
    made.get(name)
    folder = dataset_folder(dataset, desk, runs_dir)
    writing(lambda: shutil.rmtree(folder / name), made.label)
    mark_changed(folder)


def problems(made: Made) -> list[str]:
    """Why `made` cannot be trained on yet, one sentence each (empty: it can)."""
    found = []
    if len(made.classes) < 2:
        found.append(
            f"{made.label} has {len(made.classes)} class{'es' * (len(made.classes) != 1)}: "
            "a model tells classes apart, so add at least 2"
        )
    for made_class in made.classes:
        count = len(made_class.images)
        if count == 0:
            found.append(f"class {made_class.name!r} is empty: fill it, or delete it")
        elif count < MIN_IMAGES:
            found.append(
                f"class {made_class.name!r} has {count} image{'s' * (count > 1)}: add at "
                f"least {MIN_IMAGES - count} more (a class needs {MIN_IMAGES}: some to learn "
                "from, one to test on)"
            )
    return found


def check_ready(made: Made) -> None:
    """Raise when `made` cannot be trained on yet (`problems`), naming every reason.

    Raises:
        CnnvizError: fewer than 2 classes, an empty class, or too few images in one.
    """
    found = problems(made)
    if found:
        counts = {c.name: len(c.images) for c in made.classes}
        raise CnnvizError(f"{'; '.join(found)}. Received: images={counts}")
