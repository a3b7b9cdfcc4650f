"""Named kernels, grids and kernels typed as text, numbers as a learner writes them."""

import numpy as np
import pytest

from cnnviz import concepts
from cnnviz.errors import CnnvizError


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
