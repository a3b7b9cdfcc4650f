"""Convolution and pooling of a small grid, with every step of the arithmetic.

`convolve` and `pool` answer with the whole output *and* every step of it: for each
output cell, the input window, the element-wise products and their sum, so a page can
replay the computation one cell at a time. The rules are Keras's own:

- Convolution is cross-correlation (the kernel is not flipped), as in ``Conv2D``.
- Max pooling ignores padded cells; average pooling divides by the number of real
  (non-padded) cells under the window, as ``AveragePooling2D(padding="same")`` does.
- A pool's stride defaults to its size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnviz.concepts.grids import format_number
from cnnviz.concepts.sizes import explain_invalid, output_size, output_size_formula, same_padding
from cnnviz.errors import CnnvizError

MAX_VALUE = 1e6  # largest size of a number in a grid or kernel

__all__ = ["POOL_MODES", "SlidingResult", "Step", "convolve", "pool"]

POOL_MODES = ("max", "average")


def _factor(value: float, *, fractions: bool = False) -> str:
    text = format_number(value, fractions=fractions)
    return f"({text})" if text.startswith("-") else text


@dataclass(frozen=True)
class Step:
    """One output cell of a convolution or pooling, with its arithmetic.

    Attributes:
        index: 0-based position in row-major order over the output.
        row, col: the output cell this step fills.
        rows, cols: (start, stop) of the window in padded-input coordinates.
        window: ndarray of shape (k_rows, k_cols), the padded input under the window
            (0 on padding).
        inside: bool ndarray of shape (k_rows, k_cols), True on real input cells,
            False on padding.
        products: ndarray of shape (k_rows, k_cols), window * kernel, for a
            convolution; None for pooling.
        value: the output cell's value.
        expression: the arithmetic in one line, e.g. ``"1×2 + 0×(-1) = 2"``.
    """

    index: int
    row: int
    col: int
    rows: tuple[int, int]
    cols: tuple[int, int]
    window: np.ndarray
    inside: np.ndarray
    products: np.ndarray | None
    value: float
    expression: str


@dataclass(frozen=True)
class SlidingResult:
    """A convolution or pooling of a small grid: output, padding and every step.

    Attributes:
        operation: "convolution", "max pooling" or "average pooling".
        grid: ndarray of shape (rows, cols), the input as given (float).
        kernel: ndarray of shape (k_rows, k_cols) for a convolution, None for pooling.
        window_shape: (k_rows, k_cols).
        stride: (row stride, col stride).
        padding: "valid" or "same".
        pad: zeros added as (top, bottom, left, right).
        padded: ndarray of shape (rows + top + bottom, cols + left + right), the input
            with its zero padding.
        inside: bool ndarray of the padded shape, True on real input cells.
        output: ndarray of shape (out_rows, out_cols).
    """

    operation: str
    grid: np.ndarray
    kernel: np.ndarray | None
    window_shape: tuple[int, int]
    stride: tuple[int, int]
    padding: str
    pad: tuple[int, int, int, int]
    padded: np.ndarray
    inside: np.ndarray
    output: np.ndarray

    @property
    def n_steps(self) -> int:
        """Number of output cells, one step each."""
        return int(self.output.size)

    @property
    def steps(self) -> list[Step]:
        """Every step in row-major order (computed on demand)."""
        return [self.step(i) for i in range(self.n_steps)]

    @property
    def formula(self) -> str:
        """The output-size rule with the numbers filled in, for rows and columns."""
        rows = output_size_formula(
            self.grid.shape[0],
            self.window_shape[0],
            stride=self.stride[0],
            padding=self.padding,
        )
        cols = output_size_formula(
            self.grid.shape[1],
            self.window_shape[1],
            stride=self.stride[1],
            padding=self.padding,
        )
        if rows == cols:
            return rows
        return f"rows: {rows}\ncolumns: {cols}"

    def step(self, index: int) -> Step:
        """The step filling output cell number `index` (row-major, 0-based)."""
        if not 0 <= index < self.n_steps:
            raise CnnvizError(f"step must be between 0 and {self.n_steps - 1}. Received: {index!r}")
        row, col = divmod(index, self.output.shape[1])
        top, left = row * self.stride[0], col * self.stride[1]
        rows = (top, top + self.window_shape[0])
        cols = (left, left + self.window_shape[1])
        window = self.padded[rows[0] : rows[1], cols[0] : cols[1]].copy()
        inside = self.inside[rows[0] : rows[1], cols[0] : cols[1]].copy()
        value = float(self.output[row, col])
        products = None
        if self.kernel is not None:
            products = window * self.kernel
            terms = [
                f"{_factor(a)}×{_factor(b, fractions=True)}"
                for a, b in zip(window.ravel(), self.kernel.ravel(), strict=True)
            ]
            expression = " + ".join(terms) + f" = {format_number(value)}"
        else:
            real = [format_number(v) for v in window[inside]]
            if self.operation == "max pooling":
                expression = f"max({', '.join(real)}) = {format_number(value)}"
            else:
                total = f"({' + '.join(real)})" if len(real) > 1 else real[0]
                expression = f"{total} / {len(real)} = {format_number(value)}"
        return Step(index, row, col, rows, cols, window, inside, products, value, expression)


def _pair(value: Any, name: str) -> tuple[int, int]:
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2:
        raise CnnvizError(f"{name} must be one number or a (rows, cols) pair. Received: {value!r}")
    return pair  # type: ignore[return-value]


def _as_grid(values: Any, name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise CnnvizError(
            f"the {name} must be a rectangle of numbers. Received: {values!r}"
        ) from None
    if array.ndim != 2 or array.size == 0:
        raise CnnvizError(
            f"the {name} must be a 2-D grid of numbers (rows x columns). "
            f"Received an array of shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise CnnvizError(f"the {name} holds a NaN or infinite value; use plain numbers")
    if np.abs(array).max() > MAX_VALUE:  # products and sums of larger ones overflow
        raise CnnvizError(
            f"the {name} holds {np.abs(array).max():g}; use numbers from "
            f"-{MAX_VALUE:,.0f} to {MAX_VALUE:,.0f}"
        )
    return array


def _pad_and_windows(
    grid: np.ndarray,
    window_shape: tuple[int, int],
    stride: tuple[int, int],
    padding: str,
    window: str,
):
    """Check, pad, and view every window: (padded, inside, pad, windows, out_shape).

    `windows` has shape (out_rows, out_cols, k_rows, k_cols) and is a view.
    """
    problem = explain_invalid(
        grid.shape, window_shape, stride=stride, padding=padding, window=window
    )
    if problem:
        raise CnnvizError(problem)
    out_shape = tuple(
        output_size(n, k, stride=s, padding=padding)
        for n, k, s in zip(grid.shape, window_shape, stride, strict=True)
    )
    if padding == "same":
        (top, bottom), (left, right) = (
            same_padding(n, k, stride=s)
            for n, k, s in zip(grid.shape, window_shape, stride, strict=True)
        )
    else:
        top = bottom = left = right = 0
    pad_width = ((top, bottom), (left, right))
    padded = np.pad(grid, pad_width)
    inside = np.pad(np.ones(grid.shape, dtype=bool), pad_width)
    windows = sliding_window_view(padded, window_shape)[:: stride[0], :: stride[1]]
    windows = windows[: out_shape[0], : out_shape[1]]
    return padded, inside, (top, bottom, left, right), windows, out_shape


def convolve(grid: Any, kernel: Any, *, stride: Any = 1, padding: str = "valid") -> SlidingResult:
    """Slide `kernel` over `grid` as Keras ``Conv2D`` does (one channel, no bias).

    Args:
        grid: numbers of shape (rows, cols).
        kernel: numbers of shape (k_rows, k_cols); not flipped (cross-correlation).
        stride: cells the kernel jumps between steps, an int or (row, col) pair.
        padding: "valid" (no padding) or "same" (zeros so out = ceil(n / stride)).

    Returns:
        A `SlidingResult` whose ``output`` has shape (out_rows, out_cols).

    Raises:
        CnnvizError: not a 2-D grid or kernel, or an impossible combination (the
            message is `explain_invalid`'s sentence).
    """
    grid = _as_grid(grid, "grid")
    kernel = _as_grid(kernel, "kernel")
    strides = _pair(stride, "stride")
    padded, inside, pad, windows, _ = _pad_and_windows(
        grid, kernel.shape, strides, padding, "kernel"
    )
    output = np.einsum("ijkl,kl->ij", windows, kernel)
    return SlidingResult(
        "convolution",
        grid,
        kernel,
        kernel.shape,
        strides,
        padding,
        pad,
        padded,
        inside,
        output,
    )


def pool(
    grid: Any,
    *,
    size: Any = 2,
    stride: Any = None,
    padding: str = "valid",
    mode: str = "max",
) -> SlidingResult:
    """Max or average pooling as Keras ``MaxPooling2D`` / ``AveragePooling2D`` do.

    Args:
        grid: numbers of shape (rows, cols).
        size: pooling window, an int or (rows, cols) pair.
        stride: an int or pair; None (the default) means the pool size.
        padding: "valid" or "same". Padded cells never count: max ignores them and
            average divides by the number of real cells under the window.
        mode: "max" or "average".

    Returns:
        A `SlidingResult` whose ``output`` has shape (out_rows, out_cols).

    Raises:
        CnnvizError: unknown mode, or an impossible combination.
    """
    if mode not in POOL_MODES:
        raise CnnvizError(f"pooling mode must be 'max' or 'average'. Received: {mode!r}")
    grid = _as_grid(grid, "grid")
    window_shape = _pair(size, "pool size")
    strides = window_shape if stride is None else _pair(stride, "stride")
    padded, inside, pad, windows, out_shape = _pad_and_windows(
        grid, window_shape, strides, padding, "pooling window"
    )
    mask = sliding_window_view(inside, window_shape)[:: strides[0], :: strides[1]]
    mask = mask[: out_shape[0], : out_shape[1]]
    if mode == "max":
        output = np.where(mask, windows, -np.inf).max(axis=(2, 3))
    else:
        output = (windows * mask).sum(axis=(2, 3)) / mask.sum(axis=(2, 3))
    return SlidingResult(
        f"{mode} pooling",
        grid,
        None,
        window_shape,
        strides,
        padding,
        pad,
        padded,
        inside,
        output,
    )
