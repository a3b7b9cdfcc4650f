"""Runs on disk, read: a run folder as a `Run`, listing, finding one by id, deleting.

Every training run is a folder that outlives the process (see `cnnviz.rundir`, the one
module that writes them). A run is found by its id, a unique start of one, or its
folder's path; listings are newest first, and a folder that is not a run is skipped.
"""

from __future__ import annotations

import csv
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnnviz import memory, rundir
from cnnviz.errors import CnnvizError
from cnnviz.events import ACTIVE, WITH_WEIGHTS
from cnnviz.files import read_json
from cnnviz.metrics import ClassificationMetrics
from cnnviz.rundir import (
    CONFIG_FILE,
    EPOCH_FILE,
    EPOCHS_DIR,
    HISTORY_FILE,
    METRICS_FILE,
    MODEL_FILE,
    SPEC_FILE,
)
from cnnviz.runstatus import STATUS_FILE, read_status
from cnnviz.spec import ModelSpec, Report, validate

__all__ = [
    "Run",
    "create_run",
    "delete_run",
    "list_runs",
    "load_run",
    "trained_config",
    "trained_runs",
]


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
        if not isinstance(config, dict):
            raise CnnvizError(f"{run_dir / CONFIG_FILE} is not a JSON object; the run is damaged")
        return cls(run_dir.name, run_dir, spec, config, status)

    @property
    def state(self) -> str:
        """The status word: one of STATUSES."""
        return self.status["status"]

    @property
    def test_accuracy(self) -> float | None:
        return self.status.get("test_accuracy")

    @property
    def owner(self) -> str | None:
        """The desk that started the run (None for runs of the command line)."""
        return self.config.get("owner")

    @property
    def has_model(self) -> bool:
        """True when the run has trained weights to look at: its final model, or (a run
        interrupted mid-way) the weights of a finished epoch."""
        return self.state in WITH_WEIGHTS and (
            (self.dir / MODEL_FILE).is_file() or bool(self.epochs())
        )

    def epochs(self) -> list[int]:
        """The epochs whose weights are kept in epochs/ (1-based), first first."""
        folder = self.dir / EPOCHS_DIR
        if not folder.is_dir():
            return []
        found = (EPOCH_FILE.fullmatch(p.name) for p in folder.iterdir())
        return sorted(int(m.group(1)) for m in found if m)

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

    @property
    def read_data(self) -> bool:
        """True once training has read the run's dataset (its config records the image
        shape and classes); False while it waits, or when it was stopped before it began."""
        return "image_shape" in self.config

    def data_config(self, doing: str) -> dict[str, Any]:
        """The config, checked to hold what training recorded of the data (see
        `trained_config`), before `doing` something with it.

        Args:
            doing: what needs the data, for the message, e.g. "evaluate".

        Raises:
            CnnvizError: the run never read its dataset (it has no weights and no image
                shape), or its config is damaged.
        """
        if not self.read_data and not self.has_model:  # with weights, it is damaged
            raise CnnvizError(
                f"run {self.id} never read its dataset (it is {self.state}), so there is "
                f"nothing to {doing}; train it first"
            )
        return trained_config(self.config, f"run {self.id}'s config.json")

    def report(self) -> Report:
        """The spec checked against the run's images and classes (`cnnviz.spec.Report`:
        each layer's output shape and parameters, and `total_params`).

        Raises:
            SpecError: the spec no longer fits the run's config (a damaged run).
        """
        return validate(
            self.spec,
            input_shape=self.config.get("image_shape"),
            num_classes=self.config.get("num_classes"),
        )

    def model(self, epoch: int | None = None):
        """The trained keras.Model: rebuilt from the validated spec, weights loaded from
        the run's files (never deserialised from them, so no code in them runs).

        Args:
            epoch: the weights after this epoch (1-based, from epochs/); None for the
                final model, or, when the run was interrupted before saving one, the
                weights of its last finished epoch.

        Raises:
            CnnvizError: the run has no such weights, or its weights file is damaged.
        """
        path = self.weights_file(epoch)
        from cnnviz.build import build_model

        self.data_config("open")
        report = self.report()
        memory.check_fits(
            memory.model_memory(report),
            memory.free_memory(),
            doing=f"opening run {self.id}'s model",
            fix="Free some memory, or open it on a larger machine",
        )
        model = build_model(report)
        try:
            model.load_weights(path)
        except Exception as err:  # Keras, h5py and zipfile raise many kinds for a bad file
            reason = str(err).strip().splitlines()[0][:160] if str(err).strip() else ""
            raise CnnvizError(
                f"run {self.id}'s model file is damaged ({path.name}: "
                f"{reason or type(err).__name__}); train it again or delete the run"
            ) from None
        return model

    def weights_file(self, epoch: int | None = None) -> Path:
        """The file holding the weights asked for (see `model`).

        Raises:
            CnnvizError: the run has no such weights.
        """
        kept = self.epochs()
        if epoch is None:
            if (self.dir / MODEL_FILE).is_file():
                return self.dir / MODEL_FILE
            if kept:
                return rundir.epoch_file(self.dir, kept[-1])
            raise CnnvizError(
                f"run {self.id} has no trained model ({self.state}: "
                f"{self.status.get('message') or 'no message'}); train it again"
            )
        if epoch not in kept:
            listed = ", ".join(map(str, kept[:20])) + (" ..." if len(kept) > 20 else "")
            raise CnnvizError(
                f"run {self.id} has no weights after epoch {epoch!r}; it kept the epochs {listed}"
                if kept
                else f"run {self.id} kept no per-epoch weights"
            )
        return rundir.epoch_file(self.dir, epoch)

    def to_dict(self) -> dict[str, Any]:
        """A summary row for listings (`runs --json`)."""
        training = self.config.get("training", {})
        return {
            "run_id": self.id,
            "run_dir": str(self.dir),
            "status": self.state,
            "message": self.status.get("message", ""),
            "model": self.spec.name,
            "owner": self.owner,
            "runner": self.config.get("runner"),
            "dataset": self.config.get("dataset"),
            "epochs": training.get("epochs"),
            "epochs_completed": self.status.get("epochs_completed"),
            "test_accuracy": self.test_accuracy,
            "created": self.config.get("created"),
            "updated": self.status.get("updated"),
        }


