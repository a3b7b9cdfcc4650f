"""Output sizes and padding with the numbers filled in, and why a window cannot slide,
in words a learner can act on."""

import subprocess
import sys

import numpy as np
import pytest

from cnnviz import concepts
from cnnviz.errors import CnnvizError


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
