"""Keras's output-size rule of a sliding window, the one both validation and the
Concepts page use. Oracle: Keras's own convolution output shapes."""

import itertools

import pytest

from cnnviz.shapes import ShapeError, format_shape, window_output_size

CASES = list(itertools.product([5, 8, 9], [1, 3, 4], [1, 2, 3], ["valid", "same"]))


@pytest.mark.parametrize("size, window, stride, padding", CASES)
def test_window_output_size_is_keras_conv_output(size, window, stride, padding, keras):
    if padding == "valid" and window > size:
        assert window_output_size(size, window, stride, padding) == 0
        return
    layer = keras.layers.Conv2D(1, (window, 1), strides=(stride, 1), padding=padding)
    out = layer.compute_output_shape((1, size, 1, 1))
    assert window_output_size(size, window, stride, padding) == out[1]


def test_shape_words():
    assert format_shape((5, 5, 32)) == "5x5x32"
    assert issubclass(ShapeError, ValueError)
