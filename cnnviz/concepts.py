"""Convolution and pooling on small grids, step by step, exactly as Keras computes them.

A learner's first questions about a CNN are arithmetic: what does a 3x3 kernel do to a
grid of numbers, what do stride and padding change, how do max and average pooling
differ? `convolve` and `pool` answer with the whole output *and* every step of it: for
each output cell, the input window, the element-wise products and their sum, so a page
can replay the computation one cell at a time. The rules are Keras's own:

- ``padding="valid"`` adds nothing: ``out = floor((n - k) / stride) + 1``.
- ``padding="same"``: ``out = ceil(n / stride)``, padded with
  ``max((out - 1) * stride + k - n, 0)`` zeros in total, the smaller half on the
  top/left (as TensorFlow does).
- Convolution is cross-correlation (the kernel is not flipped), as in ``Conv2D``.
- Max pooling ignores padded cells; average pooling divides by the number of real
  (non-padded) cells under the window, as ``AveragePooling2D(padding="same")`` does.
- A pool's stride defaults to its size.

The image transformer (`transform_image`) applies one kernel to a whole photo, then
ReLU and 2x2 max pooling, vectorised with `sliding_window_view`.

Only numpy is imported here: no TensorFlow, no plotting, no UI. Shapes: a grid is an
ndarray of shape (rows, cols); a kernel or window of shape (k_rows, k_cols).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnviz.errors import CnnvizError

__all__ = [
    "KERNELS",
    "KERNEL_NOTES",
    "PADDINGS",
    "POOL_MODES",
    "ImageStages",
    "SlidingResult",
    "Step",
    "convolve",
    "downscale",
    "explain_invalid",
    "format_grid",
    "format_number",
    "get_kernel",
    "grayscale",
    "max_pool_2x2",
    "output_size",
    "output_size_formula",
    "parse_grid",
    "parse_kernel",
    "pool",
    "random_grid",
    "relu",
    "same_padding",
    "transform_image",
]

PADDINGS = ("valid", "same")
POOL_MODES = ("max", "average")
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


# --- output size and padding, as Keras defines them -----------------------------------


def output_size(n: int, k: int, *, stride: int, padding: str) -> int:
    """Length of the output along one axis (0 when a valid window does not fit)."""
    if padding == "same":
        return -(-n // stride)
    return max((n - k) // stride + 1, 0)


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


# --- step-by-step results -------------------------------------------------------------


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


# --- grids and kernels as text ----------------------------------------------------------


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


# --- the image transformer --------------------------------------------------------------


def grayscale(image: Any) -> np.ndarray:
    """Pixels as one channel of brightness, 0-255 float, shape (height, width).

    Accepts (height, width), (height, width, 1) or (height, width, 3); colour is
    weighted as ITU-R 601 luma (0.299 R + 0.587 G + 0.114 B), as Pillow's "L" mode.
    """
    array = np.asarray(image, dtype=float)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    elif array.ndim == 3 and array.shape[2] in (3, 4):
        array = array[..., :3] @ np.array([0.299, 0.587, 0.114])
    if array.ndim != 2:
        raise CnnvizError(
            f"an image must have shape (height, width) or (height, width, 1 or 3). "
            f"Received: {array.shape}"
        )
    return array


def downscale(image: Any, *, max_side: int) -> np.ndarray:
    """Shrink by a whole factor (averaging blocks) until no side exceeds `max_side`.

    Args:
        image: ndarray of shape (height, width) or (height, width, channels).
        max_side: longest side allowed.

    Returns:
        ndarray of shape (height // f, width // f[, channels]), same dtype as the
        input (whole-number pixels are rounded); the image itself when it fits.
    """
    array = np.asarray(image)
    factor = max(1, -(-max(array.shape[:2]) // max_side))
    if factor == 1:
        return array
    height, width = array.shape[0] // factor, array.shape[1] // factor
    cropped = array[: height * factor, : width * factor]
    blocks = cropped.reshape(height, factor, width, factor, *array.shape[2:])
    shrunk = blocks.mean(axis=(1, 3), dtype=float)  # casts chunk by chunk: no float copy
    if np.issubdtype(array.dtype, np.integer):
        shrunk = shrunk.round()
    return shrunk.astype(array.dtype)


def relu(values: Any) -> np.ndarray:
    """max(x, 0) element-wise: negatives become 0. Same shape as `values`."""
    return np.maximum(np.asarray(values, dtype=float), 0.0)


def max_pool_2x2(values: Any) -> np.ndarray:
    """2x2 max pooling, stride 2, 'valid' (Keras's ``MaxPooling2D()`` default).

    Args:
        values: ndarray of shape (height, width), height and width at least 2.

    Returns:
        ndarray of shape (height // 2, width // 2); an odd last row/column is dropped.
    """
    array = np.asarray(values, dtype=float)
    height, width = array.shape[0] // 2, array.shape[1] // 2
    if height == 0 or width == 0:
        raise CnnvizError(f"2x2 max pooling needs at least 2x2 values. Received: {array.shape}")
    blocks = array[: height * 2, : width * 2].reshape(height, 2, width, 2)
    return blocks.max(axis=(1, 3))


@dataclass(frozen=True)
class ImageStages:
    """A photo through one convolution, ReLU and 2x2 max pooling.

    Attributes:
        photo: ndarray of shape (height, width[, 3]), the (downscaled) input, 0-255,
            in the input's dtype.
        gray: ndarray of shape (height, width), its brightness, 0-255.
        feature_map: ndarray of shape (out_height, out_width), the kernel's response.
        relu: the feature map with negatives set to 0, same shape.
        pooled: ndarray of shape (out_height // 2, out_width // 2).
    """

    photo: np.ndarray
    gray: np.ndarray
    feature_map: np.ndarray
    relu: np.ndarray
    pooled: np.ndarray

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Each stage's shape, by stage name, in order."""
        return {
            name: getattr(self, name).shape
            for name in ("photo", "gray", "feature_map", "relu", "pooled")
        }


def transform_image(
    image: Any, kernel: Any, *, stride: Any = 1, padding: str = "valid", max_side: int = 640
) -> ImageStages:
    """Apply `kernel` to a photo's brightness, then ReLU, then 2x2 max pooling.

    Args:
        image: pixels of shape (height, width) or (height, width, 1 or 3), 0-255.
        kernel: numbers of shape (k_rows, k_cols).
        stride, padding: as for `convolve`.
        max_side: the photo is first shrunk by a whole factor to fit this.

    Returns:
        `ImageStages`; the convolution is the same arithmetic as `convolve`.

    Raises:
        CnnvizError: a bad image or kernel, or an impossible combination.
    """
    photo = downscale(image, max_side=max_side)
    gray = grayscale(photo)
    feature_map = convolve(gray, kernel, stride=stride, padding=padding).output
    rectified = relu(feature_map)
    return ImageStages(photo, gray, feature_map, rectified, max_pool_2x2(rectified))
