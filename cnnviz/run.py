"""One run folder, read: its spec, config, status, history, metrics, epochs and model.

A `Run` is what `cnnviz.rundir` wrote (and `cnnviz.runstatus` keeps current), read back
once; `stamp` says cheaply (file times only) whether anything of it changed since.
Finding, listing and deleting runs is `cnnviz.runs`'s.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnnviz import memory, rundir
from cnnviz.errors import CnnvizError
from cnnviz.events import WITH_WEIGHTS
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
    class_accuracy_key,
)
from cnnviz.runstatus import STATUS_FILE, read_status
from cnnviz.spec import ModelSpec, Report, validate

__all__ = ["Run", "run_stamp", "trained_config"]

STAMPED = (STATUS_FILE, CONFIG_FILE, MODEL_FILE, EPOCHS_DIR)  # what changes when a run does


def run_stamp(run_dir: str | os.PathLike) -> tuple[int, ...]:
    """When each file that changes with a run last changed (status.json, config.json,
    model.keras, epochs/; 0 when missing), from file times only: equal stamps, the same
    run. A training rewrites status.json every epoch; a retrained or reimported run has
    a new model file."""
    times = []
    for name in STAMPED:
        try:
            times.append(os.stat(os.path.join(run_dir, name)).st_mtime_ns)
        except OSError:
            times.append(0)
    return tuple(times)


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
    def has_final_model(self) -> bool:
        """True when training ended with a saved model file (not only epoch snapshots)."""
        return (self.dir / MODEL_FILE).is_file()

    def stamp(self) -> tuple[int, ...]:
        """`run_stamp` of this run's folder, now."""
        return run_stamp(self.dir)

    def changed_since(self, stamp: tuple[int, ...]) -> bool:
        """Whether any of the run's files changed since `stamp` (from `stamp()`)."""
        return run_stamp(self.dir) != stamp

    def class_accuracy(self) -> list[list[float]] | None:
        """Each class's validation accuracy per epoch (history.csv), class by class; None
        when the run kept none (no validation split, or an older run)."""
        history, names = self.history(), self.config.get("class_names") or []
        curves = [history.get(class_accuracy_key(i)) for i in range(len(names))]
        return None if not names or any(c is None for c in curves) else curves

    @property
    def has_model(self) -> bool:
        """True when the run has trained weights to look at: its final model, or (a run
        interrupted mid-way) the weights of a finished epoch."""
        return self.state in WITH_WEIGHTS and (self.has_final_model or bool(self.epochs()))

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

    @property
    def total_params(self) -> int | None:
        """The model's weight count; None before the run has read its data (its image
        shape is not known yet) or when its spec no longer fits its data (damaged)."""
        if not self.read_data:
            return None
        try:
            return self.report().total_params
        except CnnvizError:
            return None

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
