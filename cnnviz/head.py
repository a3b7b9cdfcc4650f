"""What the last layer of a model predicts, which decides its loss.

One sigmoid unit on a two-class dataset is a binary classifier (binary cross-entropy);
N softmax units for N classes a multi-class one (sparse categorical cross-entropy).
`head_of` checks the last row of a checked spec (`cnnviz.spec.LayerRow`) against the
dataset's classes and says how to fix a head that does not fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cnnviz.errors import SpecError
from cnnviz.shapes import format_shape

__all__ = ["Head", "head_of"]


@dataclass(frozen=True)
class Head:
    """What the last layer predicts, which decides the loss.

    Attributes:
        kind: "binary" (one sigmoid unit) or "multiclass" (N softmax units).
        units: the number of output units.
        loss: the Keras loss name that fits it.
    """

    kind: str
    units: int

    @property
    def loss(self) -> str:
        if self.kind == "binary":
            return "binary_crossentropy"
        return "sparse_categorical_crossentropy"


def head_of(report: Any, num_classes: int) -> Head:
    """The head of a checked model (a `cnnviz.spec.Report`), checked against the
    dataset's classes.

    Raises:
        SpecError: when the output does not fit `num_classes` classes.
    """
    if not report.rows:
        raise SpecError("the model has no layers to predict with")
    last = report.rows[-1]
    out = last.output_shape
    activation = last.params.get("activation")
    number = last.number
    if len(out) != 1:
        raise SpecError(
            f"layer {number} {last.type}: the model ends with a "
            f"{format_shape(out)} tensor; end with Flatten and Dense(units=num_classes, "
            f"activation='softmax')",
            number,
        )
    if out[0] == 1 and num_classes == 2:
        if activation != "sigmoid":
            raise SpecError(
                f"layer {number} {last.type}: a single output unit needs activation="
                f"'sigmoid' for a two-class dataset. Received: activation={activation!r}",
                number,
            )
        return Head("binary", 1)
    if out[0] != num_classes:
        hint = " (or 1 sigmoid unit)" if num_classes == 2 else ""
        raise SpecError(
            f"layer {number} {last.type}: the model outputs {out[0]} values but the "
            f'dataset has {num_classes} classes; set units to "num_classes" '
            f"({num_classes}){hint}",
            number,
        )
    if activation != "softmax":
        raise SpecError(
            f"layer {number} {last.type}: the last layer needs activation='softmax' "
            f"to give class probabilities. Received: activation={activation!r}",
            number,
        )
    return Head("multiclass", out[0])
