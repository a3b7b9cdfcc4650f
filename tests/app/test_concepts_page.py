"""AppTest drives the Concepts page: grid, kernel, stride, padding, steps, pooling, photos."""

import io

import numpy as np
import pytest
from PIL import Image

from cnnviz.figures.colors import PAD_COLOR
from tests.app.pages import errors, open_page
from tests.helpers_svg import numbers, panel, parse, svg_from_image

WORKED_GRID = "1 2 3 0\n0 1 2 3\n3 0 1 2\n2 3 0 1"
WORKED_KERNEL = "2 0 1\n0 1 2\n1 0 2"
POOL_GRID = "1 3 2 1\n4 6 5 0\n3 2 1 9\n0 8 7 4"


@pytest.fixture
def app():
    return open_page("concepts")


def rerun(at):
    at.run()
    assert not at.exception
    assert not at.error, errors(at)
    return at


FIGURES = {  # chart -> the diagram's aria-label, up to ", step N"
    "convolution": "convolution",
    "arithmetic": "convolution arithmetic",
    "pooling": "pooling",
}


def diagram(at, chart):
    """The SVG of one of the page's diagrams, or None when the page does not show it."""
    found = [
        markup
        for markup in (svg_from_image(image) for image in at.image if is_svg(image))
        if parse(markup).get("aria-label").rsplit(", step", 1)[0] == FIGURES[chart]
    ]
    assert len(found) <= 1
    return found[0] if found else None


def is_svg(image):
    return image.proto.imgs[0].url.startswith("data:image/svg+xml")


def shown(at, chart, name):
    """The numbers a diagram's panel shows (NaN where a cell is blank or zero padding)."""
    markup = diagram(at, chart)
    values = numbers(markup, name)
    values[panel(markup, name)["fills"] == PAD_COLOR] = np.nan
    return values


def markdown(at, start):
    return [m.value for m in at.markdown if m.value.startswith(start)]


def use_worked_example(at):
    at.text_area(key="concepts_grid").input(WORKED_GRID)
    at.selectbox(key="concepts_kernel").select("custom")
    at.text_area(key="concepts_custom_kernel").input(WORKED_KERNEL)
    return rerun(at)


def cross_correlate(grid, kernel, stride, pad):
    """A plain loop, the textbook definition, as an independent oracle."""
    grid = np.pad(np.array(grid, dtype=float), ((pad[0], pad[1]), (pad[0], pad[1])))
    k = len(kernel)
    rows = range(0, grid.shape[0] - k + 1, stride)
    cols = range(0, grid.shape[1] - k + 1, stride)
    return np.array([[(grid[r : r + k, c : c + k] * kernel).sum() for c in cols] for r in rows])


def test_opens_on_a_random_grid_at_the_first_step(app):
    assert app.title[0].value == "Concepts"
    assert not app.error and not app.warning
    grid = np.array(
        [row.split() for row in app.text_area(key="concepts_grid").value.split("\n")], dtype=float
    )
    assert grid.shape == (6, 6)
    assert app.selectbox(key="concepts_kernel").value == "vertical edges"
    assert markdown(app, "**Output size:**") == [
        "**Output size:** `out = floor((6 - 3) / 1) + 1 = 4`",  # convolution
        "**Output size:** `out = floor((6 - 2) / 2) + 1 = 3`",  # pooling
    ]
    output = shown(app, "convolution", "output")
    assert output.shape == (4, 4)
    expected = cross_correlate(grid, np.tile([-1, 0, 1], (3, 1)), 1, (0, 0))
    assert output[0, 0] == expected[0, 0]
    assert np.isnan(output.ravel()[1:]).all()  # only the first cell is filled in
    app.slider(key="concepts_step").set_value(16)
    np.testing.assert_array_equal(shown(rerun(app), "convolution", "output"), expected)


def test_the_worked_example_step_by_step(app):
    at = use_worked_example(app)
    assert markdown(at, "**Step")[0].startswith(
        "**Step 1 of 4**, output cell (row 0, column 0): 1×2 + 2×0 + 3×1"
    )
    at.button(key="concepts_step_next").click()
    at = rerun(at)
    assert at.slider(key="concepts_step").value == 2
    output = shown(at, "convolution", "output")
    np.testing.assert_array_equal(output[0], [15, 16])
    assert np.isnan(output[1]).all()
    np.testing.assert_array_equal(
        shown(at, "arithmetic", "products"), [[4, 0, 0], [0, 2, 6], [0, 0, 4]]
    )  # window at rows 0-2, cols 1-3
    at.slider(key="concepts_step").set_value(4)
    np.testing.assert_array_equal(shown(rerun(at), "convolution", "output"), [[15, 16], [6, 15]])
    for _ in range(5):  # Previous stops at the first step
        at.button(key="concepts_step_previous").click()
        at = rerun(at)
    assert at.slider(key="concepts_step").value == 1


