"""cnnviz.figures, concepts section: the figures draw exactly what the engine computed."""

import numpy as np
import plotly.graph_objects as go
import pytest

from cnnviz import concepts, figures
from cnnviz.figures.base import TOP_MARGIN

GRID_4X4 = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]])
KERNEL_3X3 = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]])


def trace(fig, name):
    (found,) = [t for t in fig.data if t.name == name]
    return found


def shape(fig, name):
    (found,) = [s for s in fig.layout.shapes if s.name == name]
    return found


def valid(fig):
    """`fig`, after re-building it with plotly's full validation (the fast path skips it)."""
    go.Figure(fig.to_dict())
    return fig


def nan_mask(values):
    return np.isnan(np.asarray(values, dtype=float))


def test_convolution_figure_draws_padding_window_and_progress():
    result = concepts.convolve(GRID_4X4, KERNEL_3X3, stride=2, padding="same")  # 15 10 / 10 3
    fig = valid(figures.convolution_figure(result, 1))
    assert fig.layout.xaxis.title.text == "Input 4×4, padded to 5×5"
    assert fig.layout.xaxis2.title.text == "Output 2×2"

    values = np.asarray(trace(fig, "input").z, dtype=float)
    np.testing.assert_array_equal(nan_mask(values), ~result.inside)
    np.testing.assert_array_equal(values[:4, :4], GRID_4X4)
    padding = trace(fig, "padding")
    np.testing.assert_array_equal(~nan_mask(padding.z), ~result.inside)
    assert set(np.asarray(padding.text)[~result.inside]) == {"0"}

    window = shape(fig, "window")  # step 1 covers rows 0-2, cols 2-4 of the padded input
    assert (window.x0, window.x1, window.y0, window.y1) == (1.5, 4.5, -0.5, 2.5)
    assert window.xref == "x" and window.yref == "y"

    output = np.asarray(trace(fig, "output").z, dtype=float)
    np.testing.assert_array_equal(output[0], [15, 10])  # steps 0 and 1 done
    assert nan_mask(output[1]).all()  # not computed yet
    assert list(np.asarray(trace(fig, "output").text)[0]) == ["15", "10"]
    to_do = np.asarray(trace(fig, "output (to do)").z, dtype=float)
    np.testing.assert_array_equal(nan_mask(to_do), [[True, True], [False, False]])
    cell = shape(fig, "output cell")
    assert (cell.x0, cell.y0, cell.xref) == (0.5, -0.5, "x2")


def test_the_last_step_shows_the_whole_output():
    result = concepts.convolve(GRID_4X4, KERNEL_3X3)
    fig = valid(figures.convolution_figure(result, result.n_steps - 1))
    np.testing.assert_array_equal(trace(fig, "output").z, [[15, 16], [6, 15]])
    assert [t.name for t in fig.data] == ["input", "output"]  # no padding, nothing to do
    assert fig.layout.xaxis.title.text == "Input 4×4"


def test_panels_have_square_cells_of_one_size_and_operators_between():
    layout = figures.panel_layout([(5, 5), (2, 2)], ["a", "b"], operators=["→"], cell_px=40)
    left, right = layout["xaxis"]["domain"], layout["xaxis2"]["domain"]
    assert left[0] == 0 and right[1] == pytest.approx(1)
    assert (left[1] - left[0]) / (right[1] - right[0]) == pytest.approx(5 / 2)
    assert left[1] < right[0]
    assert layout["yaxis2"]["scaleanchor"] == "x2"
    assert layout["yaxis"]["range"] == [4.5, -0.5]  # row 0 on top
    assert layout["height"] == 5 * 40 + TOP_MARGIN + 16
    (arrow,) = layout["annotations"]
    assert arrow["text"] == "→" and left[1] < arrow["x"] < right[0]


def test_arithmetic_figure_shows_window_kernel_and_products():
    result = concepts.convolve(GRID_4X4, concepts.KERNELS["blur"], padding="same")
    fig = valid(figures.arithmetic_figure(result, 0))  # top-left: window hangs over padding
    step = result.step(0)
    window = np.asarray(trace(fig, "window").z, dtype=float)
    np.testing.assert_array_equal(nan_mask(window), ~step.inside)
    np.testing.assert_array_equal(window[1:, 1:], [[1, 2], [0, 1]])
    assert set(np.asarray(trace(fig, "window padding").text)[~step.inside]) == {"0"}
    assert set(np.asarray(trace(fig, "kernel").text).ravel()) == {"1/9"}
    np.testing.assert_allclose(trace(fig, "products").z, step.window / 9)
    assert fig.layout.xaxis3.title.text == "Products: sum = 0.44"  # (1 + 2 + 0 + 1) / 9
    assert [a.text for a in fig.layout.annotations] == ["×", "="]


