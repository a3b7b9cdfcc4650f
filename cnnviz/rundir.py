"""The one writer of a run folder: every file of a run is written here, atomically.

::

    runs/20261129-193000-digits-small-ab12/
        spec.json      the model spec as trained
        config.json    dataset, hyper-parameters, augmentation, owner, runner, created
        history.csv    one row per epoch (Keras CSVLogger format), per-class validation
                       accuracy included
        epochs/        epoch-0001.weights.h5 ...: the weights after each epoch (every k-th
                       for large models), written atomically as training goes
        model.keras    the trained model (read back as weights only)
        metrics.json   test metrics with the confusion matrix (`evaluate --json`)
        status.json    {"status", "message", "updated", "pid", ...}

The root is `--runs-dir`, else `$CNNVIZ_RUNS_DIR`, else `./runs`; `checked_root` says
clearly when it is a file, cannot be created or is read-only (`root_problem` says it
without raising, for a warning at start-up). status.json is `cnnviz.runstatus`'s (what a
killed process leaves: `interrupted`, with its finished epochs). Files are written
atomically (`cnnviz.files`), so a reader never sees half a document. `cnnviz.runs`
reads run folders; nothing else writes them.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from cnnviz.errors import CnnvizError
from cnnviz.files import atomically, now_iso, read_json, write_json
from cnnviz.runstatus import STATUS_FILE, write_status
from cnnviz.settings import settings

__all__ = [
    "CONFIG_FILE",
    "EPOCHS_DIR",
    "HISTORY_FILE",
    "METRICS_FILE",
    "MODEL_FILE",
    "SPEC_FILE",
    "UPLOADS_DIR",
    "cannot_write",
    "checked_root",
    "begin",
    "class_accuracy_key",
    "create",
    "drop_epoch",
    "epoch_file",
    "new_run_dir",
    "record",
    "root_problem",
    "runs_root",
    "save_epoch",
    "save_model",
    "write_files",
]

SPEC_FILE, CONFIG_FILE = "spec.json", "config.json"
HISTORY_FILE, MODEL_FILE, METRICS_FILE = "history.csv", "model.keras", "metrics.json"
EPOCHS_DIR = "epochs"
UPLOADS_DIR = "_uploads"  # under the runs root: users' uploads, one folder per desk
EPOCH_FILE = re.compile(r"epoch-(\d{4,})\.weights\.h5")
ELSEWHERE = "choose a folder you may write with --runs-dir DIR or $CNNVIZ_RUNS_DIR"


def class_accuracy_key(index: int) -> str:
    """The history.csv column of class `index`'s validation accuracy."""
    return f"val_accuracy_class_{index}"


def runs_root(runs_dir: str | os.PathLike | None = None) -> Path:
    """The folder holding the runs: `runs_dir`, else $CNNVIZ_RUNS_DIR, else ./runs."""
    return Path(runs_dir) if runs_dir else settings().runs_dir


def checked_root(runs_dir: str | os.PathLike | None = None, *, create: bool = False) -> Path:
    """The runs root, checked before anything is read from or written to it.

    Args:
        create: make the folder if it is missing and check that it can be written.

    Raises:
        CnnvizError: the root is a file; with `create`, it cannot be made or written.
    """
    root = runs_root(runs_dir)
    if root.exists() and not root.is_dir():
        raise CnnvizError(f"the runs folder {root} is a file, not a folder; {ELSEWHERE}")
    if not create:
        return root
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CnnvizError(cannot_write(err, root)) from None
    if not os.access(root, os.W_OK | os.X_OK):
        raise CnnvizError(_read_only(root))
    return root


def root_problem(runs_dir: str | os.PathLike | None = None) -> str | None:
    """Why nothing could be saved under the runs root, or None; creates nothing."""
    root = runs_root(runs_dir)
    try:
        checked_root(runs_dir)
    except CnnvizError as err:
        return str(err)
    nearest = root.absolute()
    while not nearest.exists() and nearest != nearest.parent:
        nearest = nearest.parent
    if not nearest.is_dir():
        return f"the runs folder {root} cannot be created: {nearest} is a file; {ELSEWHERE}"
    if not os.access(nearest, os.W_OK | os.X_OK):
        return _read_only(root)
    return None


def _read_only(root: Path) -> str:
    return (
        f"the runs folder {root} is read-only: no run, upload or import can be saved; {ELSEWHERE}"
    )


def cannot_write(err: OSError, path: str | os.PathLike) -> str:
    """A failed write under the runs root in words, with where to keep runs instead."""
    where = err.filename or path
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{where} cannot be written (read-only); {ELSEWHERE}"
    if err.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"no space left on the disk to write {where}; free some space or {ELSEWHERE}"
    if isinstance(err, (FileExistsError, NotADirectoryError)):
        return f"{path} cannot be a folder: {where} is a file; {ELSEWHERE}"
    return f"{where} cannot be written ({err.strerror or err}); {ELSEWHERE}"


