"""Shared pieces of the augmentation tests: a spec that sets everything, random photos."""

import numpy as np

FULL = {
    "rotation_degrees": 30,
    "width_shift": 0.1,
    "height_shift": 0.1,
    "brightness": [0.7, 1.3],
    "shear_degrees": 10,
    "zoom": [0.9, 1.1],
    "flip_left_right": True,
    "flip_up_down": False,
}


def photo(height=48, width=40, channels=3, seed=0) -> np.ndarray:
    """Random uint8 pixels: no symmetry a flip could hide behind."""
    shape = (height, width) if channels is None else (height, width, channels)
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
