"""One rule names the predicted class: a model whose outputs are all equal gets the same
answer from `evaluate`, from the Inspect page's caption and overview, and from predict.

Oracle: the rule written out by hand: a softmax tie goes to the first class; a sigmoid
at exactly 0.5 says class 1.
"""

import io
import json

import numpy as np
import pytest
from PIL import Image

from cnnviz.build import build_model
from cnnviz.data import load_dataset, rescale
from cnnviz.evaluate import evaluate, evaluate_run
from cnnviz.predict import predict_image
from cnnviz.spec import ModelSpec, validate
from tests.app.pages import open_page
from tests.helpers_inspect import save_run


def uniform_run(runs_dir, units: int, activation: str):
    """A run of Flatten -> Dense(units) with all-zero weights: every output is equal."""
    dataset = load_dataset("digits", limit=100)
    if units == 1:  # a two-class set: digits 0 and 1 only
        keep = dataset.train.labels < 2
        dataset = type(dataset)(
            type(dataset.info)(**{**dataset.info.__dict__, "class_names": ("0", "1")}),
            dataset.train.take(np.flatnonzero(keep)),
            dataset.test.take(np.flatnonzero(dataset.test.labels < 2)),
        )
    spec = ModelSpec.from_dict(
        {
            "name": f"uniform-{activation}",
            "layers": [
                {"type": "Flatten"},
                {"type": "Dense", "units": units, "activation": activation},
            ],
        }
    )
    report = validate(spec, input_shape=(8, 8, 1), num_classes=len(dataset.info.class_names))
    model = build_model(report)
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    history = {"loss": [1.0], "accuracy": [0.1], "val_loss": [1.0], "val_accuracy": [0.1]}
    return save_run(model, spec, dataset, history, runs_dir), dataset


@pytest.mark.parametrize("units, activation, answer", [(10, "softmax", "0"), (1, "sigmoid", "1")])
def test_uniform_outputs_give_one_answer_everywhere(runs_dir, units, activation, answer):
    run, dataset = uniform_run(runs_dir, units, activation)
    names = list(run.config["class_names"])
    if units == 1:  # the run's reloaded test split has all ten digits: evaluate on 0 and 1
        evaluation = evaluate(run.model(), rescale(dataset.test.images), dataset.test.labels, names)
        assert np.all(evaluation.outputs == 0.5)
    else:
        _, evaluation = evaluate_run(run)
    assert {names[i] for i in evaluation.predicted} == {answer}
    buffer = io.BytesIO()
    Image.fromarray(dataset.test.images[0, ..., 0]).save(buffer, format="PNG")
    prediction = predict_image(
        run.model(), buffer.getvalue(), image_shape=(8, 8, 1), class_names=names
    )
    assert prediction.name == answer and prediction.top[0].name == answer
    if units == 1:
        return
    at = open_page("inspect", timeout=120)
    caption = next(m.value for m in at.markdown if m.value.startswith("True class"))
    assert f"predicted **{answer}**" in caption
    overview = at.get("plotly_chart")[0].proto.spec
    bars = [
        s for s in json.loads(overview)["layout"]["shapes"] if s.get("name", "").startswith("class")
    ]
    blue = [s["name"] for s in bars if s["fillcolor"] == "#2563eb"]
    assert blue == [f"class {answer}"]
