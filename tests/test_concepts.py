"""cnnviz.concepts: convolution and pooling arithmetic, checked against Keras and by hand."""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from cnnviz import concepts
from cnnviz.errors import CnnvizError

# A worked example found in many textbooks: a 4x4 input and a 3x3 kernel.
GRID_4X4 = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]])
KERNEL_3X3 = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]])


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


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


# --- against Keras ----------------------------------------------------------------------


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


def test_max_pool_2x2_matches_keras_default_max_pooling(keras):
    values = np.random.default_rng(5).normal(size=(11, 8))  # odd height: last row dropped
    expected = keras.ops.convert_to_numpy(keras.layers.MaxPooling2D()(batch(values)))[0, :, :, 0]
    np.testing.assert_allclose(concepts.max_pool_2x2(values), expected, rtol=1e-6)
    assert concepts.max_pool_2x2(values).shape == (5, 4)


def test_transform_image_matches_keras_conv_relu_and_pooling(keras):
    photo = np.random.default_rng(6).integers(0, 256, size=(30, 41, 3)).astype(np.uint8)
    kernel = concepts.KERNELS["Sobel vertical"]
    stages = concepts.transform_image(photo, kernel, stride=2, padding="same")
    gray = batch(concepts.grayscale(photo))
    model = keras.Sequential(
        [
            keras.layers.Conv2D(1, 3, strides=2, padding="same", use_bias=False, activation="relu"),
            keras.layers.MaxPooling2D(),
        ]
    )
    model.build(gray.shape)
    model.layers[0].set_weights([kernel[:, :, None, None].astype("float32")])
    expected = keras.ops.convert_to_numpy(model(gray))[0, :, :, 0]
    assert stages.feature_map.shape == (15, 21)
    assert (stages.relu >= 0).all()
    np.testing.assert_allclose(stages.pooled, expected, rtol=1e-4, atol=1e-3)


# --- hand-worked examples -----------------------------------------------------------------


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


def test_output_size_formula_fills_in_the_numbers():
    assert concepts.output_size_formula(6, 3, stride=1, padding="valid") == (
        "out = floor((6 - 3) / 1) + 1 = 4"
    )
    assert concepts.output_size_formula(7, 2, stride=3, padding="valid") == (
        "out = floor((7 - 2) / 3) + 1 = 2"
    )
    result = concepts.convolve(np.zeros((6, 8)), np.ones((3, 3)), stride=2)
    assert result.formula == (
        "rows: out = floor((6 - 3) / 2) + 1 = 2\ncolumns: out = floor((8 - 3) / 2) + 1 = 3"
    )


# --- invalid combinations, in words ---------------------------------------------------------


def test_a_kernel_larger_than_the_input_is_explained():
    message = concepts.explain_invalid((4, 4), (5, 5), stride=1, padding="valid")
    assert "5x5 kernel is larger than the 4x4 input" in message
    assert "'same' padding" in message
    assert concepts.explain_invalid((4, 4), (5, 5), stride=1, padding="same") is None
    with pytest.raises(CnnvizError, match="larger than the 4x4 input"):
        concepts.convolve(np.ones((4, 4)), np.ones((5, 5)))
    with pytest.raises(CnnvizError, match="3x3 pooling window is larger than the 2x5 input"):
        concepts.pool(np.ones((2, 5)), size=3)


@pytest.mark.parametrize(
    "stride, words",
    [
        (0, "stride of 0 never moves"),
        (-1, "stride of -1 would move the kernel backwards"),
        (1.5, "whole number"),
        ((1, 0), "stride of 0"),
    ],
)
def test_a_bad_stride_is_explained(stride, words):
    assert words in concepts.explain_invalid((5, 5), (3, 3), stride=stride, padding="valid")
    with pytest.raises(CnnvizError, match=words):
        concepts.convolve(np.ones((5, 5)), np.ones((3, 3)), stride=stride)


