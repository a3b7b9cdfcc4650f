"""The coach on runs made to show each problem, and on healthy ones that must not.

Real tiny trainings (digits, folders of random images whose labels mean nothing, a
badly imbalanced folder), a trained model with filters killed by hand, and run folders
whose history.csv says what a test chose. Oracles: the histories and counts the tests
wrote, Keras's own layer outputs for the dead filters.
"""

import json

import numpy as np
import pytest

from cnnviz.cli import main
from cnnviz.coach import DEAD_SHARE, dead_channels, diagnose, diagnose_run
from cnnviz.data import load_dataset, rescale
from cnnviz.runs import Run
from tests.helpers_inspect import save_run, trained_digits
from tests.helpers_runs import DENSE, noise_folder, train_run
from tests.test_curves import OSCILLATING, OVERFITTING, UNDERFITTING

TINY = {
    "name": "tiny",
    "layers": [
        {"type": "Flatten"},
        {"type": "Dense", "units": "num_classes", "activation": "softmax"},
    ],
}


def kinds(findings) -> list[str]:
    return [f.kind for f in findings]


def warnings(findings) -> list[str]:
    return [f.kind for f in findings if f.warning]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("runs")


@pytest.fixture(scope="module")
def healthy(root):
    """digits-small trained until its curves level off (10 epochs)."""
    return train_run(root, "digits-small", epochs=10, batch_size=32, learning_rate=0.005)


def test_a_healthy_run_gets_no_warning(healthy):
    findings = diagnose_run(healthy)
    assert kinds(findings) == ["healthy"]
    validation = healthy.history()["val_accuracy"]
    assert f"validation accuracy {np.mean(validation[-3:]):.0%} at the end" in findings[0].evidence


def test_a_learning_rate_too_high_is_seen_from_accuracy_stuck_at_guessing(root):
    run = train_run(root, "digits-small", limit=600, epochs=3, learning_rate=0.05)
    findings = diagnose_run(run)
    assert warnings(findings)[0] == "learning_rate_too_high"
    assert "healthy" not in kinds(findings)
    assert "from 0.05 to 0.005" in findings[0].suggestion
    best = max(run.history()["accuracy"])
    assert best <= 0.1 + 0.1 * 0.9 and f"{best:.0%} in all 3 epochs" in findings[0].evidence


def test_memorising_random_labels_is_overfitting(root, tmp_path_factory):
    data = noise_folder(tmp_path_factory.mktemp("noise"), (100, 100))
    run = train_run(
        root,
        DENSE,
        data,
        image_size=(8, 8),
        epochs=15,
        batch_size=16,
        learning_rate=0.003,
        validation_split=0.2,
    )
    history = run.history()
    findings = diagnose_run(run)
    assert warnings(findings) == ["overfitting"]
    gap = np.mean(history["accuracy"][-3:]) - np.mean(history["val_accuracy"][-3:])
    assert f"a gap of {gap * 100:.0f} points" in findings[0].evidence
    best = int(np.argmin(history["val_loss"])) + 1
    assert f"(epoch {best})" in findings[0].evidence and f"train for {best} epochs" in (
        findings[0].suggestion
    )


def test_a_model_too_small_trained_too_briefly_is_underfitting(root):
    run = train_run(root, TINY, epochs=5, learning_rate=0.0003)
    findings = diagnose_run(run)
    assert kinds(findings) == ["underfitting"]
    last = run.history()["accuracy"][-1]
    assert f"training accuracy is {last:.0%}" in findings[0].evidence


def test_a_run_stopped_while_the_loss_falls_is_not_converged(root):
    run = train_run(root, "digits-small", epochs=4, learning_rate=0.003)
    findings = diagnose_run(run)
    assert kinds(findings) == ["not_converged"]
    val_loss = run.history()["val_loss"]
    assert f"went from {val_loss[-3]:.3g} to {val_loss[-1]:.3g}" in findings[0].evidence
    assert "try 8)" in findings[0].suggestion


def test_an_imbalanced_folder_is_class_imbalance_and_the_digits_are_not(root, tmp_path_factory):
    data = noise_folder(tmp_path_factory.mktemp("unbalanced"), (80, 12))
    run = train_run(root, DENSE, data, image_size=(8, 8), epochs=2, batch_size=16)
    findings = diagnose_run(run)
    assert "class_imbalance" in warnings(findings)
    counts = np.bincount(load_dataset(data, image_size=(8, 8)).train.labels)
    (finding,) = [f for f in findings if f.kind == "class_imbalance"]
    assert f"Class c0 has {counts[0]} training images, class c1 only {counts[1]}" in (
        finding.evidence
    )
    assert counts[0] > 3 * counts[1]


