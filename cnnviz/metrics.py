"""What a classifier's outputs mean: the predicted class, class probabilities, metrics.

One rule names the predicted class everywhere (the metrics, the Inspect page, Predict,
the figures): a one-unit sigmoid head says class 1 when its output is at least
`THRESHOLD`; a softmax head says the most probable class, the first one on a tie.
`top_classes` ranks the classes with the predicted one first.

Test metrics are computed once by scikit-learn from arrays of class indices; the result
is a small frozen dataclass that round-trips through the `evaluate --json` document of
DESIGN.md::

    {"test_accuracy": 0.97, "class_names": ["0", ...],
     "confusion_matrix": [[...], ...],            # rows are true classes
     "per_class": [{"precision", "recall", "f1", "support"}, ...]}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cnnviz.errors import CnnvizError

__all__ = [
    "THRESHOLD",
    "ClassScore",
    "ClassificationMetrics",
    "class_probabilities",
    "classification_metrics",
    "predicted_classes",
    "top_classes",
]

THRESHOLD = 0.5  # a sigmoid head says class 1 when its probability is at least this


@dataclass(frozen=True, eq=False)
class ClassificationMetrics:
    """How well predictions match the true classes.

    Attributes:
        accuracy: fraction of correct predictions, in [0, 1].
        class_names: one name per class, in class-index order.
        confusion_matrix: int ndarray of shape (n_classes, n_classes); entry [i, j]
            counts images of true class i predicted as class j.
        precision, recall, f1: float ndarrays of shape (n_classes,); 0 where undefined.
        support: int ndarray of shape (n_classes,), images of each true class.
    """

    accuracy: float
    class_names: tuple[str, ...]
    confusion_matrix: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def normalized(self) -> np.ndarray:
        """The confusion matrix with each row divided by its sum.

        Returns:
            float ndarray of shape (n_classes, n_classes); row i is the distribution of
            predictions for true class i. A class with no images keeps a row of zeros.
        """
        counts = self.confusion_matrix.astype(np.float64)
        totals = counts.sum(axis=1, keepdims=True)
        return np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)

    def to_dict(self) -> dict[str, Any]:
        """The `evaluate --json` document (plain JSON types)."""
        return {
            "test_accuracy": float(self.accuracy),
            "class_names": list(self.class_names),
            "confusion_matrix": self.confusion_matrix.astype(int).tolist(),
            "per_class": [
                {
                    "precision": float(p),
                    "recall": float(r),
                    "f1": float(f),
                    "support": int(s),
                }
                for p, r, f, s in zip(self.precision, self.recall, self.f1, self.support)
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClassificationMetrics:
        """Read a document written by `to_dict`.

        Raises:
            CnnvizError: keys missing or sizes that do not agree.
        """
        try:
            names = tuple(str(n) for n in data["class_names"])
            matrix = np.asarray(data["confusion_matrix"], dtype=np.int64)
            per_class = data["per_class"]
            columns = {
                key: np.asarray([row[key] for row in per_class], dtype=np.float64)
                for key in ("precision", "recall", "f1", "support")
            }
            accuracy = float(data["test_accuracy"])
        except (KeyError, TypeError, ValueError) as err:
            raise CnnvizError(
                f"not a metrics document: {err!r}; expected the keys test_accuracy, "
                "class_names, confusion_matrix and per_class"
            ) from None
        n = len(names)
        if matrix.shape != (n, n) or len(per_class) != n:
            raise CnnvizError(
                f"the metrics document has {n} class names but a confusion matrix of "
                f"shape {list(matrix.shape)} and {len(per_class)} per-class rows"
            )
        return cls(
            accuracy,
            names,
            matrix,
            columns["precision"],
            columns["recall"],
            columns["f1"],
            columns["support"].astype(np.int64),
        )


def classification_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, class_names: list[str] | tuple[str, ...]
) -> ClassificationMetrics:
    """Compare predicted with true class indices.

    Args:
        y_true: int array of shape (N,), true class indices in [0, n_classes).
        y_pred: int array of shape (N,), predicted class indices in [0, n_classes).
        class_names: n_classes names; classes absent from both arrays still get a row.

    Returns:
        The metrics; with N = 0 the accuracy is 0 and every count is 0.

    Raises:
        CnnvizError: arrays of different lengths or indices outside the classes.
    """
    from sklearn import metrics as skm

    y_true = np.asarray(y_true).reshape(-1).astype(np.int64)
    y_pred = np.asarray(y_pred).reshape(-1).astype(np.int64)
    names = tuple(str(n) for n in class_names)
    n = len(names)
    if y_true.shape != y_pred.shape:
        raise CnnvizError(
            f"y_true and y_pred must have the same length. "
            f"Received: len(y_true)={len(y_true)}, len(y_pred)={len(y_pred)}"
        )
    for label, values in (("y_true", y_true), ("y_pred", y_pred)):
        if values.size and (values.min() < 0 or values.max() >= n):
            raise CnnvizError(
                f"{label} holds class indices outside 0..{n - 1} for {n} class names. "
                f"Received: {label} from {values.min()} to {values.max()}"
            )
    if y_true.size == 0:
        zeros = np.zeros(n, dtype=np.float64)
        return ClassificationMetrics(
            0.0,
            names,
            np.zeros((n, n), np.int64),
            zeros,
            zeros.copy(),
            zeros.copy(),
            np.zeros(n, np.int64),
        )
    labels = list(range(n))
    matrix = skm.confusion_matrix(y_true, y_pred, labels=labels).astype(np.int64)
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    return ClassificationMetrics(
        float(skm.accuracy_score(y_true, y_pred)),
        names,
        matrix,
        precision.astype(np.float64),
        recall.astype(np.float64),
        f1.astype(np.float64),
        support.astype(np.int64),
    )


def _outputs(outputs: np.ndarray) -> np.ndarray:
    array = np.asarray(outputs, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[1] < 1:
        raise CnnvizError(
            f"model outputs must have shape (N, units). Received: shape={list(array.shape)}"
        )
    return array


def predicted_classes(outputs: np.ndarray) -> np.ndarray:
    """The class each row of model outputs predicts: the one rule.

    Args:
        outputs: float array of shape (N, units): N softmax rows, or one sigmoid unit
            per row (units = 1, the probability of class 1); shape (N,) is one unit.

    Returns:
        int64 array of shape (N,): 1 where a sigmoid output is >= THRESHOLD (else 0);
        for softmax rows the most probable class, the first one on a tie.
    """
    array = _outputs(outputs)
    if array.shape[1] == 1:
        return (array[:, 0] >= THRESHOLD).astype(np.int64)
    return np.argmax(array, axis=1).astype(np.int64)


def class_probabilities(outputs: np.ndarray) -> np.ndarray:
    """Model outputs as one probability per class.

    Args:
        outputs: ndarray of shape (N, n_classes) from a softmax head, or (N, 1) from
            a sigmoid head (the probability of class 1).

    Returns:
        float64 ndarray of shape (N, n_classes); a sigmoid head gives (N, 2)
        columns [1 - p, p].
    """
    array = _outputs(outputs)
    if array.shape[1] == 1:
        return np.concatenate([1.0 - array, array], axis=1)
    return array


@dataclass(frozen=True)
class ClassScore:
    """One class and the probability the model gives it."""

    index: int
    name: str
    probability: float

    def to_dict(self) -> dict[str, Any]:
        return {"class": self.name, "index": self.index, "probability": self.probability}


def top_classes(
    probabilities: np.ndarray, class_names: list[str], *, k: int = 3, predicted: int | None = None
) -> list[ClassScore]:
    """The k most probable classes, most probable first. The predicted class always comes
    first (on a tie too: the first entry is the answer); other ties go to the later class.

    Args:
        probabilities: ndarray of shape (n_classes,).
        class_names: one name per class.
        k: how many classes; capped at the number of classes.
        predicted: the predicted class (`predicted_classes`); default the most probable.
    """
    if k < 1:
        raise CnnvizError(f"top k must be at least 1. Received: k={k}")
    probabilities = np.asarray(probabilities, dtype=np.float64)
    index = np.arange(len(probabilities))
    first = int(np.argmax(probabilities)) if predicted is None else int(predicted)
    order = np.lexsort((-index, -probabilities, index != first))[:k]
    return [ClassScore(int(i), str(class_names[i]), float(probabilities[i])) for i in order]