def trained_config(config: Any, where: str) -> dict[str, Any]:
    """A trained run's config, with what its model needs checked for type: the dataset,
    image_shape [height, width, channels], num_classes and that many class_names.

    Args:
        where: how to call the config in messages, e.g. "config.json in shared.zip".

    Raises:
        CnnvizError: something missing or of the wrong type, named.
    """
    if not isinstance(config, dict):
        raise CnnvizError(f"{where} must be a JSON object")
    shape, classes, names = (config.get(k) for k in ("image_shape", "num_classes", "class_names"))
    ok_shape = (
        isinstance(shape, list)
        and len(shape) == 3
        and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in shape)
    )
    ok_classes = isinstance(classes, int) and not isinstance(classes, bool) and classes >= 2
    ok_names = isinstance(names, list) and all(isinstance(n, str) for n in names)
    if not (ok_shape and ok_classes and ok_names and len(names) == classes):
        raise CnnvizError(
            f"{where} needs image_shape [height, width, channels], "
            f"num_classes (2 or more) and that many class_names. "
            f"Received: image_shape={shape!r}, num_classes={classes!r}, "
            f"class_names={str(names)[:80]}"
        )
    if not isinstance(config.get("dataset"), str):
        raise CnnvizError(f"{where} does not name its dataset")
    return config


def _number(text: str | None) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return float("nan")


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


def delete_run(identifier: str | os.PathLike, runs_dir: str | os.PathLike | None = None) -> None:
    """Delete a run's folder.

    Raises:
        CnnvizError: no such run, or it is still queued or running (stop it first).
    """
    run = load_run(identifier, runs_dir)
    if run.state in ACTIVE:
        raise CnnvizError(f"run {run.id} is still {run.state}; stop it before deleting it")
    shutil.rmtree(run.dir)
