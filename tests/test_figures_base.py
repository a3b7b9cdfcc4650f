"""The shared plotly pieces: pictures placed by their corner."""

import numpy as np
import plotly.graph_objects as go
import pytest

from cnnviz.figures.base import picture_trace
from tests.helpers_figures import decoded


@pytest.mark.parametrize("pixels", [np.zeros((4, 5)), np.zeros((4, 5, 1), np.uint8)])
def test_picture_trace_places_any_picture_by_its_corner(pixels):
    trace = picture_trace(pixels, x=10, y=20, size=50, name="p")
    assert decoded(go.Image(trace)).shape[2] == 3
    step = trace["dx"]
    assert trace["x0"] == 10 + step / 2 and trace["y0"] == 20 + step / 2
    assert step * decoded(go.Image(trace)).shape[1] == pytest.approx(50)
