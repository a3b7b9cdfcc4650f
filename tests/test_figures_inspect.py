"""cnnviz.figures, inspection section: every figure draws exactly the engine's numbers.

Inputs are built by hand (activations, kernels, probabilities) or by the engine's
own compute functions, and the figures' data are compared with them; pictures drawn
as PNG data URIs are decoded and compared pixel by pixel.
"""

import base64
import io

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from cnnviz import figures
from cnnviz.figures import inspection
from cnnviz.inspect import (
    LayerActivation,
    filter_images,
    mistakes,
    normalize_channels,
    symmetric_range,
    tile_maps,
    top_classes,
)
from cnnviz.metrics import classification_metrics
from cnnviz.predict import Prediction


def valid(fig):
    """`fig`, after re-building it with plotly's full validation (the fast path skips it)."""
    go.Figure(fig.to_dict())
    return fig


def traces(fig, prefix):
    return [t for t in fig.data if (t.name or "").startswith(prefix)]


def decoded(trace) -> np.ndarray:
    """The pixels of an image trace drawn from a PNG data URI."""
    header, data = trace.source.split(",", 1)
    assert header == "data:image/png;base64"
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data))))


def shrunk(pixels: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Undo the nearest-neighbour enlargement of a picture to `size` (h, w)."""
    step = pixels.shape[0] // size[0]
    return pixels[::step, ::step][: size[0], : size[1]]


def notes(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations]


RNG = np.random.default_rng(0)
CONV = LayerActivation("conv2d", "Conv2D", RNG.normal(size=(8, 8, 20)).astype(np.float32))
POOL = LayerActivation("max_pooling2d", "MaxPooling2D", np.abs(CONV.output[::2, ::2]))
FLAT = LayerActivation("flatten", "Flatten", POOL.output.reshape(-1))
DENSE = LayerActivation("dense", "Dense", np.array([1.0, -2.0, 0.5], np.float32))


# --- the network overview -----------------------------------------------------------


def test_network_overview_draws_each_channel_on_its_layers_symmetric_scale():
    image = RNG.random((8, 8, 1))
    fig = valid(
        figures.network_overview(
            image, [CONV, POOL, FLAT, DENSE], [0.2, 0.5, 0.3], ["cat", "dog", "fox"]
        )
    )
    assert len(traces(fig, "input")) == 1
    assert len(traces(fig, "conv2d channel")) == 16  # 16 of 20 shown, and said so
    assert len(traces(fig, "max_pooling2d channel")) == 16
    assert traces(fig, "flatten") == [] and traces(fig, "dense") == []
    assert "(8, 8, 20)<br>first 16 of 20" in notes(fig)
    corners = {(t.x0, t.y0) for t in traces(fig, "conv2d channel")}
    assert len({x for x, _ in corners}) == 2 and len({y for _, y in corners}) == 8  # 2 across
    for activation in (CONV, POOL):
        limit = symmetric_range(activation.output)
        (strip,) = traces(fig, f"colour scale: -{limit:.3g} to {limit:.3g}")
        for k in (0, 7, 15):
            (trace,) = traces(fig, f"{activation.name} channel {k}")
            expected = figures.feature_map_rgb(activation.output[..., k], limit=limit)
            np.testing.assert_array_equal(shrunk(decoded(trace), expected.shape[:2]), expected)
    np.testing.assert_array_equal(
        shrunk(decoded(traces(fig, "input")[0]), (8, 8))[..., 0],
        (image[..., 0] * 255).round().astype(np.uint8),
    )


def test_network_overview_lists_the_class_probabilities_predicted_in_blue():
    fig = valid(figures.network_overview(np.zeros((8, 8, 3)), [CONV], [0.2, 0.5, 0.3], list("abc")))
    bars = {s.name: s for s in fig.layout.shapes if (s.name or "").startswith("class")}
    lengths = {name: bar.x1 - bar.x0 for name, bar in bars.items()}
    assert lengths["class b"] > lengths["class c"] > lengths["class a"]
    assert bars["class b"].fillcolor == inspection.PREDICTED_COLOR
    assert bars["class a"].fillcolor == inspection.OTHER_COLOR
    assert {"20%", "50%", "30%"} <= set(notes(fig))
    many = np.linspace(0.0, 1.0, 100)
    fig = figures.network_overview(
        np.zeros((8, 8, 3)), [CONV], many / many.sum(), [f"c{i}" for i in range(100)]
    )
    listed = [s.name for s in fig.layout.shapes if (s.name or "").startswith("class")]
    assert listed == [f"class c{i}" for i in range(99, 87, -1)]  # the 12 most probable
    assert "<b>output</b><br>top 12 of 100" in notes(fig)


# --- one layer, filters -------------------------------------------------------------


def test_layer_maps_show_the_labs_per_channel_normalisation_and_raw_values():
    fig = valid(figures.layer_maps(CONV, max_channels=9, columns=3))
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
    fig = valid(figures.layer_maps(big))
    assert np.asarray(fig.data[0].z).shape == (75, 151)  # every 4th pixel, 2 maps + gap
    assert fig.layout.title.text.endswith("every 4th pixel")
    fig = valid(figures.layer_maps(DENSE))
    np.testing.assert_allclose(fig.data[0].y, [1.0, -2.0, 0.5])
    assert fig.layout.xaxis.title.text == "unit"


def test_filters_figure_places_each_kernel_slice_in_its_row_and_column():
    kernel = RNG.normal(size=(3, 3, 10, 20))
    fig = valid(figures.filters_figure(kernel, layer_name="conv2d_1"))
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
    fig = valid(figures.filters_figure(kernel, layer_name="conv2d"))
    assert [t.name for t in fig.data] == [f"filter {i}" for i in range(5)]
    expected = (filter_images(kernel)[2] * 255).round().astype(np.uint8)
    np.testing.assert_array_equal(shrunk(decoded(fig.data[2]), (3, 3)), expected)
    assert fig.layout.title.text.endswith("in colour")


# --- evaluation ---------------------------------------------------------------------

Y_TRUE = [0, 0, 0, 1, 1, 2, 2, 2]
Y_PRED = [0, 0, 1, 1, 1, 2, 0, 2]


def test_confusion_matrix_figure_counts_and_row_shares_with_class_names():
    metrics = classification_metrics(Y_TRUE, Y_PRED, ["cat", "dog", "fox"])
    fig = valid(figures.confusion_matrix_figure(metrics))
    (trace,) = fig.data
    np.testing.assert_array_equal(trace.z, [[2, 1, 0], [0, 2, 0], [1, 0, 2]])
    assert list(trace.x) == list(trace.y) == ["cat", "dog", "fox"]
    assert trace.text[2][0] == "1"
    custom = np.asarray(trace.customdata, dtype=float)
    np.testing.assert_allclose(custom[2, 0], [2, 0, 1, 1 / 3])  # true fox, predicted cat
    assert fig.layout.xaxis.title.text == "predicted class"
    assert fig.layout.yaxis.title.text == "true class"
    assert fig.layout.title.text == "Confusion matrix (counts), accuracy 75.0%"
    fig = valid(figures.confusion_matrix_figure(metrics, normalized=True))
    np.testing.assert_allclose(fig.data[0].z, [[2 / 3, 1 / 3, 0], [0, 1, 0], [1 / 3, 0, 2 / 3]])
    assert fig.data[0].text[0][0] == "67%" and fig.data[0].zmax == 1
    names = [str(i) for i in range(30)]
    wide = figures.confusion_matrix_figure(classification_metrics([0, 29], [0, 1], names))
    assert wide.data[0].text is None  # 30 classes: colour only


def test_per_class_metrics_figure_has_precision_recall_and_f1_bars():
    metrics = classification_metrics(Y_TRUE, Y_PRED, ["cat", "dog", "fox"])
    fig = valid(figures.per_class_metrics_figure(metrics))
    assert [t.name for t in fig.data] == ["precision", "recall", "F1"]
    np.testing.assert_allclose(fig.data[0].y, [2 / 3, 2 / 3, 1])
    np.testing.assert_allclose(fig.data[1].y, [2 / 3, 1, 2 / 3])
    np.testing.assert_allclose(fig.data[2].y, [2 / 3, 0.8, 0.8])
    assert list(fig.data[0].customdata) == [3, 2, 3]  # support
    assert fig.layout.title.text == "Per-class scores, accuracy 75.0%"


def test_mistakes_figure_captions_each_image_true_and_predicted():
    images = RNG.integers(0, 255, size=(8, 6, 6, 1), dtype=np.uint8)
    probabilities = np.eye(3)[Y_PRED] * 0.8 + 0.2 / 3
    found = mistakes(images, np.array(Y_TRUE), probabilities, ["cat", "dog", "fox"])
    fig = valid(figures.mistakes_figure(found))
    assert [t.name for t in fig.data] == ["mistake 2", "mistake 6"]
    assert "true <b>cat</b>" in notes(fig) and "→ dog (87%)" in notes(fig)
    pixels = shrunk(decoded(fig.data[1]), (6, 6))
    np.testing.assert_array_equal(pixels[..., 0], images[6, ..., 0])
    assert "fox: 6.7%" in fig.data[0].hovertemplate
    fig = valid(figures.mistakes_figure(found, max_images=1))
    assert len(fig.data) == 1 and fig.layout.title.text.startswith("Mistakes: 1 of 2")
    empty = valid(figures.mistakes_figure([]))
    assert empty.data == () and "every image was classified correctly" in notes(empty)[0]


# --- Grad-CAM and predictions -------------------------------------------------------


def test_gradcam_overlay_lays_the_heatmap_over_the_image():
    image = RNG.random((10, 12, 3))
    heatmap = RNG.random((10, 12))
    fig = valid(figures.gradcam_overlay(image, heatmap, title="Grad-CAM: dog"))
    assert [t.name for t in fig.data] == ["image", "image under heatmap", "Grad-CAM"]
    heat = fig.data[2]
    np.testing.assert_array_equal(heat.z, heatmap)
    assert (heat.zmin, heat.zmax, heat.xaxis) == (0, 1, "x2")
    assert 0 < heat.opacity < 1
    expected = (image * 255).round().astype(np.uint8)
    np.testing.assert_array_equal(shrunk(decoded(fig.data[1]), (10, 12)), expected)
    assert fig.layout.title.text == "Grad-CAM: dog"


def prediction(probabilities, names, binary=False):
    p = np.asarray(probabilities, dtype=float)
    top = tuple(top_classes(p, names, k=3))
    return Prediction("x.png", p, top[0].index, top[0].name, top, binary)


def test_prediction_bars_put_the_answer_on_top_in_blue():
    fig = valid(figures.prediction_bars(prediction([0.1, 0.6, 0.05, 0.25], list("abcd"))))
    (bars,) = fig.data
    assert list(bars.y) == ["a", "d", "b"]  # drawn bottom to top: b on top
    np.testing.assert_allclose(bars.x, [0.1, 0.25, 0.6])
    assert bars.marker.color[-1] == inspection.PREDICTED_COLOR
    assert fig.layout.title.text == "Top 3 classes"  # the helper keeps the top 3
    assert not fig.layout.shapes


def test_a_binary_prediction_shows_the_threshold():
    fig = valid(figures.prediction_bars(prediction([0.3, 0.7], ["horse", "human"], True)))
    (line,) = fig.layout.shapes
    assert (line.x0, line.x1, line.name) == (0.5, 0.5, "threshold")
    assert list(fig.data[0].y) == ["horse", "human"]


@pytest.mark.parametrize("pixels", [np.zeros((4, 5)), np.zeros((4, 5, 1), np.uint8)])
def test_picture_trace_places_any_picture_by_its_corner(pixels):
    trace = figures.picture_trace(pixels, x=10, y=20, size=50, name="p")
    assert decoded(go.Image(trace)).shape[2] == 3
    step = trace["dx"]
    assert trace["x0"] == 10 + step / 2 and trace["y0"] == 20 + step / 2
    assert step * decoded(go.Image(trace)).shape[1] == pytest.approx(50)


def test_network_overview_names_the_flat_layers_it_does_not_draw():
    fig = figures.network_overview(np.zeros((8, 8, 1)), [CONV, FLAT, DENSE], [0.5, 0.5], "ab")
    assert "after flatten, dense" in notes(fig)
