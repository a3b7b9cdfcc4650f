"""Plotly figure builders: arrays and engine results in, `go.Figure` out.

Figures only draw: every number comes from the engine (`concepts`, `inspect`, ...).
Nothing here imports streamlit or TensorFlow. One module per page's figures, over the
shared helpers in `base` (grids of numbers drawn as heatmaps with the values written in
the cells, side by side in panels with square cells).

Builders that a page redraws on every click assemble plain dicts and make the figure
once with `make_figure`, skipping plotly's per-property validation (several times
faster); the tests re-validate every such figure with `go.Figure(fig.to_dict())`.
"""

from cnnviz.figures.base import (
    DIVERGING,
    SEQUENTIAL,
    cell_font_size,
    cell_size,
    cell_text,
    heatmap_with_numbers,
    highlight_shape,
    make_figure,
    number_grid_trace,
    panel_layout,
)
from cnnviz.figures.concepts import (
    arithmetic_figure,
    convolution_figure,
    feature_map_rgb,
    pooling_figure,
    transformer_images,
)
from cnnviz.figures.datasets import class_distribution_figure
from cnnviz.figures.inspection import (
    confusion_matrix_figure,
    filters_figure,
    gradcam_overlay,
    layer_maps,
    mistakes_figure,
    network_overview,
    per_class_metrics_figure,
    picture_trace,
    prediction_bars,
)
from cnnviz.figures.training import training_curves

__all__ = [
    # shared helpers
    "DIVERGING",
    "SEQUENTIAL",
    "cell_font_size",
    "cell_size",
    "cell_text",
    "heatmap_with_numbers",
    "highlight_shape",
    "make_figure",
    "number_grid_trace",
    "panel_layout",
    # concepts
    "arithmetic_figure",
    "convolution_figure",
    "feature_map_rgb",
    "pooling_figure",
    "transformer_images",
    # data
    "class_distribution_figure",
    # training
    "training_curves",
    # inspection
    "confusion_matrix_figure",
    "filters_figure",
    "gradcam_overlay",
    "layer_maps",
    "mistakes_figure",
    "network_overview",
    "per_class_metrics_figure",
    "picture_trace",
    "prediction_bars",
]
