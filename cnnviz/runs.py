"""Run directories: every training run is a folder that outlives the process.

::

    runs/20261129-193000-digits-small-ab12/
        spec.json      the model spec as trained
        config.json    dataset, hyper-parameters, augmentation, created time
        history.csv    one row per epoch (Keras CSVLogger format)
        model.keras    the trained model (read back as weights only)
        metrics.json   test metrics with the confusion matrix (`evaluate --json`)
        status.json    {"status", "message", "updated", "pid", ...}

The root is `--runs-dir`, else `$CNNVIZ_RUNS_DIR`, else `./runs`. A run is `queued` or
`running` only while the process that wrote its status lives; once that process is
gone it reads as `interrupted`. Files are written atomically (temp file + rename), so a
reader never sees half a JSON document.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cnnviz.errors import CnnvizError
from cnnviz.metrics import ClassificationMetrics
from cnnviz.spec import ModelSpec

__all__ = [
    "ACTIVE",
    "STATUSES",
    "Run",
    "create_run",
    "delete_run",
    "list_runs",
    "load_run",
    "new_run_dir",
    "read_json",
    "read_status",
    "runs_root",
    "write_json",
    "write_status",
]

STATUSES = ("queued", "running", "completed", "stopped", "failed", "interrupted")
ACTIVE = ("queued", "running")  # statuses that need a living process behind them
SPEC_FILE, CONFIG_FILE, STATUS_FILE = "spec.json", "config.json", "status.json"
HISTORY_FILE, MODEL_FILE, METRICS_FILE = "history.csv", "model.keras", "metrics.json"


def runs_root(runs_dir: str | os.PathLike | None = None) -> Path:
    """The folder holding the runs: `runs_dir`, else $CNNVIZ_RUNS_DIR, else ./runs."""
    return Path(runs_dir or os.environ.get("CNNVIZ_RUNS_DIR") or "runs")


def now_iso() -> str:
    """The local time with its UTC offset, e.g. "2026-11-29T19:30:00+01:00"."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


# --- files --------------------------------------------------------------------------


def write_json(path: str | os.PathLike, data: Any) -> None:
    """Write `data` as JSON atomically: a temp file in the same folder, then rename.

    Raises:
        OSError: the file could not be written (e.g. errno.ENOSPC on a full disk).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_json(path: Path) -> Any:
    """A JSON file of a run; CnnvizError naming the file when missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CnnvizError(f"{path} is missing; the run directory is incomplete") from None
    except (OSError, ValueError) as err:
        raise CnnvizError(f"cannot read {path}: {err}") from None