def write_files(run_dir: str | os.PathLike, files: dict[str, bytes]) -> None:
    """Files of a run trained where this runs folder cannot be seen (a Ray worker), by
    their paths in the run folder; each written atomically, status.json last.

    Raises:
        CnnvizError: a path that leads out of the run folder.
        OSError: a file could not be written.
    """
    root = Path(run_dir).resolve()
    for name in sorted(files, key=lambda n: n == STATUS_FILE):
        path = (root / name).resolve()
        if root not in path.parents:
            raise CnnvizError(f"{name!r} is not a file inside the run folder {root}")
        path.parent.mkdir(parents=True, exist_ok=True)
        atomically(path, lambda tmp, data=files[name]: tmp.write_bytes(data))


# --- a run folder -------------------------------------------------------------------


def new_run_dir(name: str, *, runs_dir: str | os.PathLike | None = None) -> Path:
    """Create an empty, uniquely named run folder, e.g. runs/20261129-193000-cnn-ab12.

    Ids sort by creation time (to the second) and end in 4 random hex digits.

    Raises:
        CnnvizError: the runs root is a file, read-only or full.
    """
    from cnnviz.build import safe_name

    root = checked_root(runs_dir, create=True)
    for _ in range(100):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = root / f"{stamp}-{safe_name(name)}-{secrets.token_hex(2)}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        except OSError as err:
            raise CnnvizError(cannot_write(err, root)) from None
        return path
    raise CnnvizError(f"could not create a new run folder in {root}")


def create(
    spec: dict[str, Any],
    config: dict[str, Any],
    *,
    runs_dir: str | os.PathLike | None = None,
    status: str = "queued",
    message: str = "",
) -> Path:
    """A new run folder holding spec.json, config.json (with "created") and status.json.

    Args:
        spec: the model spec as a dict (`ModelSpec.to_dict()`).
        config: what config.json starts with (the data source, the settings).

    Raises:
        CnnvizError: the folder could not be written (a file, read-only, a full disk);
            nothing is left behind.
    """
    run_dir = new_run_dir(spec.get("name", "model"), runs_dir=runs_dir)
    try:
        begin(run_dir, spec, {**config, "created": config.get("created") or now_iso()})
        write_status(run_dir, status, message)
    except OSError as err:
        shutil.rmtree(run_dir, ignore_errors=True)
        raise CnnvizError(cannot_write(err, run_dir)) from None
    return run_dir


def begin(run_dir: str | os.PathLike, spec: dict[str, Any], config: dict[str, Any]) -> None:
    """spec.json and config.json of a run folder that exists (a new one, or a Ray
    worker's own copy of one it cannot see).

    Raises:
        OSError: a file could not be written.
    """
    write_json(Path(run_dir) / SPEC_FILE, spec)
    write_json(Path(run_dir) / CONFIG_FILE, config)


def record(run_dir: str | os.PathLike, spec: dict[str, Any], config: dict[str, Any]) -> None:
    """What training knows once it starts: spec.json when the folder has none, and
    config.json's entries updated with `config` (what it already says, e.g. the data
    source a job was created with, is kept where `config` is silent)."""
    run_dir = Path(run_dir)
    if not (run_dir / SPEC_FILE).is_file():
        write_json(run_dir / SPEC_FILE, spec)
    path = run_dir / CONFIG_FILE
    try:
        document = read_json(path) if path.is_file() else {}
    except CnnvizError:
        document = {}
    document = document if isinstance(document, dict) else {}
    for key in ("dataset", "data_dir", "limit", "image_size", "seed", "model"):
        document.setdefault(key, None)
    document.update(config)
    document.setdefault("created", now_iso())
    write_json(path, document)


def epoch_file(run_dir: str | os.PathLike, epoch: int) -> Path:
    """Where the weights after `epoch` (1-based) are kept: epochs/epoch-0007.weights.h5."""
    return Path(run_dir) / EPOCHS_DIR / f"epoch-{epoch:04d}.weights.h5"


def save_epoch(run_dir: str | os.PathLike, model, epoch: int, *, write=None) -> Path:
    """The model's weights after `epoch`, written atomically: a process killed while
    writing leaves the previous epochs whole.

    Args:
        write: writes the weights file to the path it is given (default:
            `model.save_weights`), e.g. `cnnviz.snapshots.WeightsFile.write`.
    """
    path = epoch_file(run_dir, epoch)
    path.parent.mkdir(exist_ok=True)
    return atomically(path, write or model.save_weights, ".tmp.weights.h5")


def drop_epoch(run_dir: str | os.PathLike, epoch: int) -> None:
    """Forget the weights after `epoch` (a snapshot kept only while it was the latest)."""
    epoch_file(run_dir, epoch).unlink(missing_ok=True)


def save_model(run_dir: str | os.PathLike, model, name: str = MODEL_FILE) -> Path:
    """The model as `name` in the run folder, written atomically: a failed save leaves
    no half file."""
    return atomically(Path(run_dir) / name, model.save, ".tmp.keras")
