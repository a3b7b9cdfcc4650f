"""Runs on disk: finding one by id, listing, creating, deleting, and whether any changed.

Every training run is a folder that outlives the process (`cnnviz.rundir` writes it,
`cnnviz.run.Run` reads one). A run is found by its id, a unique start of one, or its
folder's path; listings are newest first, and a folder that is not a run is skipped.
`listing_stamp` and `run_stamp` tell from file times alone whether a listing or a run
changed, so a cache of either is read again only then. The app reads runs through this
module only (never `cnnviz.rundir`'s file names), so it also names the runs root.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from cnnviz import rundir
from cnnviz.errors import CnnvizError
from cnnviz.events import ACTIVE
from cnnviz.run import Run, run_stamp, trained_config
from cnnviz.rundir import CONFIG_FILE, root_problem, runs_root
from cnnviz.runstatus import STATUS_FILE
from cnnviz.spec import ModelSpec

__all__ = [
    "Run",
    "create_run",
    "delete_run",
    "list_runs",
    "listing_stamp",
    "load_run",
    "root_problem",
    "run_stamp",
    "runs_root",
    "trained_config",
    "trained_runs",
]


def listing_stamp(runs_dir: str | os.PathLike | None = None) -> tuple:
    """(folder name, status.json time, config.json time) of every run folder, sorted:
    it changes when a run appears, goes, or has its status or config rewritten (a
    training rewrites status.json every epoch). Reading 100 run folders costs ~0.1 s;
    this, ~1 ms."""
    root = str(runs_root(runs_dir))
    stamps = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return ()
    for entry in entries:
        try:
            status = os.stat(os.path.join(entry.path, STATUS_FILE)).st_mtime_ns
            config = os.stat(os.path.join(entry.path, CONFIG_FILE)).st_mtime_ns
        except OSError:
            continue  # not a run folder (the upload store, a half-written run)
        stamps.append((entry.name, status, config))
    return tuple(sorted(stamps))


def _is_run_dir(path: Path) -> bool:
    return path.is_dir() and (path / STATUS_FILE).is_file()


def create_run(
    spec: ModelSpec,
    config: dict[str, Any],
    *,
    runs_dir: str | os.PathLike | None = None,
    status: str = "queued",
    message: str = "",
) -> Run:
    """A new run folder written by `cnnviz.rundir.create`, read back as a Run.

    Raises:
        CnnvizError: the folder could not be written (read-only, a file, a full disk).
    """
    path = rundir.create(spec.to_dict(), config, runs_dir=runs_dir, status=status, message=message)
    return Run.read(path)


def trained_runs(
    runs_dir: str | os.PathLike | None = None, *, owner: str | None = None
) -> list[Run]:
    """The runs with a trained model to inspect or ask (completed, stopped, or
    interrupted after saving weights), newest first; only `owner`'s when given."""
    return [run for run in list_runs(runs_dir, owner=owner) if run.has_model]


def list_runs(runs_dir: str | os.PathLike | None = None, *, owner: str | None = None) -> list[Run]:
    """Every readable run under the root, newest first (runs that died read as
    "interrupted"; folders that are not runs are skipped); only `owner`'s when given."""
    root = rundir.checked_root(runs_dir)
    if not root.is_dir():
        return []
    runs = []
    for path in sorted(root.iterdir(), key=lambda p: p.name, reverse=True):
        if not _is_run_dir(path):
            continue
        try:
            run = Run.read(path)
        except CnnvizError:
            continue
        if owner is None or run.owner == owner:
            runs.append(run)
    return runs


def load_run(identifier: str | os.PathLike, runs_dir: str | os.PathLike | None = None) -> Run:
    """A run by id (or a unique start of one) under the root, or by its folder's path.

    Raises:
        CnnvizError: no such run, an id start that matches several runs, or a
            runs root that is a file.
    """
    text = str(identifier).strip()
    if not text:
        raise CnnvizError("no run given; name a run id (see `python -m cnnviz runs`)")
    if _is_run_dir(Path(text)):
        return Run.read(Path(text))
    root = rundir.checked_root(runs_dir)
    if _is_run_dir(root / text):
        return Run.read(root / text)
    matches = []
    if root.is_dir() and os.sep not in text:
        matches = sorted(p for p in root.iterdir() if p.name.startswith(text) and _is_run_dir(p))
    if len(matches) == 1:
        return Run.read(matches[0])
    if len(matches) > 1:
        names = ", ".join(p.name for p in matches[:5])
        raise CnnvizError(f"{text!r} matches {len(matches)} runs ({names}); give more of the id")
    raise CnnvizError(
        f"no run {text!r} in {root}; list the runs with `python -m cnnviz runs --runs-dir {root}`"
    )


def delete_run(
    identifier: str | os.PathLike,
    runs_dir: str | os.PathLike | None = None,
    *,
    owner: str | None = None,
) -> None:
    """Delete a run's folder.

    Args:
        identifier: the run's id (or, without `owner`, its folder).
        owner: the desk asking: it deletes only its own runs, found by id under the
            runs root. None: the teacher or the command line, any run.

    Raises:
        CnnvizError: no such run, another desk's run (with `owner`), or it is still
            queued or running (stop it first).
    """
    if owner is not None:
        text = str(identifier).strip()
        root = rundir.checked_root(runs_dir)
        if not text or "/" in text or os.sep in text or text in (".", "..") or text[0] in "._":
            raise CnnvizError("a desk deletes its runs by their run ids, never by a path")
        try:
            run = load_run(text, root)
        except CnnvizError:  # its message names the runs folder: not for a browser
            raise CnnvizError(f"there is no run {text[:80]!r} to delete") from None
        if run.dir.resolve().parent != root.resolve():
            raise CnnvizError(f"{text[:80]!r} is not a run of this runs folder")
        if run.owner != owner:
            raise CnnvizError(
                f"run {run.id} belongs to another desk; desk {owner} deletes only its own "
                "runs (the teacher deletes any)"
            )
    else:
        run = load_run(identifier, runs_dir)
    if run.state in ACTIVE:
        raise CnnvizError(f"run {run.id} is still {run.state}; stop it before deleting it")
    shutil.rmtree(run.dir)
