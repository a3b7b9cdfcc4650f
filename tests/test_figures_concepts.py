"""cnnviz.figures, concepts section: the diagrams draw exactly what the engine computed."""

import numpy as np
import pytest
from plotly.colors import sample_colorscale

from cnnviz import concepts
from cnnviz.figures import svg
from cnnviz.figures.colors import DIVERGING, EMPTY_COLOR, PAD_COLOR, SEQUENTIAL
from cnnviz.figures.concepts import (
    arithmetic_figure,
    convolution_figure,
    pooling_figure,
    transformer_images,
)
from cnnviz.figures.pixels import feature_map_rgb
from tests.helpers_svg import numbers, operators, panel, panel_names, parse

GRID_4X4 = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]])
KERNEL_3X3 = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]])


def test_convolution_figure_draws_padding_window_and_progress():
    result = concepts.convolve(GRID_4X4, KERNEL_3X3, stride=2, padding="same")  # 15 10 / 10 3
    drawing = convolution_figure(result, 1)
    assert panel_names(drawing) == ["input", "output"] and operators(drawing) == ["→"]
    shown = panel(drawing, "input")
    assert shown["title"] == "Input 4×4, padded to 5×5"
    np.testing.assert_array_equal(numbers(drawing, "input")[:4, :4], GRID_4X4)
    np.testing.assert_array_equal(shown["fills"] == PAD_COLOR, ~result.inside)
    assert set(shown["texts"][~result.inside]) == {"0"}
    assert shown["highlight"] == ((0, 3), (2, 5))  # step 1: rows 0-2, cols 2-4 of the padded input

    output = panel(drawing, "output")
    assert output["title"] == "Output 2×2"
    assert output["texts"].tolist() == [["15", "10"], ["", ""]]  # steps 0 and 1 done
    assert (output["fills"][1] == EMPTY_COLOR).all() and EMPTY_COLOR not in output["fills"][0]
    assert output["highlight"] == ((0, 1), (1, 2))


def test_the_last_step_shows_the_whole_output():
    result = concepts.convolve(GRID_4X4, KERNEL_3X3)
    drawing = convolution_figure(result, result.n_steps - 1)
    np.testing.assert_array_equal(numbers(drawing, "output"), [[15, 16], [6, 15]])
    assert panel(drawing, "input")["title"] == "Input 4×4"
    assert PAD_COLOR not in panel(drawing, "input")["fills"]  # no padding, nothing to do
    assert EMPTY_COLOR not in panel(drawing, "output")["fills"]


def test_output_colours_are_diverging_around_zero():
    result = concepts.convolve(GRID_4X4, concepts.KERNELS["vertical edges"])
    drawing = convolution_figure(result, result.n_steps - 1)
    values, fills = numbers(drawing, "output"), panel(drawing, "output")["fills"]
    limit = np.abs(result.output).max()
    for value, fill in zip(values.ravel(), fills.ravel()):
        (expected,) = sample_colorscale(DIVERGING, [(value / limit + 1) / 2])  # plotly's own
        assert fill == rgb_hex(expected)


def rgb_hex(plotly_rgb: str) -> str:
    """'rgb(91.0, 155, 208)' as '#5b9bd0' (plotly's colour strings, rounded)."""
    parts = plotly_rgb[plotly_rgb.index("(") + 1 : -1].split(",")
    return "#" + "".join(f"{round(float(p)):02x}" for p in parts)


def test_scale_colors_matches_plotly_interpolation():
    values = np.array([[-3.0, 0.0], [1.5, 9.0]])
    fills = svg.scale_colors(values, SEQUENTIAL, -3.0, 3.0)
    expected = sample_colorscale(SEQUENTIAL, [0.0, 0.5, 0.75, 1.0])  # 9 is clipped to 1
    assert fills.ravel().tolist() == [rgb_hex(c) for c in expected]


def test_panels_sit_side_by_side_with_square_cells_of_one_size():
    small = svg.GridPanel(
        "a",
        "A",
        np.full((5, 5), "1", dtype=object),
        np.full((5, 5), "#ffffff", dtype=object),
        highlight=((1, 3), (0, 2)),
    )
    tiny = svg.GridPanel(
        "b", "B", np.full((2, 2), "", dtype=object), np.full((2, 2), EMPTY_COLOR, dtype=object)
    )
    root = parse(svg.panels_svg([small, tiny], operators=["→"], cell_px=40, label="two"))
    assert root.get("aria-label") == "two"
    cells = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("data-row")]
    assert {(float(r.get("width")), float(r.get("height"))) for r in cells} == {(38.0, 38.0)}
    left_edge = {
        g: [float(r.get("x")) for r in cells if r in list(g)]
        for g in root.findall("{http://www.w3.org/2000/svg}g")
    }
    a, b = left_edge.values()
    assert max(a) + 38 < min(b)  # b starts right of a
    (arrow,) = [
        t for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "operator"
    ]
    assert max(a) + 38 < float(arrow.get("x")) < min(b)
    assert float(root.get("height")) >= 5 * 40 + svg.TITLE_PX
    (outline,) = [
        r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("class") == "highlight"
    ]
    assert (float(outline.get("width")), float(outline.get("height"))) == (80.0, 80.0)


