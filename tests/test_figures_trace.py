"""The clickable map, a traced value's arithmetic and its receptive field, drawn from
traces made by hand (the figures only draw what they are given)."""

import numpy as np
import pytest

from cnnviz.figures.trace import clickable_map, receptive_field_figure, trace_figure
from cnnviz.trace import Trace
from tests.helpers_figures import RNG, decoded, notes, shrunk, valid


def hand_trace(channels: int, *, padded_row: bool = False) -> Trace:
    window = RNG.random((3, 3, channels))
    kernel = RNG.normal(size=(3, 3, channels))
    padded = np.zeros((3, 3), bool)
    if padded_row:
        window[0] = 0.0
        padded[0] = True
    pre = float((window * kernel).sum() + 0.25)
    return Trace(
        layer="conv2d_1",
        type="Conv2D",
        channel=5,
        row=1,
        col=2,
        window=window,
        padded=padded,
        kernel=kernel,
        input_channels=tuple(range(10, 10 + channels)),
        origin=(0, 1),
        dilation=(1, 1),
        bias=0.25,
        pre_activation=pre,
        activation="relu",
        value=max(pre, 0.0),
        keras_value=max(pre, 0.0),
        receptive_field=(1, 2, 6, 7),
    )


def test_clickable_map_has_one_transparent_point_per_pixel_over_the_heatmap():
    values = RNG.normal(size=(4, 5))
    fig = valid(clickable_map(values, title="conv2d channel 3", picked=(2, 4)))
    heat, pixels = fig.data
    np.testing.assert_allclose(heat.z, values)
    assert heat.hoverinfo == "skip" and pixels.name == "pixels"
    assert len(pixels.x) == 20 and (pixels.y[9], pixels.x[9]) == (1, 4)  # row-major
    assert pixels.customdata[9] == (1, 4) or list(pixels.customdata[9]) == [1, 4]
    assert pixels.text[9] == f"{values[1, 4]:.4g}"
    assert pixels.marker.color == "rgba(0,0,0,0)" and fig.layout.hoverdistance == -1
    (outline,) = fig.layout.shapes
    assert (outline.x0, outline.y0, outline.x1, outline.y1) == (3.5, 1.5, 4.5, 2.5)
    assert fig.layout.yaxis.range == (3.5, -0.5)  # row 0 at the top
    assert not valid(clickable_map(values, title="x")).layout.shapes


def test_trace_figure_writes_window_kernel_and_products_of_the_channels_that_add_most():
    trace = hand_trace(6, padded_row=True)
    fig = valid(trace_figure(trace, max_channels=2))
    shown = trace.top_channels(2)
    names = [t.name for t in fig.data]
    expected = []
    for position in shown:
        channel = 10 + position
        expected += [f"window {channel}", f"kernel {channel}", f"products {channel}"]
    assert names == expected
    window, kernel, products = fig.data[:3]
    np.testing.assert_allclose(window.z, trace.window[..., shown[0]])
    np.testing.assert_allclose(kernel.z, trace.kernel[..., shown[0]])
    np.testing.assert_allclose(products.z, trace.products[..., shown[0]])
    assert products.text[1][2] == f"{trace.products[1, 2, shown[0]]:.3f}"
    texts = notes(fig)
    assert (
        f"input channel {10 + shown[0]}<br>adds <b>{trace.channel_sums[shown[0]]:.3f}</b>" in texts
    )
    rest = trace.channel_sums.sum() - trace.channel_sums[shown].sum()
    assert f"the other 4 input channels add {rest:.3f}" in texts
    total = (
        f"sum of all 6 channels {trace.channel_sums.sum():.4f} + bias 0.2500 = "
        f"<b>{trace.pre_activation:.4f}</b> before the activation"
    )
    assert total in texts
    pre, value = f"{trace.pre_activation:.4f}", f"{trace.value:.4f}"
    assert f"relu({pre}) = <b>{value}</b>   (Keras's own output: {value})" in texts
    assert "dotted grey: zero padding" in texts
    assert len(fig.layout.shapes) == 3 * 2  # the padded top row, in both channels shown
    small = valid(trace_figure(hand_trace(1)))
    assert len(small.data) == 3 and not small.layout.shapes
    assert any(t.startswith("sum ") and "+ bias 0.2500" in t for t in notes(small))
    assert any(t.startswith("sum ") and "+ bias 0.2500" in t for t in notes(small))
    assert not any("other" in t for t in notes(small))


def test_receptive_field_figure_outlines_the_pixels_on_the_input_image():
    image = RNG.random((8, 9, 1))
    fig = valid(receptive_field_figure(image, hand_trace(1)))
    (picture,) = fig.data
    pixels = shrunk(decoded(picture), (8, 9))
    np.testing.assert_array_equal(pixels[..., 0], np.round(image[..., 0] * 255).astype(np.uint8))
    (box,) = fig.layout.shapes
    assert box.name == "receptive field"
    assert (box.x0, box.y0, box.x1, box.y1) == pytest.approx((1.5, 0.5, 7.5, 6.5))
    assert fig.layout.title.text == "Receptive field: rows 1–6, columns 2–7"


def test_a_big_map_gets_a_point_every_few_pixels_and_a_big_kernel_smaller_cells():
    values = RNG.normal(size=(148, 130))
    pixels = valid(clickable_map(values, title="big")).data[1]
    assert len(pixels.x) == 50 * 44  # every 3rd pixel: 148 / 3 -> 50 rows, 130 / 3 -> 44
    assert (pixels.y[1], pixels.x[1]) == (0, 3) and pixels.text[1] == f"{values[0, 3]:.4g}"
    small = valid(trace_figure(hand_trace(2)))
    window = RNG.random((7, 7, 2))
    trace = hand_trace(2)
    big = Trace(**{**trace.__dict__, "window": window, "kernel": window,
                   "padded": np.zeros((7, 7), bool)})  # fmt: skip
    wide = valid(trace_figure(big))
    assert wide.layout.width < 1100 and wide.data[0].textfont.size < small.data[0].textfont.size
