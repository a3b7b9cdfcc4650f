"""The coach: what a run's curves and numbers say, in plain words, and what to try next.

`diagnose` reads a run's per-epoch history (the rules of `cnnviz.curves`), its training
images per class and the convolution channels that never fire, and returns findings,
each with its kind, the evidence it saw (the numbers) and one next experiment.
`diagnose_run` gathers those inputs for a run on disk. A healthy run gets no warning,
only a `healthy` note. The thresholds are documented constants, here and in `curves`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from cnnviz.curves import KINDS, TITLES, Curves, Finding, curve_findings, healthy
from cnnviz.data.dataset import IMBALANCE_RATIO
from cnnviz.errors import CnnvizError

__all__ = ["KINDS", "TITLES", "Finding", "dead_channels", "diagnose", "diagnose_run"]

# Dead filters: a quarter of a convolution layer's channels output 0 on every test
# image. A few dead ReLU channels are normal (the default digits preset has 3-5 of
# 64 in its second layer); a quarter is capacity the model paid for and does not use.
DEAD_SHARE = 0.25
# The scan looks at up to this many test images, evenly spread over the split: a
# channel silent on 1,000 varied images is dead for practical purposes (the lab's
# CIFAR-10 model: 2.4 s for the 10,000 test images on this machine, 0.25 s for 1,000).
DEAD_SCAN_IMAGES = 1_000
# Class imbalance: the largest class has IMBALANCE_RATIO (3) times the training images
# of the smallest, the rule by which the Data page warns (`cnnviz.data.dataset`).


def _class_imbalance(counts, class_names) -> Finding | None:
    if counts is None or not len(counts) or not any(counts):
        return None
    large, small = int(np.argmax(counts)), int(np.argmin(counts))
    if counts[large] <= IMBALANCE_RATIO * counts[small]:
        return None
    return Finding(
        "class_imbalance",
        f"Class {class_names[large]} has {counts[large]:,} training images, class "
        f"{class_names[small]} only {counts[small]:,}: the model can score well by "
        f"mostly answering {class_names[large]}.",
        f"Add images of {class_names[small]} (or use fewer of {class_names[large]}), and "
        "judge the run by the confusion matrix and per-class recall, not accuracy alone.",
    )


def _dead_filters(dead: dict[str, tuple[int, int]] | None) -> Finding | None:
    worst = {name: n for name, n in (dead or {}).items() if n[1] and n[0] >= DEAD_SHARE * n[1]}
    if not worst:
        return None
    listed = "; ".join(f"{name}: {d} of {total}" for name, (d, total) in worst.items())
    return Finding(
        "dead_filters",
        f"Convolution channels that output 0 for every test image scanned ({listed}): "
        "those filters take no part in any answer.",
        "Lower the learning rate (large steps push ReLU filters where they never fire "
        "again), or use fewer filters in that layer.",
    )


def diagnose(
    history: dict[str, Sequence[float]],
    *,
    class_names: Sequence[str],
    class_counts: Sequence[int] | None = None,
    learning_rate: float | None = None,
    optimizer: str | None = None,
    dead: dict[str, tuple[int, int]] | None = None,
) -> list[Finding]:
    """What a run's curves and numbers say, warnings first.

    Args:
        history: per-epoch values {"loss", "accuracy", "val_loss", "val_accuracy"}
            (`Run.history()`; other columns are ignored).
        class_names: one name per class.
        class_counts: training images per class; guessing then means always answering
            the largest class (else 1 / number of classes).
        learning_rate, optimizer: the run's settings, quoted in suggestions.
        dead: convolution layer -> (channels that never fire, channels).

    Returns:
        The warnings in the order of KINDS, then notes ("healthy" when there is no
        warning and the run has curves).
    """
    classes = max(len(class_names), 2)
    counts = None if class_counts is None else np.asarray(class_counts, dtype=np.int64)
    total = 0 if counts is None else int(counts.sum())
    chance = float(counts.max() / total) if total else 1 / classes
    curves = Curves.from_history(history)
    findings = curve_findings(
        curves, chance=chance, classes=classes, rate=learning_rate, optimizer=optimizer
    )
    findings += [f for f in (_class_imbalance(counts, class_names), _dead_filters(dead)) if f]
    if curves.loss is not None and not any(f.warning for f in findings):
        findings.append(healthy(curves))
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(findings, key=lambda f: (not f.warning, order.get(f.kind, len(order))))


def dead_channels(model, images: np.ndarray) -> dict[str, tuple[int, int]]:
    """Convolution layer -> (channels that output 0 on every image, channels), for the
    spec's own convolutions: a pretrained backbone's were learnt on ImageNet (some stay
    silent on a class's photos), and the advice is about the layers a learner chose.

    Args:
        model: a trained Keras model.
        images: float pixels as the model takes them, shape (N, H, W, C).
    """
    from cnnviz.features import channel_peaks, conv_layer_names

    own = conv_layer_names(model, inside_backbones=False)
    peaks = channel_peaks(model, images, layers=own)
    return {name: (int(np.sum(p <= 0)), int(len(p))) for name, p in peaks.items()}


def diagnose_run(
    run, *, model=None, dataset=None, data_dir: str | None = None, load=None, viewer=None
) -> list[Finding]:
    """The coach's findings on a run on disk (`diagnose` with the run's inputs).

    Args:
        run: a `cnnviz.runs.Run`.
        model: its trained model when already loaded (else loaded when it has one).
        dataset: its dataset when already loaded (else `evaluate.run_dataset`); when it
            cannot be reloaded, class balance and dead filters are not checked (a note
            says so).
        data_dir: TFDS cache directory.
        load: what loads the run's dataset (see `evaluate.run_dataset`).
        viewer: who looks (`cnnviz.viewers.Viewer`; None: the command line): without
            the right to see the run's images, its filters are not scanned on them.

    Raises:
        CnnvizError: the run never read its dataset (it waits, or was stopped before it
            began), or its config is damaged.
    """
    from cnnviz.data import rescale
    from cnnviz.evaluate import run_dataset

    config = run.data_config("diagnose")
    names = [str(n) for n in config.get("class_names") or []]
    training = config.get("training") or {}
    notes = []
    if dataset is None:
        try:
            dataset = run_dataset(run, data_dir=data_dir, load=load, viewer=viewer)
        except CnnvizError as err:
            notes.append(
                Finding(
                    "dataset_unavailable",
                    f"{err}.",
                    "Make the dataset available again to check its balance and the filters.",
                    warning=False,
                )
            )
    counts, dead = None, None
    if dataset is not None:
        counts = dataset.info.per_class["train"]
        if model is None and run.has_model:
            model = run.model()
        if model is not None:
            images = dataset.test.images
            step = max(1, math.ceil(len(images) / DEAD_SCAN_IMAGES))  # all classes, <= 1,000
            dead = dead_channels(model, rescale(images[::step]))
    findings = diagnose(
        run.history(),
        class_names=names,
        class_counts=counts,
        learning_rate=training.get("learning_rate"),
        optimizer=training.get("optimizer"),
        dead=dead,
    )
    return findings + notes
