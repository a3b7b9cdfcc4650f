"""What training curves say: the rules that read a run's per-epoch history.

Each rule looks at the loss and accuracy curves (training and validation) for one
problem and returns a `Finding` (what it saw, with the numbers, and the next experiment
to try) or None. The coach (`cnnviz.coach`) runs them together with the checks that
need the data or the model. The thresholds are the constants below, each with its
reason; "at the end" always means the mean of the last `WINDOW` epochs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "KINDS",
    "TITLES",
    "Curves",
    "Finding",
    "curve_findings",
    "healthy",
    "learning_rate_too_high",
    "not_converged",
    "not_learning",
    "overfitting",
    "underfitting",
]

# One epoch's value is noisy on a small validation set (on the digits one of 180
# validation images is half a point), so trends are read over the last 3 epochs.
WINDOW = 3
# Cross-entropy moves by a few hundredths when a few images' confidence changes:
# smaller changes are noise, whatever their share of a loss that is already tiny.
MIN_LOSS_CHANGE = 0.02
# Overfitting: training accuracy 10 points above validation accuracy at the end (a
# healthy digits run keeps within ~3), or a validation loss that ended 25% (and
# MIN_LOSS_CHANGE) above its lowest, reached WINDOW or more epochs earlier, while the
# training loss kept falling (a healthy 12-epoch digits run rises ~20% and 0.014).
GAP = 0.10
VAL_LOSS_RISE = 0.25
# Underfitting: both accuracies below 60% of the way from guessing to 100% (64% for 10
# classes, 80% for 2) and still gaining a point an epoch or more.
LOW_SHARE = 0.6
RISING = 0.01
# Not converged: the loss (validation, else training) still fell 5% an epoch (and
# MIN_LOSS_CHANGE) at the end. The loss, not the accuracy: accuracy moves in steps of
# one validation image, the loss moves smoothly (a healthy 10-epoch digits run ends
# falling 0.008 an epoch).
IMPROVING = 0.05
# Learning rate too high: accuracy never 10% of the way from guessing to 100% (with a
# rate above Keras's default for that optimizer: a smaller one may just be slow); a loss
# that ends above where it began, becomes NaN, or goes up by more than 5% (and
# MIN_LOSS_CHANGE) in two epochs or more (an epoch's loss averages all its batches, so
# with a fitting rate it falls nearly every epoch). A loss 10 times what guessing costs
# (ln of the number of classes) is quoted as a blow-up.
STUCK_SHARE = 0.1
USUAL_RATES = {"adam": 0.001, "rmsprop": 0.001, "sgd": 0.01}  # Keras's defaults
OSCILLATION_RISE = 0.05
OSCILLATIONS = 2
EXPLODE = 10.0

KINDS = (  # the warnings, in the order they are listed
    "learning_rate_too_high",
    "not_learning",
    "overfitting",
    "underfitting",
    "not_converged",
    "class_imbalance",
    "dead_filters",
)
TITLES = {
    "learning_rate_too_high": "The learning rate looks too high",
    "not_learning": "It is not learning",
    "overfitting": "Overfitting: it learns the training images by heart",
    "underfitting": "Underfitting: it has not learned enough yet",
    "not_converged": "Still improving when training stopped",
    "class_imbalance": "Some classes have far fewer images",
    "dead_filters": "Some filters never fire",
    "no_validation": "No validation images",
    "no_epochs": "No epoch finished",
    "dataset_unavailable": "The dataset could not be reloaded",
    "healthy": "Healthy run",
}


@dataclass(frozen=True)
class Finding:
    """One thing the coach noticed.

    Attributes:
        kind: one of KINDS (a warning) or an informative note ("healthy", ...).
        evidence: what was seen, with the numbers.
        suggestion: the next experiment to try.
        warning: False for notes that need no fixing.
    """

    kind: str
    evidence: str
    suggestion: str
    warning: bool = True

    @property
    def title(self) -> str:
        """A heading for people, e.g. "Overfitting: it learns the training images by heart"."""
        return TITLES.get(self.kind, self.kind.replace("_", " "))

    def to_dict(self) -> dict[str, Any]:
        """One entry of the `diagnose --json` document."""
        return {
            "kind": self.kind,
            "evidence": self.evidence,
            "suggestion": self.suggestion,
            "level": "warning" if self.warning else "info",
        }


@dataclass(frozen=True, eq=False)
class Curves:
    """A run's four curves, float ndarrays of shape (epochs,); None where not logged."""

    loss: np.ndarray | None
    accuracy: np.ndarray | None
    val_loss: np.ndarray | None
    val_accuracy: np.ndarray | None

    @classmethod
    def from_history(cls, history: dict[str, Sequence[float]]) -> Curves:
        """The curves of a `Run.history()` dict (other columns are ignored)."""

        def series(key):
            values = np.asarray(history.get(key) or [], dtype=np.float64)
            return values if len(values) else None

        return cls(*(series(k) for k in ("loss", "accuracy", "val_loss", "val_accuracy")))