def _process_start(pid: int) -> str | None:
    """The start time of a process (Linux /proc), to tell a reused pid apart."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[-1].split()[19]


def _owner() -> dict[str, Any]:
    pid = os.getpid()
    return {"pid": pid, "host": socket.gethostname(), "proc_start": _process_start(pid)}


def _owner_alive(status: dict[str, Any]) -> bool:
    """Whether the process that wrote an active status still runs (True if unknown)."""
    pid = status.get("pid")
    if not isinstance(pid, int) or status.get("host") not in (None, socket.gethostname()):
        return True
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    started = status.get("proc_start")
    return started is None or _process_start(pid) in (None, started)


def write_status(
    run_dir: str | os.PathLike, status: str, message: str = "", **fields: Any
) -> dict[str, Any]:
    """Update status.json: the new status and message, this process as owner, and any
    extra fields (kept from earlier writes unless overwritten).

    Returns:
        The status document written.
    """
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}; received {status!r}")
    path = Path(run_dir) / STATUS_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        document = {}
    document.update(fields)
    document.update(status=status, message=message, updated=now_iso(), **_owner())
    write_json(path, document)
    return document


def read_status(run_dir: str | os.PathLike) -> dict[str, Any]:
    """status.json of a run; an active run whose process died reads as "interrupted"
    (and is saved so, when the folder is writable)."""
    path = Path(run_dir) / STATUS_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CnnvizError(f"{path} is missing; {path.parent} is not a run folder") from None
    except (OSError, ValueError):
        document = None
    if not isinstance(document, dict) or document.get("status") not in STATUSES:
        return {"status": "failed", "message": f"{path} is not a valid status file"}
    if document["status"] in ACTIVE and not _owner_alive(document):
        was = document["status"]
        document["status"] = "interrupted"
        document["message"] = (
            f"the process that was training it (pid {document.get('pid')}) ended "
            f"while the run was {was}"
        )
        try:
            write_json(path, document)
        except OSError:
            pass
    return document


# --- runs ---------------------------------------------------------------------------


@dataclass
class Run:
    """One run directory, read from disk.

    Attributes:
        id: the folder name, e.g. "20261129-193000-digits-small-ab12".
        dir: the folder.
        spec: the model spec as trained.
        config: dataset id, data_dir, limit, seed, image_size, image_shape,
            num_classes, class_names, training (hyper-parameters), augment, created.
        status: status.json: status, message, updated, pid, and once finished
            test_accuracy, fit_seconds, images_per_second, epochs_completed.
    """

    id: str
    dir: Path
    spec: ModelSpec
    config: dict[str, Any]
    status: dict[str, Any]

    @classmethod
    def read(cls, run_dir: str | os.PathLike) -> Run:
        """Read a run directory.

        Raises:
            CnnvizError: spec.json, config.json or status.json missing or unreadable.
        """
        run_dir = Path(run_dir)
        status = read_status(run_dir)
        spec = ModelSpec.from_dict(read_json(run_dir / SPEC_FILE))
        config = read_json(run_dir / CONFIG_FILE)
        return cls(run_dir.name, run_dir, spec, config, status)

    @property
    def state(self) -> str:
        """The status word: one of STATUSES."""
        return self.status["status"]

    @property
    def test_accuracy(self) -> float | None:
        return self.status.get("test_accuracy")

    def history(self) -> dict[str, list[float]]:
        """Per-epoch metrics from history.csv, e.g. {"loss": [...], "val_loss": [...]}.

        Returns:
            One list per column except "epoch"; empty when no epoch has finished.
        """
        path = self.dir / HISTORY_FILE
        if not path.is_file():
            return {}
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        columns = [c for c in (rows[0].keys() if rows else []) if c and c != "epoch"]
        return {c: [_number(row.get(c)) for row in rows] for c in columns}

    def metrics(self) -> ClassificationMetrics | None:
        """The test metrics, or None when the run did not get that far."""
        path = self.dir / METRICS_FILE
        if not path.is_file():
            return None
        return ClassificationMetrics.from_dict(read_json(path))

    def model(self):
        """The trained keras.Model: rebuilt from the validated spec, weights loaded from
        model.keras (never deserialised from the file, so it runs no code from it).

        Raises:
            CnnvizError: the run saved no model.
        """
        path = self.dir / MODEL_FILE
        if not path.is_file():
            raise CnnvizError(
                f"run {self.id} has no trained model ({self.state}: "
                f"{self.status.get('message') or 'no message'}); train it again"
            )
        from cnnviz.build import build_model
        from cnnviz.spec import validate

        report = validate(
            self.spec,
            input_shape=self.config.get("image_shape"),
            num_classes=self.config.get("num_classes"),
        )
        model = build_model(report)
        model.load_weights(path)
        return model

    def to_dict(self) -> dict[str, Any]:
        """A summary row for listings (`runs --json`)."""
        training = self.config.get("training", {})
        return {
            "run_id": self.id,
            "run_dir": str(self.dir),
            "status": self.state,
            "message": self.status.get("message", ""),
            "model": self.spec.name,
            "dataset": self.config.get("dataset"),
            "epochs": training.get("epochs"),
            "epochs_completed": self.status.get("epochs_completed"),
            "test_accuracy": self.test_accuracy,
            "created": self.config.get("created"),
            "updated": self.status.get("updated"),
        }


def _number(text: str | None) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return float("nan")


def new_run_dir(name: str, *, runs_dir: str | os.PathLike | None = None) -> Path:
    """Create an empty, uniquely named run folder, e.g. runs/20261129-193000-cnn-ab12.

    Ids sort by creation time (to the second) and end in 4 random hex digits.
    """
    from cnnviz.build import safe_name

    root = runs_root(runs_dir)
    root.mkdir(parents=True, exist_ok=True)
    for _ in range(100):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = root / f"{stamp}-{safe_name(name)}-{secrets.token_hex(2)}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise CnnvizError(f"could not create a new run folder in {root}")


def create_run(
    spec: ModelSpec,
    config: dict[str, Any],
    *,
    runs_dir: str | os.PathLike | None = None,
    status: str = "queued",
    message: str = "",
) -> Run:
    """A new run folder holding spec.json, config.json (with "created") and status.json.

    Raises:
        OSError: the folder could not be written (full disk, no permission).
    """
    run_dir = new_run_dir(spec.name, runs_dir=runs_dir)
    config = {**config, "created": config.get("created") or now_iso()}
    write_json(run_dir / SPEC_FILE, spec.to_dict())
    write_json(run_dir / CONFIG_FILE, config)
    document = write_status(run_dir, status, message)
    return Run(run_dir.name, run_dir, spec, config, document)


def _is_run_dir(path: Path) -> bool:
    return path.is_dir() and (path / STATUS_FILE).is_file()


def list_runs(runs_dir: str | os.PathLike | None = None) -> list[Run]:
    """Every readable run under the root, newest first (runs that died read as
    "interrupted"; folders that are not runs are skipped)."""
    root = runs_root(runs_dir)
    if not root.is_dir():
        return []
    runs = []
    for path in sorted(root.iterdir(), key=lambda p: p.name, reverse=True):
        if not _is_run_dir(path):
            continue
        try:
            runs.append(Run.read(path))
        except CnnvizError:
            continue
    return runs


def load_run(identifier: str | os.PathLike, runs_dir: str | os.PathLike | None = None) -> Run:
    """A run by id (or a unique start of one) under the root, or by its folder's path.

    Raises:
        CnnvizError: no such run, or an id start that matches several runs.
    """
    text = str(identifier).strip()
    root = runs_root(runs_dir)
    if not text:
        raise CnnvizError("no run given; name a run id (see `python -m cnnviz runs`)")
    for candidate in (Path(text), root / text):
        if _is_run_dir(candidate):
            return Run.read(candidate)
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


def delete_run(identifier: str | os.PathLike, runs_dir: str | os.PathLike | None = None) -> None:
    """Delete a run's folder.

    Raises:
        CnnvizError: no such run, or it is still queued or running (stop it first).
    """
    run = load_run(identifier, runs_dir)
    if run.state in ACTIVE:
        raise CnnvizError(f"run {run.id} is still {run.state}; stop it before deleting it")
    shutil.rmtree(run.dir)
