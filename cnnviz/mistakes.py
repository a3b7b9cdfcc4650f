"""The images a model got wrong, and how badly: mistakes, a confusion cell's images, the
pairs of classes it mixes up.

`mistakes` picks the misclassified images (one confusion-matrix cell, or all), worst first,
each with its loss (the cross-entropy of that image, as training measured it);
`cell_images` gives any cell's images in the order worth looking at; `most_confused`
ranks the pairs of classes. All read an `cnnviz.evaluate.Evaluation`: the predicted
classes come from the one rule, never recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cnnviz.errors import CnnvizError
from cnnviz.evaluate import Evaluation
from cnnviz.metrics import ClassificationMetrics, ClassScore, top_classes

__all__ = [
    "EPSILON",
    "ConfusedPair",
    "Mistake",
    "cell_images",
    "image_losses",
    "mistakes",
    "most_confused",
]


EPSILON = 1e-7  # Keras's probability clip in its cross-entropy losses (keras.config.epsilon)
ORDERS = ("loss", "confidence")


@dataclass(frozen=True)
class Mistake:
    """One test image and the model's answer: a mistake, or (in a diagonal cell of the
    confusion matrix, `cell_images`) a correct answer.

    Attributes:
        index: position of the image in the set (the test split).
        image: its pixels, shape (H, W, C) as given.
        true: the true class index; true_name its name.
        predicted: the predicted class index (`Evaluation.predicted`); predicted_name its name.
        top: the most probable classes, the predicted one first.
        p_true: the probability the model gave the true class.
        confidence: the probability it gave its answer, the predicted class.
    """

    index: int
    image: np.ndarray
    true: int
    true_name: str
    predicted: int
    predicted_name: str
    top: tuple[ClassScore, ...]
    p_true: float
    confidence: float

    @property
    def correct(self) -> bool:
        return self.true == self.predicted

    @property
    def loss(self) -> float:
        """The image's cross-entropy, -ln p_true (`image_losses`)."""
        return float(image_losses(np.array([self.p_true]))[0])

    def to_dict(self) -> dict[str, Any]:
        """The `mistakes --json` entry: {"index", "true", "predicted", "p_true",
        "confidence", "loss", "top": [{"class", "probability"}]} (classes by name)."""
        return {
            "index": self.index,
            "true": self.true_name,
            "predicted": self.predicted_name,
            "p_true": self.p_true,
            "confidence": self.confidence,
            "loss": self.loss,
            "top": [{"class": s.name, "probability": s.probability} for s in self.top],
        }


def image_losses(p_true: np.ndarray) -> np.ndarray:
    """Each image's cross-entropy from the probability of its true class, as Keras's
    sparse categorical and binary cross-entropy compute it: -ln p, p clipped to
    [EPSILON, 1 - EPSILON] (so a probability of 0 costs about 16.1, not infinity).

    Args:
        p_true: float ndarray of shape (N,).

    Returns:
        float64 ndarray of shape (N,).
    """
    return -np.log(np.clip(np.asarray(p_true, dtype=np.float64), EPSILON, 1.0 - EPSILON))


def _class_index(value: int | str | None, class_names: list[str], what: str) -> int | None:
    """A class given by name or index (a string of digits that is no class name is an
    index, as the command line passes it)."""
    if value is None:
        return None
    if isinstance(value, str) and value in class_names:
        return class_names.index(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, (int, np.integer)) and 0 <= value < len(class_names):
        return int(value)
    raise CnnvizError(
        f"{what} must be a class index 0..{len(class_names) - 1} or a class name. "
        f"Received: {what}={value!r}"
    )


def _checked(images: np.ndarray, y_true: np.ndarray, evaluation: Evaluation) -> np.ndarray:
    y_true = np.asarray(y_true).astype(np.int64)
    if not len(images) == len(y_true) == len(evaluation.probabilities):
        raise CnnvizError(
            "images, labels and probabilities must have one entry per image. Received: "
            f"images={len(images)}, labels={len(y_true)}, "
            f"probabilities={len(evaluation.probabilities)}"
        )
    return y_true


def _ranked(images, y_true, evaluation, class_names, rows, worst, top_k, limit) -> list[Mistake]:
    """Mistake records of `rows`, sorted by `worst` (highest first, ties in order)."""
    probabilities, guesses = evaluation.probabilities, evaluation.predicted
    rows = rows[np.argsort(-np.asarray(worst), kind="stable")][:limit]
    return [
        Mistake(
            int(i),
            images[i],
            int(y_true[i]),
            str(class_names[y_true[i]]),
            int(guesses[i]),
            str(class_names[guesses[i]]),
            tuple(top_classes(probabilities[i], class_names, k=top_k, predicted=guesses[i])),
            float(probabilities[i, y_true[i]]),
            float(probabilities[i, guesses[i]]),
        )
        for i in rows
    ]