def test_padding_and_stride_redraw_the_output(app):
    at = use_worked_example(app)
    at.radio(key="concepts_padding").set_value("same")
    at = rerun(at)
    assert shown(at, "convolution", "input").shape == (6, 6)  # 4x4 with a ring of zeros
    assert np.isnan(shown(at, "convolution", "input")[0]).all()
    at.slider(key="concepts_step").set_value(16)
    grid = [row.split() for row in WORKED_GRID.split("\n")]
    expected = cross_correlate(grid, np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]]), 1, (1, 1))
    np.testing.assert_array_equal(shown(rerun(at), "convolution", "output"), expected)

    at.number_input(key="concepts_stride").set_value(2)
    at = rerun(at)  # the step (16) is clamped to the new last step (4)
    assert at.slider(key="concepts_step").value == 4
    # by hand: out = ceil(4/2) = 2, one zero after each axis (see tests/test_concepts.py)
    np.testing.assert_array_equal(shown(at, "convolution", "output"), [[15, 10], [10, 3]])
    assert markdown(at, "**Output size:**")[0] == (
        "**Output size:** `out = ceil(4 / 2) = 2; padding = max((2 - 1) * 2 + 3 - 4, 0) = 1 "
        "(0 before, 1 after)`"
    )


def test_impossible_settings_are_explained_in_words(app):
    app.number_input(key="concepts_stride").set_value(0)
    at = rerun(app)
    assert (
        "A stride of 0 never moves the kernel, so it would compute the same" in at.warning[0].value
    )
    assert diagram(at, "convolution") is None and diagram(at, "arithmetic") is None
    assert "stride of 0" in at.info[0].value  # the photo waits for a usable stride too

    at.number_input(key="concepts_stride").set_value(1)
    at.slider(key="concepts_size").set_value(3)
    at.selectbox(key="concepts_kernel").select("blur 5x5")
    at = rerun(at)
    assert "The 5x5 kernel is larger than the 3x3 input" in at.warning[0].value
    at.radio(key="concepts_padding").set_value("same")
    at = rerun(at)
    assert not at.warning
    assert shown(at, "convolution", "output").shape == (3, 3)


def test_typing_mistakes_show_the_engine_message(app):
    app.text_area(key="concepts_grid").input("1 2 3\n4 5")
    at = app.run()
    assert "same number of values" in errors(at)[0]
    at.text_area(key="concepts_grid").input(WORKED_GRID)
    at.selectbox(key="concepts_kernel").select("custom")
    at.text_area(key="concepts_custom_kernel").input("1 2\n3 4")
    at = at.run()
    assert "must be 3x3 or 5x5" in errors(at)[0]
    assert not at.exception


def test_grid_size_and_seed_make_a_new_grid(app):
    first = app.text_area(key="concepts_grid").value
    app.slider(key="concepts_size").set_value(8)
    at = rerun(app)
    rows = at.text_area(key="concepts_grid").value.split("\n")
    assert len(rows) == 8 and all(len(r.split()) == 8 for r in rows)
    at.slider(key="concepts_size").set_value(6)
    assert rerun(at).text_area(key="concepts_grid").value == first  # same seed, same grid
    at.number_input(key="concepts_seed").set_value(7)
    assert rerun(at).text_area(key="concepts_grid").value != first


def test_max_and_average_pooling_side_by_side(app):
    app.text_area(key="concepts_grid").input(POOL_GRID)
    at = rerun(app)
    assert markdown(at, "**Max:**")[0] == (
        "**Max:** max(1, 3, 4, 6) = 6  \n**Average:** (1 + 3 + 4 + 6) / 4 = 3.5"
    )
    at.slider(key="concepts_pool_step").set_value(4)
    at = rerun(at)
    np.testing.assert_array_equal(shown(at, "pooling", "max"), [[6, 5], [8, 9]])
    np.testing.assert_array_equal(shown(at, "pooling", "average"), [[3.5, 2], [3.25, 5.25]])
    at.radio(key="concepts_pool_size").set_value(3)
    at = rerun(at)  # one window fits: no slider, one step
    np.testing.assert_array_equal(shown(at, "pooling", "max"), [[6]])
    np.testing.assert_array_equal(shown(at, "pooling", "average"), [[3]])
    at.radio(key="concepts_pool_padding").set_value("same")
    at.selectbox(key="concepts_pool_stride").select("1")
    at = rerun(at)  # out = ceil(4/1) = 4, padding 2 = 1 before, 1 after
    assert shown(at, "pooling", "input").shape == (6, 6)
    assert at.slider(key="concepts_pool_step").max == 16
    assert markdown(at, "**Max:**")[0] == (
        "**Max:** max(1, 3, 4, 6) = 6  \n**Average:** (1 + 3 + 4 + 6) / 4 = 3.5"
    )


def captions(at):
    """The image transformer's captions (the diagrams have none)."""
    return [caption for image in at.image if not is_svg(image) for caption in image.captions]


def test_image_transformer_on_a_sample_photo_and_an_upload(app):
    assert captions(app) == [
        "Photo (427, 640, 3) → brightness (427, 640)",
        "Feature map (425, 638)",
        "After ReLU (425, 638): negatives become 0",
        "After 2x2 max pooling (212, 319)",
    ]
    app.number_input(key="concepts_stride").set_value(2)
    app.radio(key="concepts_padding").set_value("same")
    at = rerun(app)
    assert captions(at)[1:] == [
        "Feature map (214, 320)",
        "After ReLU (214, 320): negatives become 0",
        "After 2x2 max pooling (107, 160)",
    ]

    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (200, 30, 30)).save(buffer, format="PNG")
    at.file_uploader(key="concepts_upload").set_value(("red.png", buffer.getvalue(), "image/png"))
    at = rerun(at)
    assert captions(at)[0] == "Photo (60, 80, 3) → brightness (60, 80)"
    at.file_uploader(key="concepts_upload").set_value(("notes.png", b"not a picture", "image/png"))
    at = at.run()
    assert "notes.png is not an image" in at.info[0].value
    assert not at.exception
