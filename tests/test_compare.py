"""Two runs compared: `compare_runs` and `python -m cnnviz compare`.

Two digits runs trained here whose differences are known (the first Conv2D has 16
filters instead of 32, the learning rate is 0.001 instead of 0.003). Oracles: Keras's
own parameter counts and predictions, `evaluate --json`'s confusion matrices, and
parameter counts worked out by hand.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cnnviz import presets
from cnnviz.cli import main
from cnnviz.compare import compare_runs, layers_diff, run_settings, settings_diff
from cnnviz.data import load_dataset, rescale
from cnnviz.plan import TrainConfig
from cnnviz.rundir import MODEL_FILE
from cnnviz.runs import Run, create_run
from cnnviz.runstatus import write_status
from cnnviz.spec import ModelSpec, validate
from tests.helpers_runs import train_run

LIMIT = 600


def narrower(filters: int = 16) -> dict:
    """digits-small with `filters` filters in its first Conv2D."""
    spec = presets.get("digits-small").to_dict()
    spec["layers"][0]["filters"] = filters
    return {**spec, "name": "digits-narrow"}


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    a = train_run(root, "digits-small", limit=LIMIT, epochs=3, learning_rate=0.003)
    b = train_run(root, narrower(), limit=LIMIT, epochs=3, learning_rate=0.001)
    return a, b


def run_cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def keras_answers(run) -> np.ndarray:
    test = load_dataset("digits", limit=LIMIT, seed=0).test
    return run.model().predict(rescale(test.images), verbose=0).argmax(axis=1)


def test_compare_json_names_the_changed_filters_and_learning_rate(pair, capsys):
    a, b = pair
    code, out, err = run_cli(capsys, "compare", a.id, b.id, "--runs-dir", a.dir.parent, "--json")
    assert code == 0, err
    document = json.loads(out)
    assert list(document) == [
        "runs",
        "test_accuracy",
        "settings_diff",
        "layers_diff",
        "per_class_accuracy",
        "confusion_diff",
        "disagreements",
    ]
    assert document["runs"] == [a.id, b.id]
    assert document["settings_diff"] == {"learning_rate": [0.003, 0.001]}
    rows = document["layers_diff"]
    assert [row["index"] for row in rows] == list(range(7))
    assert [row["change"] for row in rows] == ["changed"] + ["same"] * 6
    assert (rows[0]["a"]["filters"], rows[0]["b"]["filters"]) == (32, 16)
    assert rows[0]["params"] == [3 * 3 * 1 * 32 + 32, 3 * 3 * 1 * 16 + 16]  # by hand
    assert rows[2]["params"] == [3 * 3 * 32 * 64 + 64, 3 * 3 * 16 * 64 + 64]  # its input
    assert [row["a"] for row in rows] == [layer.to_dict() for layer in a.spec.layers]
    for side, run in enumerate(pair):  # Keras's own count of every layer's weights
        counts = [layer.count_params() for layer in run.model().layers[1:]]
        assert [row["params"][side] for row in rows] == counts


def test_compare_agrees_with_evaluate_and_with_keras(pair, capsys):
    a, b = pair
    root = a.dir.parent
    evaluated = []
    for run in pair:
        code, out, _ = run_cli(capsys, "evaluate", run.id, "--runs-dir", root, "--json")
        assert code == 0
        evaluated.append(json.loads(out))
    code, out, _ = run_cli(capsys, "compare", a.id, b.id, "--runs-dir", root, "--json")
    document = json.loads(out)
    assert document["test_accuracy"] == [e["test_accuracy"] for e in evaluated]
    expected = np.array(evaluated[1]["confusion_matrix"]) - np.array(
        evaluated[0]["confusion_matrix"]
    )
    assert document["confusion_diff"] == expected.tolist()
    recalls = [[row["recall"] for row in e["per_class"]] for e in evaluated]
    np.testing.assert_allclose(document["per_class_accuracy"], recalls)
    answers_a, answers_b = keras_answers(a), keras_answers(b)
    assert document["disagreements"] == int((answers_a != answers_b).sum()) > 0


def test_disagreements_come_with_both_answers_those_only_b_gets_right_first(pair):
    a, b = pair
    comparison = compare_runs(a, b)
    test = load_dataset("digits", limit=LIMIT, seed=0).test
    answers_a, answers_b = keras_answers(a), keras_answers(b)
    shown = comparison.disagreements()
    assert sorted(d.index for d in shown) == np.flatnonzero(answers_a != answers_b).tolist()
    for item in shown:
        assert item.a.index == answers_a[item.index] and item.b.index == answers_b[item.index]
        assert item.true_name == str(test.labels[item.index])
        np.testing.assert_array_equal(item.image, test.images[item.index])
    rank = [0 if d.b.name == d.true_name else 1 if d.a.name == d.true_name else 2 for d in shown]
    assert rank == sorted(rank)
    assert len(comparison.disagreements(limit=3)) == min(3, len(shown))


def copy_run(run: Run, root, **config) -> Run:
    """The run's model under a new run folder whose config says `config`."""
    copy = create_run(run.spec, {**run.config, **config}, runs_dir=root, status="running")
    shutil.copy(run.dir / MODEL_FILE, copy.dir / MODEL_FILE)
    write_status(copy.dir, "completed", "copied", test_accuracy=run.test_accuracy)
    return Run.read(copy.dir)


