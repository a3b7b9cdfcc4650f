"""The network overview draws exactly the engine's numbers: every channel on its layer's
symmetric scale, the class probabilities with the predicted class in blue."""

import numpy as np

from cnnviz.figures.colors import OTHER_COLOR, PREDICTED_COLOR
from cnnviz.figures.overview import network_overview
from cnnviz.figures.pixels import (
    feature_map_rgb,
    symmetric_range,
)
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