def mistakes(
    images: np.ndarray,
    y_true: np.ndarray,
    evaluation: Evaluation,
    class_names: list[str],
    *,
    true: int | str | None = None,
    predicted: int | str | None = None,
    top_k: int = 3,
    limit: int | None = None,
    order: str = "loss",
) -> list[Mistake]:
    """The misclassified images, worst first.

    Filtering by `true` and `predicted` gives the images of one confusion-matrix cell;
    without filters every mistake is listed (as many as the matrix has off its diagonal).

    Args:
        images: ndarray of shape (N, H, W, C).
        y_true: int ndarray of shape (N,).
        evaluation: the model's answers on these images (`evaluate`).
        class_names: one name per class.
        true: keep only images of this true class (index or name).
        predicted: keep only images predicted as this class (index or name).
        top_k: how many class probabilities each mistake keeps.
        limit: at most this many mistakes.
        order: "loss", the highest cross-entropy first (the true class least
            probable), or "confidence", the most confident wrong answer first; ties
            keep the images' order.
    """
    y_true = _checked(images, y_true, evaluation)
    if order not in ORDERS:
        raise CnnvizError(f"order must be one of {', '.join(ORDERS)}. Received: order={order!r}")
    t = _class_index(true, class_names, "true")
    p = _class_index(predicted, class_names, "predicted")
    probabilities, guesses = evaluation.probabilities, evaluation.predicted
    keep = guesses != y_true
    if t is not None:
        keep &= y_true == t
    if p is not None:
        keep &= guesses == p
    rows = np.flatnonzero(keep)
    if order == "loss":
        worst = image_losses(probabilities[rows, y_true[rows]])
    else:
        worst = probabilities[rows, guesses[rows]]
    return _ranked(images, y_true, evaluation, class_names, rows, worst, top_k, limit)


def cell_images(
    images: np.ndarray,
    y_true: np.ndarray,
    evaluation: Evaluation,
    class_names: list[str],
    *,
    true: int | str,
    predicted: int | str,
    top_k: int = 3,
    limit: int | None = None,
) -> list[Mistake]:
    """The images of one confusion-matrix cell, the ones to look at first first.

    Off the diagonal they are mistakes, the most confidently wrong first; on the
    diagonal (true == predicted) they are correct answers, the least confident first.

    Args:
        images, y_true, evaluation, class_names, top_k, limit: as for `mistakes`.
        true: the cell's row, a true class (index or name).
        predicted: the cell's column, a predicted class (index or name).
    """
    t = _class_index(true, class_names, "true")
    p = _class_index(predicted, class_names, "predicted")
    if t != p:
        kept = {"top_k": top_k, "limit": limit, "order": "confidence"}
        return mistakes(images, y_true, evaluation, class_names, true=t, predicted=p, **kept)
    y_true = _checked(images, y_true, evaluation)
    rows = np.flatnonzero((y_true == t) & (evaluation.predicted == t))
    unsure = -evaluation.probabilities[rows, t]
    return _ranked(images, y_true, evaluation, class_names, rows, unsure, top_k, limit)


@dataclass(frozen=True)
class ConfusedPair:
    """A cell off the confusion matrix's diagonal: `count` images of class `true`
    (index; true_name its name) were predicted as `predicted` (predicted_name)."""

    true: int
    true_name: str
    predicted: int
    predicted_name: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        """The `mistakes --json` entry {"true", "predicted", "count"} (classes by name)."""
        return {"true": self.true_name, "predicted": self.predicted_name, "count": self.count}


def most_confused(
    metrics: ClassificationMetrics,
    *,
    true: int | str | None = None,
    predicted: int | str | None = None,
    limit: int | None = None,
) -> list[ConfusedPair]:
    """The pairs of classes the model mixes up, the most mistakes first.

    Args:
        metrics: the `ClassificationMetrics` of an evaluation (its confusion matrix).
        true, predicted: keep only pairs of this true / predicted class (index or name).
        limit: at most this many pairs.

    Returns:
        Every off-diagonal cell with a count above 0; ties in row-major order.
    """
    names = list(metrics.class_names)
    matrix = np.asarray(metrics.confusion_matrix)
    keep = (matrix > 0) & ~np.eye(len(names), dtype=bool)
    t = _class_index(true, names, "true")
    p = _class_index(predicted, names, "predicted")
    if t is not None:
        keep[np.arange(len(names)) != t] = False
    if p is not None:
        keep[:, np.arange(len(names)) != p] = False
    rows, cols = np.nonzero(keep)
    order = np.argsort(-matrix[rows, cols], kind="stable")[:limit]
    pairs = [(int(rows[i]), int(cols[i])) for i in order]
    return [ConfusedPair(t, names[t], p, names[p], int(matrix[t, p])) for t, p in pairs]