def _end(values: np.ndarray) -> float:
    return float(np.mean(values[-WINDOW:]))


def _slope(values: np.ndarray) -> float:
    """The change per epoch over the last WINDOW epochs (0 with one epoch)."""
    w = min(WINDOW, len(values))
    return float((values[-1] - values[-w]) / (w - 1)) if w > 1 else 0.0


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _sentence(signs: list[str]) -> str:
    text = "; ".join(signs)
    return text[:1].upper() + text[1:] + "."


def _stuck(c: Curves, chance: float) -> bool:
    """Training accuracy never got STUCK_SHARE of the way from guessing to 100%."""
    acc = c.accuracy
    return (
        acc is not None and len(acc) >= 2 and np.nanmax(acc) <= chance + STUCK_SHARE * (1 - chance)
    )


def learning_rate_too_high(
    c: Curves, *, chance: float, classes: int, rate: float | None, optimizer: str | None
) -> Finding | None:
    """A loss that blows up, climbs or zig-zags, or accuracy stuck at guessing with a
    rate above Keras's default for the optimizer."""
    loss, signs, epochs = c.loss, [], len(c.loss)
    finite = loss[np.isfinite(loss)]
    if len(finite) < epochs:
        bad = int(np.flatnonzero(~np.isfinite(loss))[0])
        signs.append(f"the training loss became NaN (not a number) in epoch {bad + 1}")
    elif epochs >= 2 and loss[-1] > loss[0] + MIN_LOSS_CHANGE:
        signs.append(
            f"the training loss ended higher ({loss[-1]:.3g}) than it began ({loss[0]:.3g})"
        )
    steps = np.diff(finite)
    ups = np.flatnonzero((steps > OSCILLATION_RISE * finite[:-1]) & (steps > MIN_LOSS_CHANGE))
    if len(ups) >= OSCILLATIONS:
        where = ", ".join(str(i + 2) for i in ups[:4])
        signs.append(f"the training loss went up in {len(ups)} of {epochs - 1} epochs ({where})")
    if _stuck(c, chance) and (rate is None or rate > USUAL_RATES.get(optimizer or "", 0.001)):
        signs.append(
            f"training accuracy stayed at {_pct(np.nanmin(c.accuracy))}-"
            f"{_pct(np.nanmax(c.accuracy))} in all {epochs} epochs, what guessing gets "
            f"({_pct(chance)})"
        )
    if not signs:
        return None
    guess = math.log(max(classes, 2))
    if len(finite) and finite.max() > EXPLODE * guess:
        worst = int(np.nanargmax(np.where(np.isfinite(loss), loss, -np.inf)))
        signs.append(
            f"in epoch {worst + 1} it reached {loss[worst]:.3g}, "
            f"{loss[worst] / guess:.0f} times what guessing costs ({guess:.2f})"
        )
    lower = f", from {rate:g} to {rate / 10:g}" if rate else ""
    return Finding(
        "learning_rate_too_high",
        _sentence(signs),
        f"Lower the learning rate ten times{lower}, and train again: smaller steps stop "
        "the weights from overshooting.",
    )


def not_learning(c: Curves, *, chance: float, rate: float | None) -> Finding | None:
    """Accuracy stuck at guessing with a usual or small learning rate."""
    if not _stuck(c, chance):
        return None
    with_rate = f", with a learning rate of {rate:g}" if rate else ""
    return Finding(
        "not_learning",
        f"Training accuracy stayed at {_pct(np.nanmax(c.accuracy))} or less in all "
        f"{len(c.accuracy)} epochs, what guessing gets ({_pct(chance)}){with_rate}.",
        "Check that the images and classes match (Data page), then try a larger learning "
        "rate (ten times) or more epochs.",
    )


def overfitting(c: Curves) -> Finding | None:
    """A wide training/validation accuracy gap, or validation loss rising while the
    training loss falls."""
    signs, best_epoch = [], None
    if c.accuracy is not None and c.val_accuracy is not None:
        train, val = _end(c.accuracy), _end(c.val_accuracy)
        if train - val > GAP:
            signs.append(
                f"training accuracy is {_pct(train)} but validation accuracy only "
                f"{_pct(val)} over the last epochs, a gap of {(train - val) * 100:.0f} points"
            )
    val_loss, loss = c.val_loss, c.loss
    if val_loss is not None and len(val_loss) > WINDOW:
        best = int(np.nanargmin(val_loss))
        low, end = val_loss[best], _end(val_loss)
        rose = end >= low * (1 + VAL_LOSS_RISE) and end - low >= MIN_LOSS_CHANGE
        if best < len(val_loss) - WINDOW and rose and loss[-1] < loss[best]:
            best_epoch = best + 1
            signs.append(
                f"validation loss rose from {low:.3g} (epoch {best_epoch}) to {val_loss[-1]:.3g} "
                f"while training loss fell from {loss[best]:.3g} to {loss[-1]:.3g}"
            )
    if not signs:
        return None
    stop = f"train for {best_epoch} epochs (its best) or " if best_epoch else ""
    return Finding(
        "overfitting",
        _sentence(signs),
        f"Make memorising harder: {stop}add a Dropout layer before the Dense layers, "
        "augment the training images (Augment page), or use fewer filters and units.",
    )


