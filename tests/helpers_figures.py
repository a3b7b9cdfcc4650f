"""Shared pieces of the figure tests: plotly's full validation, traces by name, pictures
decoded from their PNG data URIs, and hand-made layer outputs."""

import base64
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from cnnviz.features import LayerActivation


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
