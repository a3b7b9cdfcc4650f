"""The `shapes` images: shapes that move, vary and repeat by seed."""

import numpy as np

from cnnviz.data.shapes import generate_shapes


def test_shapes_move_around_and_are_repeatable():
    images, labels = generate_shapes(200, seed=3)
    again, _ = generate_shapes(200, seed=3)
    np.testing.assert_array_equal(images, again)
    # the corner pixel is background (shapes stay inside); the shape is what differs
    foreground = np.any(images != images[:, :1, :1, :], axis=3)
    assert foreground.any(axis=(1, 2)).all()
    ys, xs = np.indices((32, 32))
    area = foreground.sum(axis=(1, 2))
    centre_x = (foreground * xs).sum(axis=(1, 2)) / area
    centre_y = (foreground * ys).sum(axis=(1, 2)) / area
    assert centre_x.std() > 3 and centre_y.std() > 3  # positions spread over the canvas
    assert area.min() < area.max() / 3  # sizes vary
    assert np.bincount(labels).tolist() == [50] * 4
