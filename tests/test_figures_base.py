"""The shared plotly pieces: pictures placed by their corner."""

import numpy as np
import plotly.graph_objects as go
import pytest

from cnnviz.figures.base import as_text, picture_trace
from tests.helpers_figures import decoded, valid


@pytest.mark.parametrize("pixels", [np.zeros((4, 5)), np.zeros((4, 5, 1), np.uint8)])
def test_picture_trace_places_any_picture_by_its_corner(pixels):
    trace = picture_trace(pixels, x=10, y=20, size=50, name="p")
    assert decoded(go.Image(trace)).shape[2] == 3
    step = trace["dx"]
    assert trace["x0"] == 10 + step / 2 and trace["y0"] == 20 + step / 2
    assert step * decoded(go.Image(trace)).shape[1] == pytest.approx(50)


# --- names users typed are drawn as text -------------------------------------------------

TYPED = ["<b>cat</b>", '<a href="http://127.0.0.1:9/">dog</a>', "fox &amp; <br>hen"]


def strings(value) -> list[str]:
    """Every string inside a figure's JSON (texts, tick labels, hover templates...)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in strings(v)]
    return []


def hostile_figures():
    """Every figure that shows class names, built with names full of plotly's tags."""
    from cnnviz.compare import Disagreement
    from cnnviz.evaluate import Evaluation
    from cnnviz.figures.compare import (
        confusion_diff_figure,
        disagreements_figure,
        per_class_change_figure,
    )
    from cnnviz.figures.datasets import class_distribution_figure
    from cnnviz.figures.evaluation import (
        cell_images_figure,
        confusion_matrix_figure,
        mistakes_figure,
        per_class_metrics_figure,
    )
    from cnnviz.figures.overview import network_overview
    from cnnviz.figures.predictions import prediction_bars
    from cnnviz.figures.training import class_accuracy_curves
    from cnnviz.metrics import classification_metrics
    from cnnviz.mistakes import cell_images, mistakes
    from cnnviz.predict import ClassScore, Prediction, top_classes
    from tests.helpers_figures import CONV

    y_true, y_pred = np.array([0, 1, 2, 2]), np.array([0, 2, 2, 1])
    metrics = classification_metrics(y_true, y_pred, TYPED)
    p = np.eye(3)[y_pred] * 0.8 + 0.2 / 3
    answers = Evaluation(p, p, y_pred, metrics)
    images = np.zeros((4, 6, 6, 1), np.uint8)
    top = tuple(top_classes(p[0], TYPED, k=3))
    score = ClassScore(1, TYPED[1], 0.7)
    return {
        "confusion matrix": confusion_matrix_figure(metrics),
        "per-class metrics": per_class_metrics_figure(metrics),
        "mistakes": mistakes_figure(mistakes(images, y_true, answers, TYPED)),
        "a cell's images": cell_images_figure(
            cell_images(images, y_true, answers, TYPED, true=2, predicted=1), [None], title=""
        ),
        "class distribution": class_distribution_figure(TYPED, {"train": [1, 2, 3]}),
        "prediction bars": prediction_bars(
            Prediction("x.png", p[0], top[0].index, top[0].name, top, False)
        ),
        "overview": network_overview(images[0], [CONV], p[0], TYPED, predicted=0),
        "class accuracy curves": class_accuracy_curves([[0.5, 0.6]] * 3, TYPED),
        "confusion diff": confusion_diff_figure(np.eye(3), TYPED),
        "per-class change": per_class_change_figure(np.ones((2, 3)), TYPED),
        "disagreements": disagreements_figure(
            [Disagreement(0, images[0], TYPED[0], score, ClassScore(2, TYPED[2], 0.6))], total=1
        ),
    }


def test_as_text_shows_a_name_as_typed():
    assert as_text('<b>x</b> & "y"') == '&lt;b&gt;x&lt;/b&gt; &amp; "y"'
    assert as_text(7) == "7"


def test_every_figure_draws_typed_class_names_as_text_not_as_tags():
    for name, figure in hostile_figures().items():
        texts = strings(valid(figure).to_plotly_json())
        assert any("&lt;" in text for text in texts), f"{name}: no class name drawn"
        for text in texts:
            for typed in TYPED:
                assert typed not in text, (name, text)