def test_other_mistakes_are_explained():
    assert "Received: padding='full'" in concepts.explain_invalid(
        (5, 5), (3, 3), stride=1, padding="full"
    )
    with pytest.raises(CnnvizError, match="2-D grid"):
        concepts.convolve(np.ones(5), np.ones((3, 3)))
    with pytest.raises(CnnvizError, match="NaN"):
        concepts.convolve([[1, float("nan")]], [[1]])
    with pytest.raises(CnnvizError, match="rectangle of numbers"):
        concepts.convolve([[1, 2], [3]], [[1]])
    with pytest.raises(CnnvizError, match="'max' or 'average'. Received: 'min'"):
        concepts.pool(np.ones((4, 4)), mode="min")
    with pytest.raises(CnnvizError, match="at least 2x2"):
        concepts.max_pool_2x2(np.ones((1, 5)))


# --- kernels, grids as text -----------------------------------------------------------------


def test_named_kernels():
    assert {
        "identity",
        "horizontal edges",
        "vertical edges",
        "Sobel horizontal",
        "Sobel vertical",
        "Laplacian",
        "blur",
        "sharpen",
        "emboss",
    } <= set(concepts.KERNELS)
    assert set(concepts.KERNEL_NOTES) == {*concepts.KERNELS, "custom"}
    flat = np.full((5, 5), 7.0)
    for name, kernel in concepts.KERNELS.items():
        assert kernel.shape in {(3, 3), (5, 5)}, name
        response = concepts.convolve(flat, kernel).output
        if "edges" in name or name.startswith(("Sobel", "Laplacian")):
            np.testing.assert_allclose(response, 0, atol=1e-12, err_msg=name)  # flat: no edge
        elif name != "emboss":
            np.testing.assert_allclose(response, 7, err_msg=name)  # weights sum to 1
    step = np.tile([0, 0, 0, 9, 9, 9], (5, 1))  # dark left half, bright right half
    vertical = concepts.convolve(step, concepts.get_kernel("Sobel vertical")).output
    np.testing.assert_array_equal(vertical[:, 1:3], 36)  # 9*1 + 9*2 + 9*1 at the edge
    np.testing.assert_array_equal(
        concepts.convolve(step, concepts.KERNELS["Sobel horizontal"]).output, 0
    )


def test_get_kernel_copies_and_resolves_custom():
    kernel = concepts.get_kernel("identity")
    kernel[1, 1] = 5
    assert concepts.KERNELS["identity"][1, 1] == 1
    custom = concepts.get_kernel("custom", custom_text="1 2 3\n4 5 6\n7 8 9")
    np.testing.assert_array_equal(custom, np.arange(1, 10).reshape(3, 3))
    with pytest.raises(CnnvizError, match=r"choose one of identity.*Received: 'gaussian'"):
        concepts.get_kernel("gaussian")


@pytest.mark.parametrize(
    "text",
    [
        "1 0 -1\n2 0 -2\n1 0 -1",
        "1, 0, -1\n2, 0, -2\n1, 0, -1\n",
        "1 0 -1; 2 0 -2; 1 0 -1",
        "[[1, 0, -1], [2, 0, -2], [1, 0, -1]]",
        "  1   0  -1\n\n 2 0 -2\n 1 0 -1  ",
    ],
)
def test_parse_kernel_reads_common_ways_of_typing(text):
    np.testing.assert_array_equal(concepts.parse_kernel(text), -concepts.KERNELS["Sobel vertical"])


def test_parse_kernel_reads_fractions_and_5x5():
    np.testing.assert_allclose(
        concepts.parse_kernel("1/9 " * 3 + "\n" + ("1/9 " * 3 + "\n") * 2), concepts.KERNELS["blur"]
    )
    assert concepts.parse_kernel("\n".join(["1 1 1 1 1"] * 5)).shape == (5, 5)


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "empty"),
        ("1 0 x\n1 0 1\n1 0 1", "'x', which is not a number"),
        ("1 0\n1 0 1\n1 0 1", "same number of values. Received rows of lengths 2, 3, 3"),
        ("1 0 1 0\n" * 4, "3x3 or 5x5 (3 rows of 3 numbers, or 5 of 5). Received: 4x4"),
        ("1 0 1\n1 0 1", "Received: 2x3"),
        ("1/0 0 1\n1 0 1\n1 0 1", "'1/0', which is not a number"),
    ],
)
def test_parse_kernel_refuses_with_a_clear_message(text, words):
    with pytest.raises(CnnvizError, match=words.replace("(", r"\(").replace(")", r"\)")):
        concepts.parse_kernel(text)


