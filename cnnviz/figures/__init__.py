"""Figure builders: arrays and engine results in, `go.Figure` (or an SVG diagram) out.

Figures only draw: every number comes from the engine (`concepts`, `inspect`, ...).
Nothing here imports streamlit or TensorFlow. One module per page's figures, over the
shared helpers in `base` (plotly) and `svg` (grids of numbers side by side, the Concepts
page's diagrams: SVG shows at once, where a cold browser spends ~2 s on its first plotly
chart), with one palette in `colors`.

Builders that a page redraws on every click assemble plain dicts and make the figure
once with `make_figure`, skipping plotly's per-property validation (several times
faster); the tests re-validate every such figure with `go.Figure(fig.to_dict())`.

`from cnnviz import figures` is cheap: each module is imported the first time one of its
names is used (PEP 562), so the Concepts page never loads plotly or `cnnviz.inspect`.
"""

from __future__ import annotations

import importlib
from typing import Any

_MODULES = {
    "colors": ["DIVERGING", "SEQUENTIAL"],
    "base": ["make_figure"],
    "concepts": [
        "arithmetic_figure",
        "convolution_figure",
        "feature_map_rgb",
        "pooling_figure",
        "transformer_images",
    ],
    "datasets": ["class_distribution_figure"],
    "training": ["training_curves"],
    "inspection": [
        "confusion_matrix_figure",
        "filters_figure",
        "gradcam_overlay",
        "layer_maps",
        "mistakes_figure",
        "network_overview",
        "per_class_metrics_figure",
        "picture_trace",
        "prediction_bars",
    ],
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    """Import the module that defines `name` on first use."""
    if name not in _HOME:
        raise AttributeError(f"module 'cnnviz.figures' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"cnnviz.figures.{_HOME[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