def test_runs_tested_on_other_images_are_not_compared_image_by_image(pair, tmp_path, capsys):
    a, _ = pair
    other = copy_run(a, tmp_path, limit=500)
    comparison = compare_runs(a, other)
    assert not comparison.same_test_split
    assert "limit 600 vs 500" in comparison.reason
    document = comparison.to_dict()
    assert list(document) == ["runs", "test_accuracy", "settings_diff", "layers_diff"]
    assert document["settings_diff"] == {"limit": [600, 500]}
    assert {row["change"] for row in document["layers_diff"]} == {"same"}
    code, out, _ = run_cli(capsys, "compare", a.dir, other.dir)
    assert code == 0 and f"Not compared image by image: {comparison.reason}" in out


def test_a_run_without_a_model_is_compared_by_settings_and_layers(pair, tmp_path):
    a, _ = pair
    failed = create_run(a.spec, {**a.config, "training": {"learning_rate": 9.0}}, runs_dir=tmp_path)
    write_status(failed.dir, "failed", "the loss became NaN")
    comparison = compare_runs(a, Run.read(failed.dir))
    assert comparison.test_accuracy[1] is None
    assert "has no trained model" in comparison.reason
    assert comparison.settings_diff["learning_rate"] == [0.003, 9.0]
    assert comparison.settings_diff["epochs"] == [3, None]


def test_compare_prints_tables_and_a_mistake_is_one_error_line(pair, capsys):
    a, b = pair
    code, out, _ = run_cli(capsys, "compare", a.dir, b.dir)
    assert code == 0
    assert "Settings that differ" in out and "learning_rate  0.003  0.001" in out
    assert "changed" in out and "Confusion matrix, B minus A" in out
    code, out, err = run_cli(capsys, "compare", a.dir, "no-such-run", "--runs-dir", a.dir.parent)
    assert code == 2 and out == "" and err.startswith("error: no run 'no-such-run'")
    assert len(err.strip().splitlines()) == 1


# --- without TensorFlow: the settings and the layer stacks --------------------------


def report(layers: list[dict]):
    return validate(ModelSpec.from_dict({"layers": layers}), input_shape=(8, 8, 1), num_classes=10)


CONV = {"type": "Conv2D", "kernel_size": 3, "activation": "relu", "padding": "same"}
POOL = {"type": "MaxPooling2D", "pool_size": 2}
HEAD = {"type": "Dense", "units": "num_classes", "activation": "softmax"}


