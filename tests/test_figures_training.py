"""Loss and accuracy curves: what is drawn where."""

import plotly.graph_objects as go

from cnnviz.figures.training import training_curves


def test_two_panels_with_training_validation_and_batches():
    history = {
        "loss": [1.0, 0.5],
        "accuracy": [0.6, 0.8],
        "val_loss": [1.1, 0.7],
        "val_accuracy": [0.55, 0.75],
    }
    batches = {"epoch": [0.5, 1.0, 1.5], "loss": [1.2, 1.0, 0.6], "accuracy": [0.5, 0.6, 0.7]}
    fig = go.Figure(training_curves(history, batch_curve=batches).to_dict())  # validates
    by_panel = {}
    for trace in fig.data:
        by_panel.setdefault(trace.yaxis, []).append((trace.name, list(trace.y)))
    assert by_panel["y"] == [
        ("training (batches)", [1.2, 1.0, 0.6]),
        ("training", [1.0, 0.5]),
        ("validation", [1.1, 0.7]),
    ]
    assert by_panel["y2"] == [
        ("training (batches)", [0.5, 0.6, 0.7]),
        ("training", [0.6, 0.8]),
        ("validation", [0.55, 0.75]),
    ]
    assert list(fig.data[1].x) == [1, 2]  # epochs count from 1
    assert [a.text for a in fig.layout.annotations] == ["<b>Loss</b>", "<b>Accuracy</b>"]
    assert fig.layout.yaxis2.tickformat == ".0%"


def test_missing_metrics_are_skipped():
    fig = training_curves({"loss": [0.9]})
    assert [t["name"] for t in fig.to_dict()["data"]] == ["training"]
