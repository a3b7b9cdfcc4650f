"""Every epoch kept: a real digits run trained by `cnnviz train`, looked at after each
epoch with `evaluate --epoch` and `featuremaps --epoch`.

Oracles: `evaluate` of the final model, and Keras's own outputs with the snapshot loaded.
"""

import json

import numpy as np
import pytest
from PIL import Image

from cnnviz.cli import main
from cnnviz.runs import load_run
from cnnviz.snapshots import SNAPSHOT_BUDGET, snapshot_every


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    code = main(
        [
            "train",
            "--data",
            "digits",
            "--model",
            "digits-small",
            "--epochs",
            "5",
            "--limit",
            "400",
            "--runs-dir",
            str(root),
        ]
    )
    assert code == 0
    (path,) = root.iterdir()
    return load_run(path)


def run_cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_every_epoch_is_kept_with_its_per_class_accuracy(run):
    assert run.epochs() == [1, 2, 3, 4, 5]
    history = run.history()
    assert len(history["val_accuracy_class_0"]) == 5
    assert all(0 <= v <= 1 for i in range(10) for v in history[f"val_accuracy_class_{i}"])
    # every class has validation images here, so their accuracies average to about the
    # total (weighted by the class counts, which differ by at most a few images)
    for epoch in range(5):
        mean = np.mean([history[f"val_accuracy_class_{i}"][epoch] for i in range(10)])
        assert mean == pytest.approx(history["val_accuracy"][epoch], abs=0.08)


def test_evaluate_at_the_last_epoch_equals_evaluate_and_epoch_one_differs(run, capsys):
    code, final, err = run_cli(capsys, "evaluate", run.dir, "--json")
    assert code == 0, err
    code, last, err = run_cli(capsys, "evaluate", run.dir, "--epoch", 5, "--json")
    assert code == 0, err
    assert json.loads(last) == json.loads(final)
    code, first, err = run_cli(capsys, "evaluate", run.dir, "--epoch", 1, "--json")
    assert code == 0, err
    assert json.loads(first)["test_accuracy"] != json.loads(final)["test_accuracy"]
    assert json.loads(first)["confusion_matrix"] != json.loads(final)["confusion_matrix"]


def test_an_epoch_the_run_does_not_have_is_a_user_error(run, capsys):
    code, out, err = run_cli(capsys, "evaluate", run.dir, "--epoch", 9)
    assert code == 2 and out == ""
    assert err.startswith("error: run ") and "no weights after epoch 9" in err
    assert err.count("\n") == 1


def test_featuremaps_after_an_epoch_use_that_epochs_weights(run, capsys, tmp_path):
    image = tmp_path / "one.png"
    Image.fromarray(np.full((8, 8), 200, np.uint8)).save(image)
    maps = {}
    for epoch in (1, 5):
        out = tmp_path / f"e{epoch}"
        code, _, err = run_cli(
            capsys, "featuremaps", run.dir, image, "--epoch", epoch, "--out", out
        )
        assert code == 0, err
        maps[epoch] = np.asarray(Image.open(sorted(out.iterdir())[0]))
    assert maps[1].shape == maps[5].shape and not np.array_equal(maps[1], maps[5])


def test_large_models_keep_every_kth_epoch_within_the_budget():
    assert snapshot_every(10_000, 500) == 1  # 40 kB x 500 epochs: all of them
    params = 1_250_000  # the lab's CIFAR-10 model, 5 MB a snapshot
    every = snapshot_every(params, 100)
    assert every > 1 and (100 // every) * (4 * params) <= SNAPSHOT_BUDGET * 1.01