def test_pooling_figure_shows_both_outputs_at_one_step():
    grid = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    maxed, averaged = (
        concepts.pool(grid, size=2, padding="same", mode=m) for m in ("max", "average")
    )
    fig = valid(figures.pooling_figure(maxed, averaged, 2))
    assert [fig.layout[a].title.text for a in ("xaxis", "xaxis2", "xaxis3")] == [
        "Input 3×3, padded to 4×4",
        "Max pooling 2×2",
        "Average pooling 2×2",
    ]
    np.testing.assert_array_equal(np.asarray(trace(fig, "max").z)[0], [5, 6])
    np.testing.assert_array_equal(np.asarray(trace(fig, "average").z)[0], [3, 4.5])
    assert np.asarray(trace(fig, "average").z)[1, 0] == 7.5  # step 2 is done
    assert nan_mask(np.asarray(trace(fig, "average").z))[1, 1]
    assert set(np.asarray(trace(fig, "padding").text).ravel()) == {""}  # pooling skips padding
    window = shape(fig, "window")
    assert (window.y0, window.y1, window.x0, window.x1) == (1.5, 3.5, -0.5, 1.5)
    assert {s.name for s in fig.layout.shapes} == {"window", "max cell", "average cell"}
    other = concepts.pool(grid, size=3, mode="average")
    with pytest.raises(ValueError, match="must share"):
        figures.pooling_figure(maxed, other, 0)


def test_heatmap_with_numbers_writes_every_value():
    values = np.array([[3, 0], [1, 12.345]])
    fig = valid(
        figures.heatmap_with_numbers(
            values, title="Confusion", x_labels=["a", "b"], y_labels=["a", "b"], decimals=1
        )
    )
    (heatmap,) = fig.data
    assert np.asarray(heatmap.text).tolist() == [["3", "0"], ["1", "12.3"]]
    assert heatmap.texttemplate == "%{text}"
    assert list(heatmap.x) == ["a", "b"] and fig.layout.title.text == "Confusion"
    assert fig.layout.yaxis.autorange == "reversed"


def test_cell_text():
    text = figures.cell_text([[1.0, np.nan], [-0.25, 1 / 16]], fractions=True)
    assert text.tolist() == [["1", ""], ["-1/4", "1/16"]]


def test_feature_map_rgb_uses_one_diverging_scale():
    rgb = figures.feature_map_rgb(np.array([[-4.0, -2.0, 0.0, 2.0, 8.0]]), limit=4.0)
    assert rgb.dtype == np.uint8 and rgb.shape == (1, 5, 3)
    assert rgb[0, 2].tolist() == [255, 255, 255]  # zero is white
    assert rgb[0, 0].tolist() == [178, 24, 43]  # -limit is full red
    assert rgb[0, 4].tolist() == [33, 102, 172]  # beyond +limit is clipped to full blue
    assert rgb[0, 3, 0] > rgb[0, 4, 0] and rgb[0, 1, 2] > rgb[0, 0, 2]  # halfway is paler


def test_transformer_images_state_each_shape():
    photo = np.random.default_rng(0).integers(0, 256, size=(40, 50, 3)).astype(np.uint8)
    stages = concepts.transform_image(photo, concepts.KERNELS["sharpen"])
    pictures = figures.transformer_images(stages)
    assert [caption for caption, _ in pictures] == [
        "Photo (40, 50, 3) → brightness (40, 50)",
        "Feature map (38, 48)",
        "After ReLU (38, 48): negatives become 0",
        "After 2x2 max pooling (19, 24)",
    ]
    np.testing.assert_array_equal(pictures[0][1], photo)
    assert [p.shape for _, p in pictures[1:]] == [(38, 48, 3), (38, 48, 3), (19, 24, 3)]
    relu = pictures[2][1]
    feature_map = pictures[1][1]
    assert (feature_map[..., 0] > feature_map[..., 2]).any()  # negatives drawn red
    assert (relu[..., 0] <= relu[..., 2]).all()  # after ReLU: only white and blue
