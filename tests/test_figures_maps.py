"""One layer's maps and a convolution's filters, drawn from the numbers given."""

import numpy as np

from cnnviz.features import LayerActivation
from cnnviz.figures.maps import filters_figure, layer_maps
from cnnviz.figures.pixels import (
    filter_images,
    normalize_channels,
    symmetric_range,
    tile_maps,
)
from tests.helpers_figures import CONV, DENSE, RNG, decoded, shrunk, valid


def test_layer_maps_show_the_labs_per_channel_normalisation_and_raw_values():
    fig = valid(layer_maps(CONV, max_channels=9, columns=3))
    (trace,) = fig.data
    expected = tile_maps(normalize_channels(CONV.output[..., :9]).astype(float), columns=3)
    np.testing.assert_array_equal(np.asarray(trace.z, dtype=float), expected)
    custom = np.asarray(trace.customdata, dtype=float)
    np.testing.assert_allclose(custom[:8, :8, 0], CONV.output[..., 0], rtol=1e-6)
    np.testing.assert_array_equal(custom[9:17, 18:26, 1], np.full((8, 8), 5.0))  # channel 5
    assert fig.layout.title.text == "conv2d (Conv2D), output (8, 8, 20): first 9 of 20 channels"
    assert (trace.zmin, trace.zmax) == (0, 255)


def test_layer_maps_subsample_big_maps_and_draw_flat_layers_as_bars():
    big = LayerActivation("conv", "Conv2D", RNG.normal(size=(298, 298, 2)))
    fig = valid(layer_maps(big))
    assert np.asarray(fig.data[0].z).shape == (75, 151)  # every 4th pixel, 2 maps + gap
    assert fig.layout.title.text.endswith("every 4th pixel")
    fig = valid(layer_maps(DENSE))
    np.testing.assert_allclose(fig.data[0].y, [1.0, -2.0, 0.5])
    assert fig.layout.xaxis.title.text == "unit"


def test_filters_figure_places_each_kernel_slice_in_its_row_and_column():
    kernel = RNG.normal(size=(3, 3, 10, 20))
    fig = valid(filters_figure(kernel, layer_name="conv2d_1"))
    grid = np.asarray(fig.data[0].z, dtype=float)
    assert grid.shape == (16 * 4 - 1, 8 * 4 - 1)  # 16 filters x 8 input channels
    np.testing.assert_array_equal(grid[5 * 4 : 5 * 4 + 3, 2 * 4 : 2 * 4 + 3], kernel[:, :, 2, 5])
    assert np.isnan(grid[3, :]).all()  # the gap between filters 0 and 1
    limit = symmetric_range(kernel[..., :16])
    assert (fig.data[0].zmin, fig.data[0].zmax) == (-limit, limit)
    assert "first 16, input channels 0–7 of 10" in fig.layout.title.text
    assert fig.layout.xaxis.title.text == "input channel"
    assert fig.layout.yaxis.title.text == "filter"


def test_first_layer_colour_filters_are_pictures():
    kernel = RNG.normal(size=(3, 3, 3, 5))
    fig = valid(filters_figure(kernel, layer_name="conv2d"))
    assert [t.name for t in fig.data] == [f"filter {i}" for i in range(5)]
    expected = (filter_images(kernel)[2] * 255).round().astype(np.uint8)
    np.testing.assert_array_equal(shrunk(decoded(fig.data[2]), (3, 3)), expected)
    assert fig.layout.title.text.endswith("in colour")
