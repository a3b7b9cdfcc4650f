"""The vocabulary of a training job: its status words and the events it sends.

Every producer (the metric stream of `fit`, `train`, the job runners) sends these typed
events, and every reader (progress, the Train page, the command line) reads them:

- `BatchEvent`: a batch has ended (at most ~10 a second), with the running loss.
- `EpochEvent`: an epoch has ended (or was cut short: `partial`), with its metrics.
- `StatusEvent`: the job's status word changed (queued, running, ... see `STATUSES`).

`to_dict` / `event_from_dict` carry them across a process or a cluster as plain JSON.
The status words are also the words of a run folder's status.json.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

__all__ = [
    "ACTIVE",
    "ENDED",
    "STATUSES",
    "WITH_WEIGHTS",
    "BatchEvent",
    "Emit",
    "EpochEvent",
    "Event",
    "StatusEvent",
    "event_from_dict",
]

STATUSES = ("queued", "running", "completed", "stopped", "failed", "interrupted")
ACTIVE = ("queued", "running")  # statuses that need a living process behind them
ENDED = ("completed", "stopped", "failed", "interrupted")
WITH_WEIGHTS = ("completed", "stopped", "interrupted")  # runs that may hold a trained model


@dataclass(frozen=True)
class _Step:
    """Where training is, when a batch or an epoch ends.

    Attributes:
        epoch, epochs: the current epoch (1-based) and the number planned.
        batch, batches: the batch within the epoch (1-based) and batches per epoch.
        elapsed: seconds since training began.
        images_per_second: training images seen so far / elapsed.
        eta: seconds left at the speed so far, or None before the first batch.
        logs: what Keras logged: loss and accuracy, and val_loss and val_accuracy
            (plus any other metric) at an epoch's end.
    """

    epoch: int
    epochs: int
    batch: int
    batches: int
    elapsed: float
    images_per_second: float
    eta: float | None
    logs: dict[str, float] = field(default_factory=dict)

    @property
    def loss(self) -> float:
        return self.logs.get("loss", float("nan"))

    @property
    def accuracy(self) -> float:
        return self.logs.get("accuracy", float("nan"))

    @property
    def val_loss(self) -> float | None:
        return self.logs.get("val_loss")

    @property
    def val_accuracy(self) -> float | None:
        return self.logs.get("val_accuracy")

    def to_dict(self) -> dict[str, Any]:
        data = {"kind": self.kind}
        data.update({f.name: getattr(self, f.name) for f in fields(self) if f.name != "logs"})
        return {**data, **self.logs}


@dataclass(frozen=True)
class BatchEvent(_Step):
    """A batch has ended (sent at most ~10 times a second)."""

    kind: ClassVar[str] = "batch"


@dataclass(frozen=True)
class EpochEvent(_Step):
    """An epoch has ended; `partial` when a stop cut it short (its metrics then cover
    only the batches that ran)."""

    partial: bool = False
    kind: ClassVar[str] = "epoch"


@dataclass(frozen=True)
class StatusEvent:
    """The job's status changed.

    Attributes:
        status: one of STATUSES.
        message: what happened, for people.
        test_accuracy: once tested.
    """

    status: str
    message: str = ""
    test_accuracy: float | None = None
    kind: ClassVar[str] = "status"

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}. Received: status={self.status!r}")

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "status": self.status,
            "message": self.message,
            "test_accuracy": self.test_accuracy,
        }


Event = BatchEvent | EpochEvent | StatusEvent
Emit = Callable[[Event], None]
_STEP_FIELDS = {f.name for f in fields(EpochEvent)} - {"logs"}


def event_from_dict(data: dict[str, Any]) -> Event:
    """The event a `to_dict` document describes.

    Raises:
        ValueError: no known "kind".
    """
    kind = data.get("kind")
    if kind == "status":
        return StatusEvent(data["status"], data.get("message", ""), data.get("test_accuracy"))
    if kind not in ("batch", "epoch"):
        raise ValueError(f"not an event: kind {kind!r}")
    known = {k: v for k, v in data.items() if k in _STEP_FIELDS}
    logs = {k: float(v) for k, v in data.items() if k not in _STEP_FIELDS and k != "kind"}
    if kind == "batch":
        known.pop("partial", None)
        return BatchEvent(**known, logs=logs)
    return EpochEvent(**known, logs=logs)
