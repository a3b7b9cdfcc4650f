"""The network overview draws exactly the engine's numbers: every channel on its layer's
symmetric scale, the class probabilities with the predicted class in blue."""

import numpy as np

from cnnviz.features import LayerActivation
from cnnviz.figures.colors import OTHER_COLOR, PREDICTED_COLOR
from cnnviz.figures.overview import network_overview
from cnnviz.figures.pixels import (
    feature_map_rgb,
    symmetric_range,
)
from cnnviz.figures.theme import for_projector
from tests.helpers_figures import (
    CONV,
    DENSE,
    FLAT,
    POOL,
    RNG,
    decoded,
    notes,
    shrunk,
    traces,
    valid,
)


def test_network_overview_draws_each_channel_on_its_layers_symmetric_scale():
    image = RNG.random((8, 8, 1))
    fig = valid(
        network_overview(
            image, [CONV, POOL, FLAT, DENSE], [0.2, 0.5, 0.3], ["cat", "dog", "fox"], predicted=1
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
            expected = feature_map_rgb(activation.output[..., k], limit=limit)
            np.testing.assert_array_equal(shrunk(decoded(trace), expected.shape[:2]), expected)
    np.testing.assert_array_equal(
        shrunk(decoded(traces(fig, "input")[0]), (8, 8))[..., 0],
        (image[..., 0] * 255).round().astype(np.uint8),
    )


def test_network_overview_lists_the_class_probabilities_predicted_in_blue():
    fig = valid(
        network_overview(np.zeros((8, 8, 3)), [CONV], [0.2, 0.5, 0.3], list("abc"), predicted=1)
    )
    bars = {s.name: s for s in fig.layout.shapes if (s.name or "").startswith("class")}
    lengths = {name: bar.x1 - bar.x0 for name, bar in bars.items()}
    assert lengths["class b"] > lengths["class c"] > lengths["class a"]
    assert bars["class b"].fillcolor == PREDICTED_COLOR
    assert bars["class a"].fillcolor == OTHER_COLOR
    assert {"20%", "50%", "30%"} <= set(notes(fig))
    many = np.linspace(0.0, 1.0, 100)
    fig = network_overview(
        np.zeros((8, 8, 3)),
        [CONV],
        many / many.sum(),
        [f"c{i}" for i in range(100)],
        predicted=99,
    )
    listed = [s.name for s in fig.layout.shapes if (s.name or "").startswith("class")]
    assert listed == [f"class c{i}" for i in range(99, 87, -1)]  # the 12 most probable
    assert "<b>output</b><br>top 12 of 100" in notes(fig)


def test_network_overview_names_the_flat_layers_it_does_not_draw():
    fig = network_overview(np.zeros((8, 8, 1)), [CONV, FLAT, DENSE], [0.5, 0.5], "ab", predicted=0)
    assert "after flatten, dense" in notes(fig)


def _labels_apart(figure, layers) -> None:
    """The labels under each layer's colour strip: the three ends or one "±limit", apart."""
    for activation in layers:
        limit = symmetric_range(activation.output)
        (strip,) = traces(figure, f"colour scale: -{limit:.3g} to {limit:.3g}")
        left, right = strip.x0, strip.x0 + strip.dx * len(decoded(strip)[0])
        ends = (f"{-limit:.3g}", "0", f"{limit:.3g}", f"±{limit:.3g}")
        below = [
            a
            for a in figure.layout.annotations
            if left - 1 <= a.x <= right + 1 and a.y > strip.y0 and a.text in ends
        ]
        assert sorted(a.text for a in below) in (sorted(ends[:3]), [ends[3]])
        spans = []
        for a in below:  # a digit of a sans-serif font is about 0.6 of its size wide
            wide = len(a.text) * 0.6 * a.font.size
            start = {"left": a.x, "right": a.x - wide}.get(a.xanchor, a.x - wide / 2)
            spans.append((start, start + wide))
        spans.sort()
        assert all(end <= start for (_, end), (start, _) in zip(spans, spans[1:])), spans


def test_the_colour_scales_labels_never_overlap_even_in_projector_type():
    """Under each layer's strip: -limit, 0 and limit when they fit, else one "±limit"."""

    def layer(name, h, channels):  # the digits default: four narrow columns of 32-64 maps
        return LayerActivation(name, "Conv2D", RNG.normal(size=(h, h, channels)) * 0.8)

    many = [layer("c1", 8, 32), layer("p1", 4, 32), layer("c2", 4, 64), layer("p2", 2, 64)]
    image = np.zeros((8, 8, 1))
    for layers in ([CONV, POOL], many):
        fig = network_overview(image, layers, [0.2, 0.5, 0.3], ["a", "b", "c"], predicted=1)
        _labels_apart(fig, layers)
        _labels_apart(for_projector(fig), layers)
    narrow = network_overview(image, many, [0.2, 0.5, 0.3], ["a", "b", "c"], predicted=1)
    assert any(a.text.startswith("±") for a in narrow.layout.annotations)
