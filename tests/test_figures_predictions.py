"""One image's answer: the top classes in bars, the threshold of a binary head, Grad-CAM."""

import numpy as np

from cnnviz.figures.colors import PREDICTED_COLOR
from cnnviz.figures.predictions import gradcam_overlay, gradcam_picture, prediction_bars
from cnnviz.metrics import top_classes
from cnnviz.predict import Prediction
from tests.helpers_figures import RNG, decoded, shrunk, valid


def test_gradcam_overlay_lays_the_heatmap_over_the_image():
    image = RNG.random((10, 12, 3))
    heatmap = RNG.random((10, 12))
    fig = valid(gradcam_overlay(image, heatmap, title="Grad-CAM: dog"))
    assert [t.name for t in fig.data] == ["image", "image under heatmap", "Grad-CAM"]
    heat = fig.data[2]
    np.testing.assert_array_equal(heat.z, heatmap)
    assert (heat.zmin, heat.zmax, heat.xaxis) == (0, 1, "x2")
    assert 0 < heat.opacity < 1
    expected = (image * 255).round().astype(np.uint8)
    np.testing.assert_array_equal(shrunk(decoded(fig.data[1]), (10, 12)), expected)
    assert fig.layout.title.text == "Grad-CAM: dog"
    for axis in (fig.layout.yaxis, fig.layout.yaxis2):  # square pixels, right under the titles
        assert (axis.constrain, axis.constraintoward) == ("domain", "top")


def test_a_live_picture_is_the_image_under_jet_colours_at_most_max_side_with_its_text():
    from plotly.colors import sample_colorscale, unlabel_rgb

    image = np.zeros((224, 224, 3))
    heatmap = np.zeros((224, 224))
    heatmap[:60, 160:] = 1.0  # the top right corner
    heatmap[150:, :40] = 0.5
    picture, text = gradcam_picture(image, heatmap, title="looked for 'cat'", max_side=64)
    assert picture.shape == (64, 64, 3) and picture.dtype == np.uint8
    assert text.startswith("looked for 'cat': the heatmap is strongest in the top right")
    for heat, (row, col) in ((1.0, (2, 60)), (0.5, (60, 3)), (0.0, (30, 30))):
        jet = np.array(unlabel_rgb(sample_colorscale("Jet", [heat])[0]))  # plotly's own
        # on black; the heatmap shrinks in steps of 1/255: Jet moves up to 4 levels a step
        np.testing.assert_allclose(picture[row, col], np.rint(0.45 * jet), atol=3)


def prediction(probabilities, names, binary=False):
    p = np.asarray(probabilities, dtype=float)
    top = tuple(top_classes(p, names, k=3))
    return Prediction("x.png", p, top[0].index, top[0].name, top, binary)


def test_prediction_bars_put_the_answer_on_top_in_blue():
    fig = valid(prediction_bars(prediction([0.1, 0.6, 0.05, 0.25], list("abcd"))))
    (bars,) = fig.data
    assert list(bars.y) == ["a", "d", "b"]  # drawn bottom to top: b on top
    np.testing.assert_allclose(bars.x, [0.1, 0.25, 0.6])
    assert bars.marker.color[-1] == PREDICTED_COLOR
    assert fig.layout.title.text == "Top 3 classes"  # the helper keeps the top 3
    assert not fig.layout.shapes


def test_a_binary_prediction_shows_the_threshold():
    fig = valid(prediction_bars(prediction([0.3, 0.7], ["horse", "human"], True)))
    (line,) = fig.layout.shapes
    assert (line.x0, line.x1, line.name) == (0.5, 0.5, "threshold")
    assert list(fig.data[0].y) == ["horse", "human"]
