"""`python -m cnnviz mistakes | trace` on a run trained here.

Oracles: the `evaluate` command's confusion matrix, Keras's own probabilities and
losses, and Keras's own output of the traced layer.
"""

import json

import numpy as np
import pytest
from PIL import Image

from cnnviz.data import rescale
from tests.helpers_inspect import run_cli, save_run, trained_digits


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    model, report, dataset, history = trained_digits()
    return save_run(model, report.spec, dataset, history, tmp_path_factory.mktemp("runs"))


def test_mistakes_json_agrees_with_evaluate_and_with_keras(run, capsys):
    code, out, err = run_cli(capsys, "mistakes", run.dir, "--json")
    assert code == 0, err
    document = json.loads(out)
    assert set(document) == {"mistakes", "most_confused"}
    code, out, _ = run_cli(capsys, "evaluate", run.dir, "--json")
    matrix = np.array(json.loads(out)["confusion_matrix"])
    found = document["mistakes"]
    assert len(found) == matrix.sum() - np.trace(matrix)  # every mistake, no filter
    for pair in document["most_confused"]:
        assert pair["count"] == matrix[int(pair["true"]), int(pair["predicted"])]
    assert sum(p["count"] for p in document["most_confused"]) == len(found)
    counts = [p["count"] for p in document["most_confused"]]
    assert counts == sorted(counts, reverse=True)
    model, _, dataset, _ = trained_digits()
    probabilities = model.predict(rescale(dataset.test.images), verbose=0)
    import keras

    losses = np.asarray(
        keras.losses.sparse_categorical_crossentropy(dataset.test.labels, probabilities)
    )
    for entry in found:
        i = entry["index"]
        assert entry["true"] == str(dataset.test.labels[i])
        assert entry["predicted"] == str(probabilities[i].argmax()) != entry["true"]
        assert entry["p_true"] == pytest.approx(probabilities[i, int(entry["true"])], abs=1e-5)
        assert entry["confidence"] == pytest.approx(probabilities[i].max(), abs=1e-5)
        assert entry["loss"] == pytest.approx(losses[i], rel=1e-3, abs=1e-5)
        assert len(entry["top"]) == 3 and entry["top"][0]["class"] == entry["predicted"]
    assert [e["loss"] for e in found] == sorted((e["loss"] for e in found), reverse=True)


def test_mistakes_of_one_cell_by_class_name_with_top_k(run, capsys):
    code, out, _ = run_cli(capsys, "mistakes", run.dir, "--json")
    pair = json.loads(out)["most_confused"][0]
    argv = ["mistakes", run.dir, "--true", pair["true"], "--predicted", pair["predicted"]]
    code, out, err = run_cli(capsys, *argv, "--top", 1, "--json")
    assert code == 0, err
    document = json.loads(out)
    assert len(document["mistakes"]) == pair["count"]
    assert {(m["true"], m["predicted"]) for m in document["mistakes"]} == {
        (pair["true"], pair["predicted"])
    }
    assert all(len(m["top"]) == 1 for m in document["mistakes"])
    assert document["most_confused"] == [pair]
    code, out, _ = run_cli(capsys, *argv)
    assert code == 0 and f"{pair['count']} mistakes among" in out and "Most confused" in out


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--true", "ten"], "true must be a class index 0..9 or a class name"),
        (["--predicted", "12"], "predicted must be a class index 0..9"),
        (["--top", "0"], "--top must be at least 1"),
    ],
)
def test_mistakes_user_errors_exit_2(run, capsys, extra, message):
    code, out, err = run_cli(capsys, "mistakes", run.dir, *extra)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and len(err.splitlines()) == 1


@pytest.fixture(scope="module")
def digit_file(tmp_path_factory):
    _, _, dataset, _ = trained_digits()
    path = tmp_path_factory.mktemp("images") / "digit.png"
    Image.fromarray(dataset.test.images[4, ..., 0], "L").save(path)
    return path


def test_trace_json_equals_keras_output_of_the_layer(run, digit_file, capsys):
    import keras

    model, _, dataset, _ = trained_digits()
    second = [layer.name for layer in model.layers if type(layer).__name__ == "Conv2D"][1]
    where = ["--channel", 7, "--row", 2, "--col", 1]
    code, out, err = run_cli(capsys, "trace", run.dir, digit_file, "--layer", second, *where)
    assert code == 0, err
    code, out, err = run_cli(
        capsys, "trace", run.dir, digit_file, "--layer", second, *where, "--json"
    )
    assert code == 0, err
    document = json.loads(out)
    cut = keras.Model(model.inputs[0], model.get_layer(second).output)
    expected = np.asarray(cut(rescale(dataset.test.images[4])[None]))[0, 2, 1, 7]
    assert document["keras_value"] == pytest.approx(expected, abs=1e-5)
    assert document["value"] == pytest.approx(expected, abs=1e-5)
    assert document["value"] == pytest.approx(max(document["pre_activation"], 0), abs=1e-6)
    kernel, bias = model.get_layer(second).get_weights()
    assert document["bias"] == pytest.approx(bias[7])
    assert document["kernel_shape"] == [3, 3, 32]
    assert np.array(document["window"]).shape == (3, 3, 32)
    # digits-small: conv 3x3 same, pool 2, conv 3x3 same. Pixel (2, 1) of the second
    # conv reads pool rows 1-3, cols 0-2, i.e. conv rows 2-7, cols 0-5, i.e. image rows
    # 1-8 (clipped to 7), cols -1 (clipped to 0) to 6.
    assert document["receptive_field"] == [1, 0, 7, 6]
    assert document["layer"] == second


def test_trace_prints_the_arithmetic(run, digit_file, capsys):
    code, out, err = run_cli(
        capsys,
        "trace",
        run.dir,
        digit_file,
        "--layer",
        "conv2d",
        "--channel",
        3,
        "--row",
        0,
        "--col",
        0,
    )
    assert code == 0, err
    assert "conv2d (Conv2D), channel 3, row 0, col 0: a 3x3 window over 1 input channel" in out
    assert "+ bias" in out and "(Keras: " in out and "receptive field: rows 0-1, cols 0-1" in out


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--layer", "conv2d", "--row", "8"], "row must be a whole number from 0 to 7"),
        (["--layer", "conv2d", "--channel", "32"], "channel must be a whole number from 0 to 31"),
        (["--layer", "max_pooling2d"], "'max_pooling2d' is a MaxPooling2D layer"),
        (["--layer", "nope"], "the model has no layer 'nope'"),
    ],
)
def test_trace_user_errors_exit_2(run, digit_file, capsys, extra, message):
    where = {"--channel": "0", "--row": "0", "--col": "0"}
    for key, value in zip(extra[::2], extra[1::2]):
        where[key] = value
    argv = ["trace", run.dir, digit_file, *[x for kv in where.items() for x in kv]]
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and len(err.splitlines()) == 1
