"""Where a dataset named from outside may come from: a built-in set, TFDS, or an upload.

A dataset id that reaches the server from outside (a bundle's config.json, an experiment
link, a run folder a desk opens) is checked by `check_origin` before anything is loaded:
it may name only a built-in set (`digits`, `shapes`, `shapes:N`), `tfds:NAME`, or
`upload:NAME`, an upload, which is always looked for inside the uploads of one desk (the
desk opening a link or importing a bundle, the desk that trained a run:
`cnnviz.data.uploaded`). Anything else (`folder:/etc`, `folder:../../x`, a path through
a symbolic link, an unknown kind) is refused with a message that names no file or folder
of the server. One exception, for runs made before uploads had ids: a `folder:` id that
points into the upload store (`folder:/…/_uploads/<desk>/<sha16>-pets.zip`) is read as
`upload:<sha16>-pets.zip` (`canonical`), so old runs and links still open, each in its
own desk's uploads.

`exported_config` is a run's config.json as it leaves the server in a bundle: no path
of the server in it (`without_paths` takes them out of free text such as messages).
"""

from __future__ import annotations

import os
import re
from pathlib import PurePosixPath
from typing import Any

from cnnviz.checks import DESK_NAME
from cnnviz.data.sources import MAX_ID, check_dataset_id
from cnnviz.data.uploaded import STORED_NAME, UPLOAD_KIND, stored_name
from cnnviz.errors import CnnvizError
from cnnviz.rundir import UPLOADS_DIR

__all__ = ["ALLOWED", "canonical", "check_origin", "exported_config", "without_paths"]

ALLOWED = "a built-in set (digits, shapes), tfds:NAME or an upload of your desk"
BUILT_IN = ("digits", "shapes")
_KIND = re.compile(r"[a-z]{1,16}")
_SHAPES = re.compile(r"shapes(:\d{1,7})?")


def _legacy_upload(dataset_id: str) -> str | None:
    """`upload:NAME` for an older id `folder:<…>/_uploads/[<desk>/]NAME`, else None."""
    kind, _, path = dataset_id.partition(":")
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if kind != "folder" or ".." in parts or len(parts) < 2:
        return None
    name, parent = parts[-1], parts[-2]
    in_store = parent == UPLOADS_DIR or (
        len(parts) >= 3 and parts[-3] == UPLOADS_DIR and DESK_NAME.fullmatch(parent)
    )
    return f"{UPLOAD_KIND}:{name}" if in_store and STORED_NAME.fullmatch(name) else None


def canonical(dataset_id: Any) -> Any:
    """`dataset_id`, an older upload's `folder:` id read as its `upload:` id; anything
    else as it is (nothing is checked: see `check_origin`)."""
    if not isinstance(dataset_id, str):
        return dataset_id
    return _legacy_upload(dataset_id.strip()) or dataset_id


def _refusal(where: str, dataset_id: Any, what: str) -> CnnvizError:
    kind = str(dataset_id).partition(":")[0] if isinstance(dataset_id, str) else ""
    shown = f"{kind}:…" if _KIND.fullmatch(kind) else "…"
    return CnnvizError(
        f"{where} names {what} as its dataset; from outside, a dataset may be only {ALLOWED}. "
        f"Received: dataset={shown}"
    )


def check_origin(dataset_id: Any, *, where: str = "the dataset") -> str:
    """The id a dataset named from outside may be opened by (`canonical`), or a refusal
    that names no file or folder of the server.

    Args:
        dataset_id: what the bundle, link or run names.
        where: who names it, for the message, e.g. "config.json in run.zip".

    Returns:
        "digits", "shapes", "shapes:N", "tfds:NAME" or "upload:NAME".

    Raises:
        CnnvizError: anything else: a folder of the server, a malformed name, an unknown
            kind of dataset.
    """
    from cnnviz.data.tfds import NAME as TFDS_NAME  # TFDS's own name grammar (no TFDS import)

    if not isinstance(dataset_id, str) or not dataset_id.strip():
        raise _refusal(where, dataset_id, "no dataset")
    text = dataset_id.strip()
    if len(text) > MAX_ID:
        raise CnnvizError(
            f"{where} names a dataset id of {len(text):,} characters; an id is at most "
            f"{MAX_ID} characters. Received: dataset=…"
        )
    if "/" not in text and "\\" not in text:  # no path: the usual message, close matches
        check_dataset_id(text)
    found = canonical(text)
    kind, _, argument = found.partition(":")
    if found in BUILT_IN or _SHAPES.fullmatch(found):
        return found
    if kind == "tfds" and TFDS_NAME.fullmatch(argument):
        return found
    if stored_name(found) is not None:
        return found
    if kind == "folder":
        raise _refusal(where, found, "a folder of the server")
    if kind == UPLOAD_KIND:
        raise _refusal(where, found, "an upload by a name no upload has")
    raise _refusal(where, found, "a dataset this server does not know")


def without_paths(text: str, *paths: str | os.PathLike) -> str:
    """`text` with every one of `paths` (and its absolute form) replaced by "…"."""
    forms = {str(p) for p in paths} | {os.path.abspath(p) for p in paths}
    for form in sorted((f for f in forms if len(f) > 1), key=len, reverse=True):
        text = text.replace(form, "…")
    return text


def exported_config(config: dict[str, Any]) -> dict[str, Any]:
    """A run's config.json as it leaves the server: an upload named by its `upload:` id,
    another folder by its last name only (`folder:pets`), no TFDS data dir, and a spec
    read from a file named by the file's name only."""
    out = dict(config)
    dataset = canonical(out.get("dataset"))
    if isinstance(dataset, str) and dataset.startswith("folder:"):
        name = PurePosixPath(dataset[len("folder:") :].replace("\\", "/")).name
        dataset = f"folder:{name or 'images'}"
    out["dataset"] = dataset
    out["data_dir"] = None  # a folder of this server
    model = out.get("model")
    if isinstance(model, str) and ("/" in model or "\\" in model):
        out["model"] = PurePosixPath(model.replace("\\", "/")).name
    return out
