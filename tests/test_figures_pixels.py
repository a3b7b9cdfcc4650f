"""The display transforms: the lab's normalisation by hand, tiling, colour filters."""

import numpy as np
import pytest

from cnnviz.errors import CnnvizError
from cnnviz.features import LayerActivation
from cnnviz.figures.pixels import (
    filter_images,
    fit_within,
    layer_grid,
    normalize_channels,
    symmetric_range,
    tile_maps,
)


def random_image(shape, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def test_normalize_channels_is_the_labs_formula_by_hand():
    maps = np.zeros((2, 2, 2))
    maps[..., 0] = [[0, 2], [4, 6]]  # mean 3, std sqrt(5)
    maps[..., 1] = 7.0  # constant: mid grey
    out = normalize_channels(maps)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out[..., 0], [[42, 99], [156, 213]])
    np.testing.assert_array_equal(out[..., 1], np.full((2, 2), 128))
    spike = np.zeros((8, 8, 1))
    spike[0, 0, 0] = 1.0  # (1 - 1/64) / (sqrt(63)/64) * 64 + 128 = 636: clipped
    out = normalize_channels(spike)
    assert out[0, 0, 0] == 255 and out[1, 1, 0] == 119  # 128 - 64/sqrt(63) = 119.9


def test_symmetric_range_is_the_largest_absolute_value():
    assert symmetric_range(np.array([[-3.0, 2.0], [0.5, 1.0]])) == 3.0
    assert symmetric_range(np.zeros((4, 4, 2))) == 1.0


def test_layer_grid_tiles_normalised_maps_with_white_gaps():
    maps = random_image((8, 8, 32), seed=3)
    grid = layer_grid(LayerActivation("c", "Conv2D", maps), cell_px=48, gap=2)
    assert grid.shape == (6 * 50 - 2, 6 * 50 - 2)  # 32 maps: 6 columns, 6 rows of 48+2
    normalised = normalize_channels(maps)
    np.testing.assert_array_equal(grid[:48, :48], np.kron(normalised[..., 0], np.ones((6, 6))))
    np.testing.assert_array_equal(
        grid[50:98, 100:148], np.kron(normalised[..., 8], np.ones((6, 6)))
    )
    assert (grid[48:50, :] == 255).all() and (grid[:, 48:50] == 255).all()
    flat = layer_grid(LayerActivation("d", "Dense", np.arange(10.0)), cell_px=48)
    assert flat.shape == (24, 240)
    assert flat[0, 0] < flat[0, -1]


def test_first_layer_colour_filters_share_one_min_max_scale():
    kernel = np.zeros((1, 2, 3, 2), np.float32)
    kernel[0, 0, :, 0] = [-1.0, 0.0, 1.0]
    kernel[0, 1, :, 1] = [3.0, 1.0, -1.0]
    images = filter_images(kernel)  # min -1, max 3
    assert images.shape == (2, 1, 2, 3)
    np.testing.assert_allclose(images[0, 0, 0], [0.0, 0.25, 0.5])
    np.testing.assert_allclose(images[1, 0, 1], [1.0, 0.5, 0.0])
    np.testing.assert_allclose(images[1, 0, 0], [0.25, 0.25, 0.25])  # zeros
    with pytest.raises(CnnvizError, match="3 channels"):
        filter_images(np.zeros((3, 3, 1, 4)))


def test_tile_maps_places_map_k_in_row_k_div_columns_with_gaps():
    maps = np.arange(2 * 3 * 5, dtype=float).reshape(2, 3, 5)
    grid = tile_maps(maps, columns=2, gap=1)
    assert grid.shape == (3 * 3 - 1, 2 * 4 - 1)  # 5 maps: 3 rows of 2
    np.testing.assert_array_equal(grid[3:5, 4:7], maps[..., 3])
    np.testing.assert_array_equal(grid[6:8, 0:3], maps[..., 4])
    assert np.isnan(grid[2]).all() and np.isnan(grid[:, 3]).all()
    assert np.isnan(grid[6:8, 4:7]).all()  # no sixth map
    assert tile_maps(maps, gap=0, fill=0).shape == (4, 9)  # 3 columns by default


def test_fit_within_shrinks_to_the_longer_side_like_pillow_and_keeps_small_ones():
    from PIL import Image

    heat = random_image((224, 112))
    small = fit_within(heat, 64)
    assert small.shape == (64, 32) and small.dtype == np.float32
    eight = (heat * 255).round().astype(np.uint8)
    oracle = np.asarray(Image.fromarray(eight).resize((32, 64), Image.Resampling.BILINEAR))
    np.testing.assert_allclose(small * 255, oracle, atol=0.5)  # Pillow's bilinear
    photo = (random_image((100, 80, 3)) * 255).astype(np.uint8)
    assert fit_within(photo, 50).shape == (50, 40, 3) and fit_within(photo, 50).dtype == np.uint8
    assert fit_within(photo, 100) is photo  # fits: as it is
