"""Convolution and pooling of small grids, step by step.

Oracles: Keras's own Conv2D and pooling layers and ops on random grids, and examples
worked by hand."""

import numpy as np
import pytest

from cnnviz import concepts
from cnnviz.errors import CnnvizError
from tests.helpers_concepts import batch, random_cases

GRID_4X4 = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]])


KERNEL_3X3 = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]])


def test_convolution_matches_keras_conv_on_random_grids(keras):
    rng = np.random.default_rng(1)
    for grid, window, stride, padding in random_cases(200, seed=2):
        kernel = rng.integers(-3, 4, size=window).astype(float)
        ours = concepts.convolve(grid, kernel, stride=stride, padding=padding)
        theirs = keras.ops.convert_to_numpy(
            keras.ops.conv(
                batch(grid),
                kernel[:, :, None, None].astype("float32"),
                strides=stride,
                padding=padding,
            )
        )[0, :, :, 0]
        case = f"grid {grid.shape}, kernel {window}, stride {stride}, {padding}"
        assert ours.output.shape == theirs.shape, case
        np.testing.assert_allclose(ours.output, theirs, atol=1e-4, err_msg=case)


@pytest.mark.parametrize("mode", ["max", "average"])
def test_pooling_matches_keras_ops_on_random_grids(keras, mode):
    op = keras.ops.max_pool if mode == "max" else keras.ops.average_pool
    for grid, window, stride, padding in random_cases(150, seed=3, pool=True):
        ours = concepts.pool(grid, size=window, stride=stride, padding=padding, mode=mode)
        theirs = keras.ops.convert_to_numpy(
            op(batch(grid), pool_size=window, strides=stride, padding=padding)
        )[0, :, :, 0]
        case = f"grid {grid.shape}, pool {window}, stride {stride}, {padding}"
        assert ours.output.shape == theirs.shape, case
        np.testing.assert_allclose(ours.output, theirs, atol=1e-4, err_msg=case)


