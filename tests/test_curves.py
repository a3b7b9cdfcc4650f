"""The rules that read training curves, on histories written to show each problem
(and on a healthy one that must not), including their thresholds' edges."""

import math

import numpy as np
import pytest

from cnnviz import curves
from cnnviz.curves import Curves, curve_findings

CHANCE = 0.1  # ten balanced classes

HEALTHY = {
    "loss": [1.5, 0.4, 0.15, 0.08, 0.05, 0.04, 0.035, 0.03],
    "val_loss": [0.6, 0.2, 0.1, 0.08, 0.075, 0.07, 0.072, 0.07],
    "accuracy": [0.6, 0.9, 0.95, 0.97, 0.98, 0.985, 0.99, 0.99],
    "val_accuracy": [0.85, 0.93, 0.96, 0.97, 0.97, 0.975, 0.97, 0.975],
}
OVERFITTING = {
    "loss": [2.0, 0.9, 0.4, 0.2, 0.1, 0.05, 0.03, 0.02],
    "val_loss": [1.5, 0.6, 0.3, 0.25, 0.3, 0.4, 0.5, 0.6],
    "accuracy": [0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 1.0, 1.0],
    "val_accuracy": [0.6, 0.8, 0.88, 0.9, 0.88, 0.87, 0.86, 0.85],
}
UNDERFITTING = {
    "loss": [2.3, 2.25, 2.2, 2.1, 2.0],
    "val_loss": [2.28, 2.22, 2.15, 2.06, 1.97],
    "accuracy": [0.15, 0.2, 0.26, 0.31, 0.36],
    "val_accuracy": [0.16, 0.22, 0.27, 0.33, 0.38],
}
OSCILLATING = {
    "loss": [2.2, 1.5, 2.1, 1.3, 1.9, 1.2],
    "val_loss": [2.0, 1.6, 2.2, 1.4, 2.0, 1.3],
    "accuracy": [0.3, 0.5, 0.35, 0.55, 0.4, 0.6],
    "val_accuracy": [0.3, 0.5, 0.3, 0.5, 0.4, 0.6],
}
STUCK = {
    "loss": [2.44, 2.31, 2.31, 2.31, 2.31],
    "val_loss": [2.30, 2.30, 2.30, 2.30, 2.30],
    "accuracy": [0.09, 0.1, 0.09, 0.1, 0.09],
    "val_accuracy": [0.1, 0.1, 0.1, 0.1, 0.1],
}
NOT_CONVERGED = {
    "loss": [1.5, 0.6, 0.35, 0.25],
    "val_loss": [1.0, 0.5, 0.3, 0.2],
    "accuracy": [0.6, 0.85, 0.9, 0.93],
    "val_accuracy": [0.7, 0.86, 0.91, 0.93],
}


def kinds(history, *, rate=0.001, optimizer="adam", chance=CHANCE) -> list[str]:
    found = curve_findings(
        Curves.from_history(history), chance=chance, classes=10, rate=rate, optimizer=optimizer
    )
    return [f.kind for f in found]


@pytest.mark.parametrize(
    "history, expected",
    [
        (HEALTHY, []),
        (OVERFITTING, ["overfitting"]),
        (UNDERFITTING, ["underfitting"]),
        (OSCILLATING, ["learning_rate_too_high"]),
        (NOT_CONVERGED, ["not_converged"]),
    ],
    ids=["healthy", "overfitting", "underfitting", "oscillating", "not_converged"],
)
def test_each_history_shows_its_problem_and_only_it(history, expected):
    assert kinds(history) == expected


def test_overfitting_quotes_the_gap_the_rise_and_the_best_epoch():
    (finding,) = curve_findings(
        Curves.from_history(OVERFITTING), chance=CHANCE, classes=10, rate=0.001, optimizer="adam"
    )
    # the last three epochs: training 99.7%, validation 86%; lowest val loss in epoch 4
    assert finding.evidence.startswith("Training accuracy is 100% but validation accuracy only 86%")
    assert "a gap of 14 points" in finding.evidence
    assert "rose from 0.25 (epoch 4) to 0.6 while training loss fell from 0.2 to 0.02" in (
        finding.evidence
    )
    assert "train for 4 epochs" in finding.suggestion and finding.warning


