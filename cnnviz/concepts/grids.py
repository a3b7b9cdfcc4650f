"""Small grids and kernels: the named kernels, grids typed as text, numbers as written.

A grid is an ndarray of shape (rows, cols); a kernel of shape (k, k). Learners type
grids as rows of numbers (``1 0 -1`` a line, ``1/9`` allowed) and read them back the
same way.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from cnnviz.errors import CnnvizError

__all__ = [
    "KERNELS",
    "KERNEL_NOTES",
    "format_grid",
    "format_number",
    "get_kernel",
    "parse_grid",
    "parse_kernel",
    "random_grid",
]

KERNEL_SIZES = (3, 5)  # sizes a typed-in custom kernel may have
MAX_GRID_SIDE = 16  # larger typed grids are unreadable as numbers on a screen

KERNELS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    "horizontal edges": np.array([[-1, -1, -1], [0, 0, 0], [1, 1, 1]], dtype=float),
    "vertical edges": np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], dtype=float),
    "Sobel horizontal": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float),
    "Sobel vertical": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float),
    "Laplacian": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float),
    "blur": np.full((3, 3), 1 / 9),
    "blur 5x5": np.full((5, 5), 1 / 25),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=float),
}

for _kernel in KERNELS.values():
    _kernel.setflags(write=False)  # shared: `get_kernel` hands out copies
del _kernel

KERNEL_NOTES: dict[str, str] = {
    "identity": "copies the centre cell: the output is the input, trimmed by padding.",
    "horizontal edges": "bottom row minus top row: large where brightness changes "
    "from top to bottom, zero on flat areas.",
    "vertical edges": "right column minus left column: large where brightness "
    "changes from left to right.",
    "Sobel horizontal": "horizontal edges, weighting the middle column twice.",
    "Sobel vertical": "vertical edges, weighting the middle row twice.",
    "Laplacian": "four neighbours minus four times the centre: responds to edges "
    "in every direction, zero on flat areas and smooth slopes.",
    "blur": "the average of the 3x3 window: smooths noise and detail.",
    "blur 5x5": "the average of a 5x5 window: a stronger blur.",
    "sharpen": "the centre boosted against its neighbours: edges stand out more.",
    "emboss": "bottom-right minus top-left: a relief look, as if lit from one side.",
    "custom": "your own numbers: type 3 or 5 rows of 3 or 5 numbers.",
}


def get_kernel(name: str, *, custom_text: str | None = None) -> np.ndarray:
    """A named kernel from `KERNELS` (a fresh copy), or "custom" read from `custom_text`.

    Returns:
        ndarray of shape (k, k).

    Raises:
        CnnvizError: unknown name (the message lists the known ones), or a custom
            kernel that `parse_kernel` refuses.
    """
    if name == "custom":
        return parse_kernel(custom_text or "")
    if name not in KERNELS:
        raise CnnvizError(
            f"unknown kernel; choose one of {', '.join(KERNELS)}, or 'custom' to type your "
            f"own. Received: {name!r}"
        )
    return KERNELS[name].copy()


def format_number(value: float, *, decimals: int = 2, fractions: bool = False) -> str:
    """A number as a learner would write it: ``3``, ``-1.5``, ``0.11``.

    With ``fractions=True`` a simple fraction is written as one: ``1/9``, ``-1/16``.
    """
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if fractions and value != round(value):
        for denominator in range(2, 26):
            numerator = value * denominator
            if abs(numerator - round(numerator)) < 1e-9:
                return f"{round(numerator)}/{denominator}"
    rounded = round(value, decimals)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.{decimals}f}".rstrip("0").rstrip(".")


def random_grid(rows: int, cols: int, *, seed: int = 0, low: int = 0, high: int = 9) -> np.ndarray:
    """Random whole numbers in [low, high], repeatable by seed; shape (rows, cols)."""
    return np.random.default_rng(seed).integers(low, high + 1, size=(rows, cols))


def format_grid(grid: Any) -> str:
    """A grid as text, one row a line, numbers separated by spaces (for `parse_grid`)."""
    return "\n".join(
        " ".join(format_number(v, decimals=4) for v in row) for row in np.asarray(grid)
    )


def _parse_number(token: str, name: str) -> float:
    try:
        if "/" in token:
            top, bottom = token.split("/")
            return float(top) / float(bottom)
        return float(token)
    except (ValueError, ZeroDivisionError):
        raise CnnvizError(
            f"the {name} holds {token!r}, which is not a number; use numbers such as "
            f"3, -1, 0.5 or 1/9, separated by spaces or commas"
        ) from None


def parse_grid(text: str, *, name: str = "grid", max_side: int = MAX_GRID_SIDE) -> np.ndarray:
    """Read a grid typed as rows of numbers.

    Rows are lines (or separated by ``;``, or written as ``[..], [..]``); numbers in a
    row are separated by spaces or commas; fractions like ``1/9`` are allowed.

    Returns:
        ndarray of shape (rows, cols), float.

    Raises:
        CnnvizError: empty text, a token that is not a number, rows of different
            lengths, or more than `max_side` rows or columns.
    """
    if "[" in text:
        lines = re.findall(r"\[([^\[\]]*)\]", text)
    else:
        lines = re.split(r"[\n;]", text)
    rows = [
        [_parse_number(t, name) for t in re.split(r"[\s,]+", line.strip()) if t] for line in lines
    ]
    rows = [row for row in rows if row]
    if not rows:
        raise CnnvizError(f"the {name} is empty; type rows of numbers, one row a line")
    lengths = sorted({len(row) for row in rows})
    if len(lengths) > 1:
        raise CnnvizError(
            f"every row of the {name} needs the same number of values. Received rows "
            f"of lengths {', '.join(str(len(row)) for row in rows)}"
        )
    if len(rows) > max_side or lengths[0] > max_side:
        raise CnnvizError(
            f"the {name} may have at most {max_side} rows and columns. "
            f"Received: {len(rows)}x{lengths[0]}"
        )
    return np.array(rows, dtype=float)


def parse_kernel(text: str) -> np.ndarray:
    """Read a custom kernel: 3 rows of 3 numbers or 5 rows of 5 (see `parse_grid`).

    Returns:
        ndarray of shape (3, 3) or (5, 5), float.

    Raises:
        CnnvizError: not numbers, or not 3x3 / 5x5.
    """
    kernel = parse_grid(text, name="kernel")
    if kernel.shape not in {(k, k) for k in KERNEL_SIZES}:
        raise CnnvizError(
            f"a custom kernel must be 3x3 or 5x5 (3 rows of 3 numbers, or 5 of 5). "
            f"Received: {kernel.shape[0]}x{kernel.shape[1]}"
        )
    return kernel
