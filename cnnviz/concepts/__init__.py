"""Convolution and pooling on small grids, step by step, exactly as Keras computes them.

A learner's first questions about a CNN are arithmetic: what does a 3x3 kernel do to a
grid of numbers, what do stride and padding change, how do max and average pooling
differ? Rooms: `sizes` (output size and padding, and why a window cannot slide),
`sliding` (`convolve` and `pool` with every step), `grids` (named kernels, grids typed
as text), `transformer` (one kernel over a whole photo). Only numpy is imported here:
no TensorFlow, no plotting, no UI.
"""

from cnnviz.concepts.grids import (
    KERNEL_NOTES,
    KERNELS,
    format_grid,
    format_number,
    get_kernel,
    parse_grid,
    parse_kernel,
    random_grid,
)
from cnnviz.concepts.sizes import (
    PADDINGS,
    explain_invalid,
    output_size,
    output_size_formula,
    same_padding,
)
from cnnviz.concepts.sliding import POOL_MODES, SlidingResult, Step, convolve, pool
from cnnviz.concepts.transformer import (
    ImageStages,
    downscale,
    grayscale,
    max_pool_2x2,
    relu,
    transform_image,
)

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