def test_filters_killed_by_hand_are_dead_filters(healthy, root, keras):
    model = healthy.model()
    layer = model.get_layer("conv2d")
    kernel, bias = layer.get_weights()
    killed = [0, 3, 5, 8, 13, 21, 22, 30]  # 8 of 32: a quarter
    kernel[..., killed], bias[killed] = 0.0, -1.0
    layer.set_weights([kernel, bias])
    dataset = load_dataset("digits")
    images = rescale(dataset.test.images)
    for name, (dead, total) in dead_channels(model, images).items():  # Keras's own outputs
        outputs = keras.Model(model.inputs, model.get_layer(name).output).predict(images, verbose=0)
        assert (dead, total) == (int((outputs.max(axis=(0, 1, 2)) <= 0).sum()), outputs.shape[-1])
    assert dead_channels(model, images)["conv2d"] == (8, 32)
    assert 8 >= DEAD_SHARE * 32
    run = save_run(model, healthy.spec, dataset, healthy.history(), root)
    findings = diagnose_run(run)
    assert "dead_filters" in warnings(findings)
    (finding,) = [f for f in findings if f.kind == "dead_filters"]
    assert "conv2d: 8 of 32" in finding.evidence


def test_the_dead_filter_scan_looks_at_a_bounded_sample_spread_over_the_split(healthy, monkeypatch):
    import cnnviz.coach

    dataset, seen = load_dataset("digits"), []
    monkeypatch.setattr(cnnviz.coach, "DEAD_SCAN_IMAGES", 100)
    monkeypatch.setattr(cnnviz.coach, "dead_channels", lambda model, x: seen.append(x) or {})
    diagnose_run(healthy, dataset=dataset)
    (scanned,) = seen
    test = rescale(dataset.test.images)
    step = -(-len(test) // 100)
    assert len(test) > 300 and 50 < len(scanned) <= 100  # the split is longer than the cap
    np.testing.assert_array_equal(scanned, test[::step])  # evenly spread, first to last
    assert len(test) - step <= step * (len(scanned) - 1) < len(test)


@pytest.mark.parametrize(
    "history, kind",
    [
        (OVERFITTING, "overfitting"),
        (UNDERFITTING, "underfitting"),
        (OSCILLATING, "learning_rate_too_high"),
    ],
)
def test_runs_whose_history_was_written_to_show_a_problem(history, kind, tmp_path, capsys):
    model, report, dataset, _ = trained_digits()
    run = save_run(model, report.spec, dataset, history, tmp_path)
    assert warnings(diagnose_run(run)) == [kind]
    code = main(["diagnose", run.id, "--runs-dir", str(tmp_path), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    document = json.loads(out)
    assert list(document) == ["findings"]
    assert document["findings"][0]["kind"] == kind
    assert set(document["findings"][0]) == {"kind", "evidence", "suggestion", "level"}


def test_diagnose_prints_each_finding_and_a_mistake_is_one_error_line(healthy, capsys):
    code = main(["diagnose", str(healthy.dir)])
    out, _ = capsys.readouterr()
    assert code == 0
    assert f"Run {healthy.id} (completed)" in out and "Healthy run [healthy]" in out
    assert "  seen: " in out and "  try:  " in out
    code = main(["diagnose", "nope", "--runs-dir", str(healthy.dir.parent)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.startswith("error: no run 'nope'")


def test_a_run_whose_dataset_is_gone_is_still_read_from_its_curves(healthy, tmp_path):
    model, report, dataset, _ = trained_digits()
    run = save_run(model, report.spec, dataset, OVERFITTING, tmp_path, dataset_id="folder:/gone")
    findings = diagnose_run(Run.read(run.dir))
    assert kinds(findings) == ["overfitting", "dataset_unavailable"]
    assert "/gone" in findings[1].evidence and not findings[1].warning


def test_diagnose_orders_warnings_first_and_counts_guessing_from_the_largest_class():
    names = ["a", "b"]
    # 70% accuracy is guessing when 70% of the images are of one class
    flat = {"loss": [0.7, 0.69, 0.69], "accuracy": [0.7, 0.7, 0.7]}
    findings = diagnose(flat, class_names=names, class_counts=[70, 30], learning_rate=0.01)
    assert kinds(findings) == ["learning_rate_too_high", "no_validation"]
    findings = diagnose(flat, class_names=names, class_counts=[50, 50], learning_rate=0.01)
    assert kinds(findings) == ["no_validation", "healthy"]
    dead = {"conv2d": (7, 32), "conv2d_1": (16, 64)}  # 22% and 25%
    findings = diagnose(flat, class_names=names, class_counts=[50, 50], dead=dead)
    assert kinds(findings) == ["dead_filters", "no_validation"]
    assert "conv2d_1: 16 of 64" in findings[0].evidence and "conv2d:" not in findings[0].evidence


def test_dead_filters_are_looked_for_in_the_specs_own_convolutions_only():
    """A pretrained backbone's channels were learnt on ImageNet (many are silent on a
    class's photos) and the advice is about layers a learner chose: only the head's
    convolutions are scanned."""
    from tests.helpers_inspect import backbone_model

    model, _ = backbone_model(
        [
            {"type": "Conv2D", "filters": 6, "kernel_size": 1, "activation": "relu"},
            {"type": "GlobalAveragePooling2D"},
            {"type": "Dense", "units": "num_classes", "activation": "softmax"},
        ]
    )
    images = np.random.default_rng(0).random((4, 32, 32, 3), dtype=np.float32)
    found = dead_channels(model, images)
    assert list(found) == ["conv2d"] and found["conv2d"][1] == 6
    assert dead_channels(backbone_model()[0], images) == {}