@pytest.mark.parametrize(
    "shape, kernel_size, strides, padding",
    [
        ((6, 6), (3, 3), (1, 1), "valid"),
        ((6, 6), (3, 3), (2, 2), "same"),  # asymmetric padding: 0 before, 1 after
        ((7, 5), (2, 4), (3, 1), "same"),
        ((9, 8), (5, 3), (2, 3), "valid"),
        ((5, 5), (5, 5), (1, 1), "same"),
        ((3, 9), (1, 2), (1, 2), "valid"),
    ],
)
def test_convolution_matches_a_conv2d_layer_with_set_weights(
    keras, shape, kernel_size, strides, padding
):
    rng = np.random.default_rng(sum(shape) + sum(kernel_size))
    grid = rng.integers(0, 10, size=shape).astype(float)
    kernel = rng.normal(size=kernel_size)
    layer = keras.layers.Conv2D(1, kernel_size, strides=strides, padding=padding, use_bias=False)
    layer.build((1, *shape, 1))
    layer.set_weights([kernel[:, :, None, None].astype("float32")])
    expected = keras.ops.convert_to_numpy(layer(batch(grid)))[0, :, :, 0]
    result = concepts.convolve(grid, kernel, stride=strides, padding=padding)
    np.testing.assert_allclose(result.output, expected, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize(
    "shape, pool_size, strides, padding",
    [
        ((4, 4), (2, 2), None, "valid"),
        ((5, 5), (2, 2), None, "same"),  # last window holds 1, 2 or 4 real cells
        ((7, 9), (3, 3), (2, 2), "same"),
        ((9, 6), (3, 2), (1, 3), "valid"),
        ((3, 3), (4, 4), (1, 1), "same"),  # window larger than the grid, padded
    ],
)
def test_pooling_matches_keras_pooling_layers(keras, shape, pool_size, strides, padding):
    grid = np.random.default_rng(sum(shape)).integers(-9, 10, size=shape).astype(float)
    for mode, layer_class in (
        ("max", keras.layers.MaxPooling2D),
        ("average", keras.layers.AveragePooling2D),
    ):
        layer = layer_class(pool_size=pool_size, strides=strides, padding=padding)
        expected = keras.ops.convert_to_numpy(layer(batch(grid)))[0, :, :, 0]
        result = concepts.pool(grid, size=pool_size, stride=strides, padding=padding, mode=mode)
        np.testing.assert_allclose(result.output, expected, rtol=1e-6, atol=1e-5, err_msg=mode)


def test_the_worked_4x4_example_by_hand():
    result = concepts.convolve(GRID_4X4, KERNEL_3X3)
    # top-left: 1*2 + 2*0 + 3*1 + 0*0 + 1*1 + 2*2 + 3*1 + 0*0 + 1*2 = 15, and so on.
    np.testing.assert_array_equal(result.output, [[15, 16], [6, 15]])
    assert result.formula == "out = floor((4 - 3) / 1) + 1 = 2"
    assert result.pad == (0, 0, 0, 0)
    first = result.step(0)
    np.testing.assert_array_equal(first.window, [[1, 2, 3], [0, 1, 2], [3, 0, 1]])
    np.testing.assert_array_equal(first.products, [[2, 0, 3], [0, 1, 4], [3, 0, 2]])
    assert first.expression == "1×2 + 2×0 + 3×1 + 0×0 + 1×1 + 2×2 + 3×1 + 0×0 + 1×2 = 15"
    last = result.step(3)
    assert (last.row, last.col, last.rows, last.cols) == (1, 1, (1, 4), (1, 4))
    assert last.value == 15


def test_same_padding_with_stride_2_pads_only_after_like_keras():
    # n=4, k=3, s=2: out = ceil(4/2) = 2; total padding = (2-1)*2 + 3 - 4 = 1 -> 0 top, 1 bottom
    result = concepts.convolve(GRID_4X4, KERNEL_3X3, stride=2, padding="same")
    assert result.pad == (0, 1, 0, 1)
    assert result.padded.shape == (5, 5)
    assert result.padded[4].tolist() == [0] * 5 and not result.inside[4].any()
    # (0,1): rows 0-2, cols 2-4 (col 4 is padding): 3*2 + 2*1 + 3*2 ... by hand:
    #   window [[3,0,0],[2,3,0],[1,2,0]] x kernel -> 3*2 + 0*0 + 0*1 + 2*0 + 3*1 + 0*2
    #   + 1*1 + 2*0 + 0*2 = 10
    # (1,0): rows 2-4 (row 4 padding), cols 0-2: [[3,0,1],[2,3,0],[0,0,0]] -> 6+0+1+0+3+0 = 10
    # (1,1): rows 2-4, cols 2-4: [[1,2,0],[0,1,0],[0,0,0]] -> 2+0+0+0+1+0 = 3
    np.testing.assert_array_equal(result.output, [[15, 10], [10, 3]])
    assert result.formula == (
        "out = ceil(4 / 2) = 2; padding = max((2 - 1) * 2 + 3 - 4, 0) = 1 (0 before, 1 after)"
    )
    step = result.step(1)
    np.testing.assert_array_equal(step.inside, [[1, 1, 0], [1, 1, 0], [1, 1, 0]])


def test_same_padding_with_stride_1_keeps_the_size_and_pads_both_sides():
    grid = np.arange(25).reshape(5, 5)
    result = concepts.convolve(grid, concepts.KERNELS["identity"], padding="same")
    assert result.pad == (1, 1, 1, 1)
    np.testing.assert_array_equal(result.output, grid)
    assert concepts.same_padding(5, 4, stride=1) == (1, 2)  # even kernel: extra zero after


def test_pooling_by_hand():
    grid = np.array([[1, 3, 2, 1], [4, 6, 5, 0], [3, 2, 1, 9], [0, 8, 7, 4]])
    maxed = concepts.pool(grid, size=2, mode="max")
    averaged = concepts.pool(grid, size=2, mode="average")
    np.testing.assert_array_equal(maxed.output, [[6, 5], [8, 9]])
    np.testing.assert_array_equal(averaged.output, [[3.5, 2], [3.25, 5.25]])
    assert maxed.stride == (2, 2)  # stride defaults to the pool size
    assert maxed.step(3).expression == "max(1, 9, 7, 4) = 9"
    assert averaged.step(2).expression == "(3 + 2 + 0 + 8) / 4 = 3.25"
    assert maxed.step(0).products is None


def test_same_pooling_counts_only_real_cells():
    # 3x3, pool 2, stride 2, same: out = 2, total padding 1 -> a row and column after.
    grid = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    averaged = concepts.pool(grid, size=2, padding="same", mode="average")
    maxed = concepts.pool(-grid, size=2, padding="same", mode="max")
    np.testing.assert_array_equal(averaged.output, [[3, 4.5], [7.5, 9]])
    np.testing.assert_array_equal(maxed.output, [[-1, -3], [-7, -9]])  # padding never wins
    assert averaged.pad == (0, 1, 0, 1)
    assert averaged.step(1).expression == "(3 + 6) / 2 = 4.5"
    assert averaged.step(3).expression == "9 / 1 = 9"


def test_every_step_adds_up_to_its_output_cell():
    grid = concepts.random_grid(7, 6, seed=4)
    result = concepts.convolve(grid, concepts.KERNELS["emboss"], stride=(2, 1), padding="same")
    steps = result.steps
    assert len(steps) == result.n_steps == result.output.size
    for step in steps:
        assert step.index == step.row * result.output.shape[1] + step.col
        np.testing.assert_allclose(step.products.sum(), result.output[step.row, step.col])
        np.testing.assert_array_equal(step.window[~step.inside], 0)
    pooled = concepts.pool(grid, size=3, stride=2, padding="same", mode="max")
    for step in pooled.steps:
        assert step.value == step.window[step.inside].max()
    assert result.output.shape == (4, 6)  # ceil(7 / 2) x ceil(6 / 1)
    with pytest.raises(CnnvizError, match="between 0 and 23"):
        result.step(24)


def test_numbers_too_large_to_multiply_are_refused():
    grid = np.full((3, 3), 1e308)  # its products overflow to inf: the figures would lie
    with pytest.raises(CnnvizError, match="the grid holds 1e\\+308; use numbers from"):
        concepts.convolve(grid, np.ones((2, 2)))