def test_layers_are_aligned_added_removed_and_changed():
    a = [{**CONV, "filters": 32}, POOL, {**CONV, "filters": 64}, POOL, {"type": "Flatten"}]
    a += [{"type": "Dense", "units": 64, "activation": "relu"}, HEAD]
    b = [{**CONV, "filters": 32, "kernel_size": [3, 3]}, POOL, {**CONV, "filters": 64}, POOL]
    b += [{**CONV, "filters": 128}, POOL, {"type": "Flatten"}, {"type": "Dropout", "rate": 0.5}]
    b += [HEAD]
    rows = layers_diff(report(a), report(b))
    assert [(r.change, r.a and r.a["type"], r.b and r.b["type"]) for r in rows] == [
        ("same", "Conv2D", "Conv2D"),  # kernel_size 3 is [3, 3]
        ("same", "MaxPooling2D", "MaxPooling2D"),
        ("same", "Conv2D", "Conv2D"),
        ("same", "MaxPooling2D", "MaxPooling2D"),
        ("added", None, "Conv2D"),
        ("added", None, "MaxPooling2D"),
        ("same", "Flatten", "Flatten"),
        ("removed", "Dense", None),
        ("added", None, "Dropout"),
        ("same", "Dense", "Dense"),
    ]
    assert rows[4].params == (None, 3 * 3 * 64 * 128 + 128)
    assert rows[7].params == (2 * 2 * 64 * 64 + 64, None)
    assert rows[9].params == (64 * 10 + 10, 128 * 10 + 10)  # same layer, other input
    assert rows[9].numbers == (7, 9) and rows[9].output_shapes == ((10,), (10,))


def test_a_changed_layer_lists_its_changed_settings_and_another_type_is_a_new_layer():
    a = [{**CONV, "filters": 8}, POOL, {"type": "Flatten"}, HEAD]
    b = [{**CONV, "filters": 8, "strides": 2, "activation": "tanh"}]
    b += [{"type": "AveragePooling2D", "pool_size": 2}, {"type": "Flatten"}, HEAD]
    rows = layers_diff(report(a), report(b))
    assert [r.change for r in rows] == ["changed", "removed", "added", "same", "same"]
    assert rows[0].differences == {"strides": [[1, 1], [2, 2]], "activation": ["relu", "tanh"]}
    assert rows[0].output_shapes == ((8, 8, 8), (4, 4, 8))


def test_settings_diff_names_training_augmentation_and_data_settings():
    config = {"dataset": "digits", "limit": None, "image_size": None, "augment": None}
    a = {**config, "training": TrainConfig().to_dict()}
    b = {
        **config,
        "limit": 500,
        "training": TrainConfig(optimizer="sgd").to_dict(),
        "augment": {"rotation_degrees": 30, "flip_left_right": True},
    }
    assert settings_diff(a, b) == {
        "limit": [None, 500],
        "optimizer": ["adam", "sgd"],
        "rotation_degrees": [0.0, 30],
        "flip_left_right": [False, True],
    }
    assert settings_diff(a, a) == {}
    settings = run_settings(a)
    assert list(settings)[:4] == ["dataset", "image_size", "limit", "epochs"]
    assert settings["brightness"] == [1.0, 1.0] and settings["learning_rate"] == 0.001
    tuned = {**a, "init_from": "20260101-000000-frozen-abcd"}  # fine-tuned from a run
    assert settings_diff(a, tuned) == {"init_from": [None, "20260101-000000-frozen-abcd"]}


def test_settings_layers_and_curves_are_read_without_tensorflow():
    code = (
        "import sys\n"
        "from cnnviz import presets\n"
        "from cnnviz.coach import diagnose\n"
        "from cnnviz.compare import layers_diff, settings_diff\n"
        "from cnnviz.spec import validate\n"
        "r = validate(presets.get('digits-small'), input_shape=(8, 8, 1), num_classes=10)\n"
        "assert {c.change for c in layers_diff(r, r)} == {'same'}\n"
        "assert settings_diff({'dataset': 'digits'}, {'dataset': 'shapes'})\n"
        "diagnose({'loss': [1.0, 0.5]}, class_names=['a', 'b'])\n"
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
