"""Output size and padding of a sliding window, as Keras defines them, in words too.

- ``padding="valid"`` adds nothing: ``out = floor((n - k) / stride) + 1``.
- ``padding="same"``: ``out = ceil(n / stride)``, padded with
  ``max((out - 1) * stride + k - n, 0)`` zeros in total, the smaller half on the
  top/left (as TensorFlow does).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cnnviz.shapes import window_output_size

__all__ = ["PADDINGS", "explain_invalid", "output_size", "output_size_formula", "same_padding"]

PADDINGS = ("valid", "same")


def output_size(n: int, k: int, *, stride: int, padding: str) -> int:
    """Length of the output along one axis (0 when a valid window does not fit): Keras's
    rule, `cnnviz.shapes.window_output_size`."""
    return window_output_size(n, k, stride, padding)


def same_padding(n: int, k: int, *, stride: int) -> tuple[int, int]:
    """Zeros added (before, after) along one axis by ``padding="same"``."""
    total = max((output_size(n, k, stride=stride, padding="same") - 1) * stride + k - n, 0)
    return total // 2, total - total // 2


def output_size_formula(n: int, k: int, *, stride: int, padding: str) -> str:
    """The output-size rule with the numbers filled in, one axis.

    Example: ``output_size_formula(6, 3, stride=1, padding="valid")`` is
    ``"out = floor((6 - 3) / 1) + 1 = 4"``.
    """
    out = output_size(n, k, stride=stride, padding=padding)
    if padding == "same":
        before, after = same_padding(n, k, stride=stride)
        return (
            f"out = ceil({n} / {stride}) = {out}; padding = max(({out} - 1) * {stride} "
            f"+ {k} - {n}, 0) = {before + after} ({before} before, {after} after)"
        )
    return f"out = floor(({n} - {k}) / {stride}) + 1 = {out}"


def explain_invalid(
    grid_shape: tuple[int, int],
    window_shape: tuple[int, int],
    *,
    stride: Any,
    padding: str,
    window: str = "kernel",
) -> str | None:
    """Why a window cannot slide over a grid, in words, or None when it can.

    Args:
        grid_shape: (rows, cols) of the input grid.
        window_shape: (k_rows, k_cols) of the kernel or pooling window.
        stride: an int or a (row, col) pair.
        padding: "valid" or "same".
        window: what to call the window in the sentence ("kernel", "pooling window").

    Returns:
        A sentence a learner can act on, or None when the combination is fine.
    """
    strides = stride if isinstance(stride, (tuple, list)) else (stride, stride)
    rows, cols = grid_shape
    k_rows, k_cols = window_shape
    if padding not in PADDINGS:
        return f"Padding must be 'valid' or 'same'. Received: padding={padding!r}."
    if rows < 1 or cols < 1:
        return f"The input grid is empty. Received: a grid of {rows}x{cols}."
    if k_rows < 1 or k_cols < 1:
        return f"The {window} must be at least 1x1. Received: {k_rows}x{k_cols}."
    for s in strides:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            return (
                f"The stride is how many cells the {window} jumps between steps, so it "
                f"must be a whole number (1, 2, 3, ...). Received: stride={s!r}."
            )
        if s < 1:
            effect = (
                "never moves the {w}, so it would compute the same output cell forever"
                if s == 0
                else "would move the {w} backwards"
            )
            return (
                f"A stride of {s} {effect.format(w=window)}. The stride is how many cells "
                f"the {window} jumps between steps: use 1 or more. Received: stride={s!r}."
            )
    if padding == "valid" and (k_rows > rows or k_cols > cols):
        return (
            f"The {k_rows}x{k_cols} {window} is larger than the {rows}x{cols} input. "
            f"With 'valid' padding no zeros are added around the edge, so there is no "
            f"position where it fits and no output at all. Use a {window} of at most "
            f"{rows}x{cols}, a larger grid, or 'same' padding, which pads the input with "
            f"zeros so every position gets an output."
        )
    return None
