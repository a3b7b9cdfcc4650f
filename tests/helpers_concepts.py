"""Shared pieces of the concepts tests: Keras as the oracle, random grids and windows."""

import numpy as np


def random_cases(n, *, seed, pool=False):
    """(grid, window_shape, stride, padding) over sizes 3-9, windows 1-5, strides 1-3."""
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < n:
        rows, cols = rng.integers(3, 10, size=2)
        window = tuple(int(k) for k in rng.integers(1, 6, size=2))
        stride = tuple(int(s) for s in rng.integers(1, 4, size=2))
        if pool and rng.random() < 0.2:
            stride = None  # Keras's default: the pool size
        padding = str(rng.choice(["valid", "same"]))
        if padding == "valid" and (window[0] > rows or window[1] > cols):
            continue  # impossible; checked separately below
        grid = rng.integers(0, 10, size=(rows, cols)).astype(float)
        cases.append((grid, window, stride, padding))
    return cases


def batch(grid):
    return grid[None, :, :, None].astype("float32")
