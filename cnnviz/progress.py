"""What a training job's event stream says so far: progress, speed, and the curves.

The Train page and the command line read a job's events (see `cnnviz.jobs`) and need
the same few facts: how far it is, how fast it goes, when it will end, and the loss and
accuracy so far, per epoch and per batch. `progress_from_events` computes them once;
the figures only draw them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cnnviz.events import ACTIVE, BatchEvent, EpochEvent, Event, StatusEvent

__all__ = ["Progress", "progress_from_events"]

METRICS = ("loss", "accuracy", "val_loss", "val_accuracy")


@dataclass
class Progress:
    """A training job's progress.

    Attributes:
        status: the last status word ("queued", "running", "completed", ...).
        message: the last status message.
        epoch, epochs: the current epoch (1-based) and the number planned.
        batch, batches: the current batch in the epoch (1-based) and batches per epoch.
        fraction: share of all planned batches done, 0 to 1.
        elapsed, eta: seconds since training began, and the estimate left (or None).
        images_per_second: training speed so far.
        history: finished epochs' metrics, e.g. {"loss": [...], "val_accuracy": [...]}.
        batch_curve: per-batch points, {"epoch": [fractional epochs], "loss": [...],
            "accuracy": [...]}, for a live chart between epoch ends.
        test_accuracy: once completed.
    """

    status: str = "queued"
    message: str = ""
    epoch: int = 0
    epochs: int = 0
    batch: int = 0
    batches: int = 0
    fraction: float = 0.0
    elapsed: float = 0.0
    eta: float | None = None
    images_per_second: float = 0.0
    history: dict[str, list[float]] = field(default_factory=dict)
    batch_curve: dict[str, list[float]] = field(default_factory=dict)
    test_accuracy: float | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def label(self) -> str:
        """One line for a progress bar: epoch, batch, ETA and speed."""
        if self.status == "queued":
            return self.message or "waiting for a free slot"
        if not self.epochs:
            return self.message or self.status
        eta = "" if self.eta is None else f" · ETA {_clock(self.eta)}"
        return (
            f"epoch {self.epoch}/{self.epochs} · batch {self.batch}/{self.batches}{eta} · "
            f"{self.images_per_second:,.0f} images/s"
        )

    def news(self) -> str:
        """One sentence for a screen reader's live region: it changes when the status
        does or an epoch ends, never with every batch (a region that changes each second
        would talk over everything else)."""
        if self.status == "queued":
            return "Training is waiting to start."
        if self.status == "running":
            done = len(self.history.get("loss", []))
            if not done:
                return "Training has started: the first epoch is running."
            metric = "val_accuracy" if "val_accuracy" in self.history else "accuracy"
            score = self.history.get(metric, [])
            words = "validation accuracy" if metric == "val_accuracy" else "accuracy"
            tail = f", {words} {score[-1]:.1%}" if score else ""
            return f"Training: epoch {done} of {self.epochs} done{tail}."
        if self.status == "completed" and self.test_accuracy is not None:
            return f"Training completed: test accuracy {self.test_accuracy:.1%}."
        message = f": {self.message}" if self.message else ""
        return f"Training {self.status}{message}."


def _clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}:{secs:02d}" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"


def progress_from_events(events: list[Event]) -> Progress:
    """Fold a job's events (`cnnviz.events`), oldest first, into its progress."""
    progress = Progress(
        history={k: [] for k in METRICS}, batch_curve={"epoch": [], "loss": [], "accuracy": []}
    )
    for event in events:
        if isinstance(event, StatusEvent):
            progress.status, progress.message = event.status, event.message
            if event.test_accuracy is not None:
                progress.test_accuracy = event.test_accuracy
            continue
        if not isinstance(event, (BatchEvent, EpochEvent)):
            continue
        progress.epoch, progress.epochs = event.epoch, event.epochs
        progress.batch, progress.batches = event.batch, event.batches
        progress.elapsed, progress.eta = event.elapsed, event.eta
        progress.images_per_second = event.images_per_second
        done = (progress.epoch - 1) * progress.batches + progress.batch
        total = progress.epochs * progress.batches
        progress.fraction = min(1.0, done / total) if total else 0.0
        if isinstance(event, BatchEvent):
            x = progress.epoch - 1 + progress.batch / max(1, progress.batches)
            progress.batch_curve["epoch"].append(x)
            for name in ("loss", "accuracy"):
                progress.batch_curve[name].append(event.logs.get(name, float("nan")))
        elif not event.partial:
            for name in METRICS:
                if name in event.logs:
                    progress.history[name].append(event.logs[name])
    progress.history = {k: v for k, v in progress.history.items() if v}
    if progress.status == "completed":
        progress.fraction = 1.0
    return progress
