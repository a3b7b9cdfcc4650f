"""Projector restyling: every font explicit and at least 1.3x, lines thicker, the palette
colour-blind safe, the original figure untouched, the result still a valid figure."""

import numpy as np
import pytest

from cnnviz.figures import colors
from cnnviz.figures.datasets import class_distribution_figure
from cnnviz.figures.evaluation import confusion_matrix_figure, per_class_metrics_figure
from cnnviz.figures.maps import layer_maps
from cnnviz.figures.theme import MIN_LINE, SCALE, for_projector
from cnnviz.figures.training import training_curves
from cnnviz.metrics import classification_metrics
from tests.helpers_figures import CONV, DENSE, valid

HISTORY = {
    "loss": [1.0, 0.6, 0.4],
    "accuracy": [0.5, 0.7, 0.8],
    "val_loss": [1.1, 0.7, 0.6],
    "val_accuracy": [0.4, 0.6, 0.7],
}
METRICS = classification_metrics([0, 1, 2, 2, 1], [0, 2, 2, 1, 1], ["cat", "dog", "fox"])
FIGURES = {
    "training curves": lambda: training_curves(
        HISTORY, batch_curve={"epoch": [0.5, 1], "loss": [1, 0.9], "accuracy": [0.4, 0.5]}
    ),
    "class distribution": lambda: class_distribution_figure(
        ["a", "b"], {"train": [10, 4], "test": [3, 1]}
    ),
    "confusion matrix": lambda: confusion_matrix_figure(METRICS),
    "per-class metrics": lambda: per_class_metrics_figure(METRICS),
    "feature maps": lambda: layer_maps(CONV),
    "dense units": lambda: layer_maps(DENSE),
}


def font_sizes(fig) -> dict[str, float]:
    """Every font size a figure sets: layout, title, legend, axes' ticks and titles,
    annotations."""
    d = fig.to_dict()["layout"]
    sizes = {"layout": d.get("font", {}).get("size")}
    for key, value in d.items():
        if key.startswith(("xaxis", "yaxis")):
            sizes[f"{key} ticks"] = value.get("tickfont", {}).get("size")
            if "title" in value:
                sizes[f"{key} title"] = value["title"].get("font", {}).get("size")
    for part in ("legend", "hoverlabel"):
        sizes[part] = d.get(part, {}).get("font", {}).get("size")
    if "title" in d:
        sizes["title"] = d["title"].get("font", {}).get("size")
    for i, note in enumerate(d.get("annotations", [])):
        sizes[f"annotation {i}"] = note.get("font", {}).get("size")
    return sizes


@pytest.mark.parametrize("name", FIGURES)
def test_every_font_is_explicit_and_at_least_1_3_times_larger(name):
    figure = FIGURES[name]()
    before = font_sizes(figure)
    after = font_sizes(valid(for_projector(figure)))
    assert set(after) >= set(before)
    for part, size in after.items():
        assert size is not None, f"{part} is left to plotly's or Streamlit's default"
        # a part without a size of its own was drawn at the layout's (or at least 12 px)
        was = before.get(part) or before["layout"] or 12
        assert size >= round(was * SCALE) >= was * SCALE - 0.5, (part, was, size)


@pytest.mark.parametrize("name", FIGURES)
def test_lines_are_thicker_and_the_figure_grows_with_its_type(name):
    figure = FIGURES[name]()
    styled = for_projector(figure)
    for old, new in zip(figure.data, styled.data):
        if old.type == "scatter":
            assert new.line.width >= max(MIN_LINE, (old.line.width or 2) * 1.5)
        if old.type == "scatter" and isinstance(old.marker.size, (int, float)):
            assert new.marker.size == pytest.approx(old.marker.size * SCALE)
    if figure.layout.height:
        assert styled.layout.height == round(figure.layout.height * SCALE)


def test_the_palette_becomes_okabe_ito_and_text_black():
    styled = for_projector(FIGURES["training curves"]())
    lines = {t.name: t.line.color for t in styled.data if t.mode == "lines+markers"}
    assert lines == {"training": colors.OKABE_ITO["blue"], "validation": colors.OKABE_ITO["orange"]}
    assert styled.layout.font.color == colors.OKABE_ITO["black"]
    bars = for_projector(FIGURES["per-class metrics"]())
    assert {t.marker.color for t in bars.data} <= set(colors.OKABE_ITO.values())
    safe = set(colors.PROJECTOR_COLORS.values())
    assert safe - {"#6b6b6b", "#b0b0b0"} <= set(colors.OKABE_ITO.values())  # greys aside


def test_the_original_figure_is_not_changed():
    figure = FIGURES["confusion matrix"]()
    before = figure.to_json()
    for_projector(figure)
    assert figure.to_json() == before


def test_pictures_keep_their_pixels():
    from cnnviz.figures.predictions import gradcam_overlay

    image = np.linspace(0, 1, 8 * 8).reshape(8, 8, 1).astype(np.float32)
    figure = gradcam_overlay(image, np.eye(8, dtype=np.float32), title="where")
    styled = valid(for_projector(figure))
    sources = [t.source for t in figure.data if t.type == "image"]
    assert sources and sources == [t.source for t in styled.data if t.type == "image"]


def test_parallel_coordinates_scale_their_own_axes_and_colour_bar():
    from cnnviz.figures.parallel import parallel_coordinates_figure

    rows = [
        {"run_id": "r1", "learning_rate": 0.001, "test_accuracy": 0.8},
        {"run_id": "r2", "learning_rate": 0.01, "test_accuracy": 0.9},
    ]
    figure = parallel_coordinates_figure(rows, ["learning_rate"])
    styled = valid(for_projector(figure))  # its `line` holds colours: no width added
    old, new = figure.data[0], styled.data[0]
    for key in ("labelfont", "tickfont", "rangefont"):
        assert new[key].size == round(old[key].size * SCALE), key
        assert new[key].color == colors.OKABE_ITO["black"], key
    drawn = round(figure.layout.font.size * SCALE)  # the bar's text is the layout's size
    assert new.line.colorbar.tickfont.size == new.line.colorbar.title.font.size == drawn
