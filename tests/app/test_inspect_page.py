"""AppTest drives the Inspect page on a really trained run."""

import numpy as np

from cnnviz.data import load_dataset, rescale
from cnnviz.metrics import classification_metrics
from cnnviz.runs import load_run
from tests.app.pages import open_page


def test_inspect_shows_the_run_and_its_mistakes(runs_with_model):
    root, run_id = runs_with_model
    at = open_page("inspect", timeout=120)
    assert not at.error
    assert at.selectbox(key="inspect_run").value == run_id
    # Oracle: the run's model on the dataset's test split, scored by sklearn.
    run = load_run(run_id, root)
    test = load_dataset("digits", limit=600).test
    predicted = np.argmax(run.model()(rescale(test.images)).numpy(), axis=1)
    expected = classification_metrics(test.labels, predicted, run.config["class_names"])
    assert at.metric[0].value == f"{expected.accuracy:.1%}"
    table = at.dataframe[0].value
    assert list(table["support"]) == [int(s) for s in expected.support]
    overview = at.get("plotly_chart")
    assert len(overview) >= 5
    wrong = int((predicted != test.labels).sum())
    assert any(c.value == f"{wrong} misclassified test images" for c in at.caption)
    at.selectbox(key="inspect_true").set_value("3").run()
    wrong_3 = int(((predicted != test.labels) & (test.labels == 3)).sum())
    assert any(c.value == f"{wrong_3} misclassified test images" for c in at.caption)
    at.slider(key="inspect_image").set_value(7).run()
    truth = run.config["class_names"][test.labels[7]]
    assert any(f"True class **{truth}**" in m.value for m in at.markdown)
    at.selectbox(key="inspect_cam_class").set_value("0").run()
    assert not at.exception


def test_inspect_without_runs_says_what_to_do(runs_dir):
    at = open_page("inspect")
    assert any("train one on the **Train** page" in i.value for i in at.info)