def underfitting(c: Curves, *, chance: float) -> Finding | None:
    """Both accuracies low, and still rising at the end."""
    if c.accuracy is None or len(c.accuracy) < 2:
        return None
    watched = c.val_accuracy if c.val_accuracy is not None else c.accuracy
    last = [float(v[-1]) for v in (c.accuracy, c.val_accuracy) if v is not None]
    if max(last) >= chance + LOW_SHARE * (1 - chance) or _slope(watched) < RISING:
        return None
    return Finding(
        "underfitting",
        f"After {len(c.accuracy)} epochs training accuracy is "
        f"{' and validation '.join(_pct(v) for v in last)} (guessing gets {_pct(chance)}), "
        f"and still rising {_slope(watched) * 100:.0f} points an epoch.",
        f"Train longer (try {2 * len(c.accuracy)} epochs) and give the model more to learn "
        "with: more filters, or one more Conv2D + MaxPooling2D block.",
    )


def not_converged(c: Curves) -> Finding | None:
    """The loss (validation, else training) still falling at the last epoch."""
    validated = c.val_loss is not None
    watched, name = (c.val_loss, "validation") if validated else (c.loss, "training")
    epochs = len(c.loss)
    if epochs < 2:
        return Finding(
            "not_converged",
            "Only 1 epoch: one point on a curve shows no trend.",
            "Train for more epochs (try 10) and watch where the loss levels off.",
        )
    fall, w = -_slope(watched), min(WINDOW, epochs)
    if fall < max(IMPROVING * abs(_end(watched)), MIN_LOSS_CHANGE):
        return None
    return Finding(
        "not_converged",
        f"In the last {w} epochs the {name} loss went from {watched[-w]:.3g} to "
        f"{watched[-1]:.3g}, {fall:.2g} less each epoch: it was still improving at the end.",
        f"Train for more epochs (try {2 * epochs}), and stop when the {name} loss levels off.",
    )


def healthy(c: Curves) -> Finding:
    """The note for a run with no warning."""
    seen = c.val_accuracy if c.val_accuracy is not None else c.accuracy
    where = "validation" if c.val_accuracy is not None else "training"
    level = f"{where} accuracy {_pct(_end(seen))} at the end, " if seen is not None else ""
    return Finding(
        "healthy",
        f"Nothing stands out: {level}curves level, no sign of over- or underfitting.",
        "Now find its limits: make the model smaller, train it on fewer images, or try "
        "a harder dataset, and compare the runs on the Compare page.",
        warning=False,
    )


def curve_findings(
    c: Curves, *, chance: float, classes: int, rate: float | None, optimizer: str | None
) -> list[Finding]:
    """Every rule on one run's curves.

    A run whose learning rate is too high, or that learns nothing, has no other curve
    worth reading; an overfitting run is not told to train longer; an underfitting run
    is also unconverged, and told to train longer once.

    Args:
        c: the run's curves.
        chance: the accuracy of guessing (the largest class's share of the images).
        classes: the number of classes (what guessing costs in loss: ln of it).
        rate, optimizer: the run's learning rate and optimizer, when known.
    """
    if c.loss is None:
        return [
            Finding(
                "no_epochs",
                "No epoch finished, so there are no curves to read.",
                "Train for at least a few epochs; if the run failed, its message says why.",
                warning=False,
            )
        ]
    found = [
        learning_rate_too_high(c, chance=chance, classes=classes, rate=rate, optimizer=optimizer)
        or not_learning(c, chance=chance, rate=rate)
    ]
    if found[0] is None:
        found.append(overfitting(c))
        if found[1] is None:  # more epochs would only make an overfitting run worse
            found.append(underfitting(c, chance=chance) or not_converged(c))
    if c.val_loss is None:
        found.append(
            Finding(
                "no_validation",
                "The run held out no validation images, so overfitting cannot be seen.",
                "Set a validation split (e.g. 0.1) to watch the validation curves.",
                warning=False,
            )
        )
    return [f for f in found if f is not None]