def test_the_overfitting_thresholds_edges():
    train = HEALTHY["accuracy"]
    just = {**HEALTHY, "val_accuracy": [a - curves.GAP + 0.001 for a in train]}  # 9.9 points
    assert "overfitting" not in kinds(just)
    wide = {**HEALTHY, "val_accuracy": [a - curves.GAP - 0.01 for a in train]}  # 11 points
    assert "overfitting" in kinds(wide)
    # the lowest validation loss two epochs before the end: too recent to call a rise
    late = {**HEALTHY, "val_loss": [*HEALTHY["val_loss"][:6], 0.2, 0.3]}
    assert "overfitting" not in kinds(late)
    # the lowest in epoch 4, the end 24% above it: noise
    small = {**HEALTHY, "val_loss": [0.6, 0.2, 0.1, 0.05, 0.06, 0.062, 0.062, 0.062]}
    assert 0.05 * (1 + curves.VAL_LOSS_RISE) > np.mean(small["val_loss"][-3:])
    assert "overfitting" not in kinds(small)


def test_a_rise_too_small_to_mean_anything_is_noise():
    # +40%, but 0.008 in cross-entropy: a few images' confidence
    tiny = {**HEALTHY, "val_loss": [0.6, 0.2, 0.1, 0.02, 0.025, 0.028, 0.028, 0.028]}
    assert kinds(tiny) == []


def test_stuck_at_guessing_blames_a_high_rate_but_not_a_usual_one():
    assert kinds(STUCK, rate=0.05) == ["learning_rate_too_high"]
    assert kinds(STUCK, rate=0.05, optimizer="sgd") == ["learning_rate_too_high"]
    assert kinds(STUCK, rate=0.001) == ["not_learning"]
    assert kinds(STUCK, rate=0.01, optimizer="sgd") == ["not_learning"]  # sgd's default
    (finding,) = curve_findings(
        Curves.from_history(STUCK), chance=CHANCE, classes=10, rate=0.05, optimizer="adam"
    )
    assert "stayed at 9%-10% in all 5 epochs, what guessing gets (10%)" in finding.evidence
    assert "from 0.05 to 0.005" in finding.suggestion


def test_a_loss_that_blows_up_or_becomes_nan_is_a_rate_too_high():
    diverging = {"loss": [1.0, 1.5, 3.0, 80.0], "accuracy": [0.3, 0.2, 0.1, 0.1]}
    (finding, note) = curve_findings(
        Curves.from_history(diverging), chance=CHANCE, classes=10, rate=0.1, optimizer="adam"
    )
    assert finding.kind == "learning_rate_too_high"
    assert "ended higher (80) than it began (1)" in finding.evidence
    assert f"in epoch 4 it reached 80, {80 / math.log(10):.0f} times" in finding.evidence
    assert note.kind == "no_validation" and not note.warning
    nan = {"loss": [1.2, float("nan")], "accuracy": [0.4, 0.1]}
    assert kinds(nan) == ["learning_rate_too_high", "no_validation"]
    assert (
        "NaN (not a number) in epoch 2"
        in curve_findings(
            Curves.from_history(nan), chance=CHANCE, classes=10, rate=None, optimizer=None
        )[0].evidence
    )


def test_small_ups_of_the_loss_are_not_oscillation():
    wobble = {**HEALTHY, "loss": [1.5, 0.4, 0.15, 0.16, 0.05, 0.055, 0.035, 0.036]}
    assert kinds(wobble) == []  # ups of 0.01 and 0.005: below MIN_LOSS_CHANGE


def test_underfitting_is_not_also_told_to_train_longer_and_a_flat_low_run_is_not_rising():
    assert kinds(UNDERFITTING) == ["underfitting"]
    flat = {k: [v[-1]] * 5 for k, v in UNDERFITTING.items()}
    assert "underfitting" not in kinds(flat)
    binary = {**UNDERFITTING, "accuracy": [0.5, 0.55, 0.6, 0.65, 0.7]}
    binary["val_accuracy"] = [0.5, 0.56, 0.62, 0.68, 0.74]  # below 80% for two classes
    assert "underfitting" in kinds(binary, chance=0.5)
    assert "underfitting" not in kinds(binary, chance=0.1)  # 74% is fine for ten


def test_one_epoch_is_not_converged_and_no_history_has_nothing_to_read():
    one = {k: v[:1] for k, v in HEALTHY.items()}
    assert kinds(one) == ["not_converged"]
    assert kinds({}) == ["no_epochs"]


def test_healthy_note_quotes_the_validation_accuracy():
    note = curves.healthy(Curves.from_history(HEALTHY))
    assert note.kind == "healthy" and not note.warning
    assert "validation accuracy 97% at the end" in note.evidence
    assert note.to_dict() == {
        "kind": "healthy",
        "evidence": note.evidence,
        "suggestion": note.suggestion,
        "level": "info",
    }


def test_every_kind_has_a_title():
    assert set(curves.KINDS) <= set(curves.TITLES)