def test_text_is_escaped():
    odd = svg.GridPanel(
        "<g>", "a < b & c", np.array([["<1>"]], dtype=object), np.array([["#ffffff"]], dtype=object)
    )
    drawing = svg.panels_svg([odd], label='"quoted"')
    assert panel(drawing, "<g>")["title"] == "a < b & c"
    assert panel(drawing, "<g>")["texts"][0, 0] == "<1>"


def test_arithmetic_figure_shows_window_kernel_and_products():
    result = concepts.convolve(GRID_4X4, concepts.KERNELS["blur"], padding="same")
    drawing = arithmetic_figure(result, 0)  # top-left: window hangs over padding
    step = result.step(0)
    window = panel(drawing, "window")
    np.testing.assert_array_equal(window["fills"] == PAD_COLOR, ~step.inside)
    assert set(window["texts"][~step.inside]) == {"0"}
    np.testing.assert_array_equal(numbers(drawing, "window")[1:, 1:], [[1, 2], [0, 1]])
    assert set(panel(drawing, "kernel")["texts"].ravel()) == {"1/9"}
    np.testing.assert_allclose(numbers(drawing, "products"), step.window / 9, atol=0.005)
    assert panel(drawing, "products")["title"] == "Products: sum = 0.44"  # (1 + 2 + 0 + 1) / 9
    assert operators(drawing) == ["×", "="]


def test_pooling_figure_shows_both_outputs_at_one_step():
    grid = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    maxed, averaged = (
        concepts.pool(grid, size=2, padding="same", mode=m) for m in ("max", "average")
    )
    drawing = pooling_figure(maxed, averaged, 2)
    assert [panel(drawing, n)["title"] for n in ("input", "max", "average")] == [
        "Input 3×3, padded to 4×4",
        "Max pooling 2×2",
        "Average pooling 2×2",
    ]
    np.testing.assert_array_equal(numbers(drawing, "max")[0], [5, 6])
    np.testing.assert_array_equal(numbers(drawing, "average")[0], [3, 4.5])
    assert numbers(drawing, "average")[1, 0] == 7.5  # step 2 is done
    assert np.isnan(numbers(drawing, "average")[1, 1])
    shown = panel(drawing, "input")
    assert set(shown["texts"][shown["fills"] == PAD_COLOR]) == {""}  # pooling skips padding
    assert shown["highlight"] == ((2, 4), (0, 2))
    assert panel(drawing, "max")["highlight"] == panel(drawing, "average")["highlight"]
    other = concepts.pool(grid, size=3, mode="average")
    with pytest.raises(ValueError, match="must share"):
        pooling_figure(maxed, other, 0)


def test_cell_text():
    text = svg.cell_text([[1.0, np.nan], [-0.25, 1 / 16]], fractions=True)
    assert text.tolist() == [["1", ""], ["-1/4", "1/16"]]


def test_feature_map_rgb_uses_one_diverging_scale():
    rgb = feature_map_rgb(np.array([[-4.0, -2.0, 0.0, 2.0, 8.0]]), limit=4.0)
    assert rgb.dtype == np.uint8 and rgb.shape == (1, 5, 3)
    assert rgb[0, 2].tolist() == [255, 255, 255]  # zero is white
    assert rgb[0, 0].tolist() == [178, 24, 43]  # -limit is full red
    assert rgb[0, 4].tolist() == [33, 102, 172]  # beyond +limit is clipped to full blue
    assert rgb[0, 3, 0] > rgb[0, 4, 0] and rgb[0, 1, 2] > rgb[0, 0, 2]  # halfway is paler


def test_transformer_images_state_each_shape():
    photo = np.random.default_rng(0).integers(0, 256, size=(40, 50, 3)).astype(np.uint8)
    stages = concepts.transform_image(photo, concepts.KERNELS["sharpen"])
    pictures = transformer_images(stages)
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