def test_grids_round_trip_through_text():
    grid = concepts.random_grid(5, 7, seed=11)
    assert grid.shape == (5, 7) and grid.min() >= 0 and grid.max() <= 9
    np.testing.assert_array_equal(concepts.random_grid(5, 7, seed=11), grid)
    assert not np.array_equal(concepts.random_grid(5, 7, seed=12), grid)
    np.testing.assert_array_equal(concepts.parse_grid(concepts.format_grid(grid)), grid)
    assert concepts.format_grid([[1, -0.5], [2.25, 1 / 3]]) == "1 -0.5\n2.25 0.3333"
    with pytest.raises(CnnvizError, match="at most 16 rows and columns. Received: 17x1"):
        concepts.parse_grid("1\n" * 17)


def test_format_number():
    assert concepts.format_number(3.0) == "3"
    assert concepts.format_number(-1.5) == "-1.5"
    assert concepts.format_number(1 / 9) == "0.11"
    assert concepts.format_number(1 / 9, fractions=True) == "1/9"
    assert concepts.format_number(-1 / 16, fractions=True) == "-1/16"
    assert concepts.format_number(0.3, fractions=True) == "3/10"
    assert concepts.format_number(2.0, fractions=True) == "2"


# --- the image transformer ------------------------------------------------------------------


def test_grayscale_weights_colour_like_pillow():
    rgb = np.random.default_rng(8).integers(0, 256, size=(20, 30, 3)).astype(np.uint8)
    pillow = np.asarray(Image.fromarray(rgb).convert("L"), dtype=float)
    np.testing.assert_allclose(concepts.grayscale(rgb), pillow, atol=1.0)
    np.testing.assert_array_equal(concepts.grayscale(rgb[..., :1]), rgb[..., 0])
    with pytest.raises(CnnvizError, match=r"Received: \(2, 2, 2\)"):
        concepts.grayscale(np.zeros((2, 2, 2)))


def test_downscale_averages_whole_blocks():
    image = np.arange(6 * 9, dtype=np.uint8).reshape(6, 9)
    small = concepts.downscale(image, max_side=4)  # factor ceil(9 / 4) = 3
    assert small.shape == (2, 3) and small.dtype == np.uint8
    assert small[0, 0] == image[:3, :3].mean()  # 0,1,2,9,10,11,18,19,20 -> 10
    assert concepts.downscale(image, max_side=9) is image
    assert concepts.relu([-2.0, 0.0, 3.0]).tolist() == [0.0, 0.0, 3.0]


def test_transform_image_on_a_sample_photo():
    from sklearn.datasets import load_sample_image

    photo = load_sample_image("china.jpg")  # (427, 640, 3)
    stages = concepts.transform_image(photo, concepts.KERNELS["Laplacian"])
    assert stages.shapes() == {
        "photo": (427, 640, 3),
        "gray": (427, 640),
        "feature_map": (425, 638),
        "relu": (425, 638),
        "pooled": (212, 319),
    }
    # the first feature-map cell is the small-grid arithmetic on the photo's corner
    corner = concepts.convolve(stages.gray[:3, :3], concepts.KERNELS["Laplacian"]).output
    assert stages.feature_map[0, 0] == pytest.approx(corner[0, 0])
    smaller = concepts.transform_image(
        photo, np.ones((5, 5)), stride=2, padding="same", max_side=320
    )
    assert smaller.photo.shape == (213, 320, 3)
    assert smaller.feature_map.shape == (107, 160) and smaller.pooled.shape == (53, 80)


def test_concepts_imports_neither_tensorflow_nor_ui_libraries():
    code = (
        "import sys, cnnviz.concepts; "
        "print(sorted(m for m in ('tensorflow', 'keras', 'streamlit', 'plotly', 'sklearn') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=str(__import__("pathlib").Path(__file__).parents[1]),
    )
    assert done.stdout.strip() == "[]"
