"""Run bundles: export, import, and refusing bundles that are not what they claim.

Oracles: the exported run itself (weights, spec, history, metrics, answers) and the
zip layout written by hand for the hostile cases.
"""

import contextlib
import io
import json
import zipfile

import keras
import numpy as np
import pytest

from cnnviz import bundle
from cnnviz.data import rescale
from cnnviz.errors import CnnvizError, SpecError
from cnnviz.runs import list_runs
from tests.helpers_inspect import save_run, trained_digits


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    model, report, dataset, history = trained_digits()
    run = save_run(model, report.spec, dataset, history, tmp_path_factory.mktemp("runs"))
    return run, bundle.export_bundle(run)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_bundle_holds_the_run_files(exported):
    run, data = exported
    files = members(data)
    assert set(files) == {
        "cnnviz-bundle.json",
        "spec.json",
        "config.json",
        "model.weights.h5",
        "history.csv",
        "metrics.json",
        "train.py",
    }
    manifest = json.loads(files["cnnviz-bundle.json"])
    assert manifest["format"] == "cnnviz-bundle" and manifest["run_id"] == run.id
    assert manifest["status"]["status"] == "completed"
    assert json.loads(files["spec.json"]) == run.spec.to_dict()
    assert json.loads(files["config.json"]) == run.config


def test_import_rebuilds_the_same_run_under_a_new_id(exported, runs_dir, monkeypatch):
    run, data = exported

    def refuse(*args, **kwargs):
        raise AssertionError("load_model must never be called on a bundle")

    monkeypatch.setattr(keras.models, "load_model", refuse)
    monkeypatch.setattr(keras.saving, "load_model", refuse)
    imported = bundle.import_bundle(data, runs_dir=runs_dir, name="shared.zip")
    assert imported.id != run.id and imported.dir.parent == runs_dir
    assert imported.state == "completed"
    assert imported.test_accuracy == run.test_accuracy
    assert imported.spec == run.spec
    assert imported.config["imported_from"] == run.id
    assert {k: v for k, v in imported.config.items() if not k.startswith("imported")} == (
        run.config
    )
    assert imported.history().keys() == run.history().keys()
    for key, values in run.history().items():
        np.testing.assert_allclose(imported.history()[key], values)
    assert imported.metrics().to_dict() == run.metrics().to_dict()
    original, again = run.model(), imported.model()
    for a, b in zip(original.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    images = rescale(trained_digits()[2].test.images[:16])
    np.testing.assert_allclose(
        again.predict(images, verbose=0), original.predict(images, verbose=0), atol=1e-6
    )
    assert [r.id for r in list_runs(runs_dir)] == [imported.id]


def test_an_imported_run_belongs_to_the_desk_that_imported_it(exported, runs_dir):
    run, data = exported
    files = members(data)
    config = {**json.loads(files["config.json"]), "owner": "bob"}
    from_bob = zipped({**files, "config.json": json.dumps(config).encode()})
    assert (
        bundle.import_bundle(from_bob, runs_dir=runs_dir).owner is None
    )  # "bob" was a desk of the server the bundle came from
    imported = bundle.import_bundle(data, runs_dir=runs_dir, owner="Ada Lovelace")
    assert imported.owner == "ada-lovelace"  # the importing desk's, as the URL names it
    assert [r.id for r in list_runs(runs_dir, owner="ada-lovelace")] == [imported.id]
    assert len(list_runs(runs_dir)) == 2
    with pytest.raises(CnnvizError, match="owner must be a short name"):
        bundle.import_bundle(data, runs_dir=runs_dir, owner="<b>x</b>")


def test_the_training_script_trains_the_model_with_plain_keras(exported, tmp_path):
    run, data = exported
    script = members(data)["train.py"].decode()
    assert "import cnnviz" not in script and "from cnnviz" not in script
    config = {**run.config, "training": {**run.config["training"], "epochs": 1}}
    script = bundle.training_script(run.spec, config)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        namespace: dict = {"__name__": "__main__"}
        exec(compile(script, "train.py", "exec"), namespace)
    assert namespace["model"].count_params() == run.model().count_params()
    assert len(namespace["history"].history["loss"]) == 1
    assert "test accuracy:" in output.getvalue()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda f: {}, "not a .zip archive"),
        (lambda f: {**f, "evil.py": b"import os"}, "'evil.py', which is not part"),
        (lambda f: {**f, "../spec.json": f["spec.json"]}, "'../spec.json', which is not part"),
        (lambda f: {**f, "model.keras": b"PK"}, "'model.keras', which is not part"),
        (
            lambda f: {k: v for k, v in f.items() if k != "model.weights.h5"},
            "model.weights.h5 is missing",
        ),
        (lambda f: {**f, "cnnviz-bundle.json": b'{"format": "other"}'}, "not a cnnviz bundle"),
        (lambda f: {**f, "config.json": b"[1, 2"}, "config.json in up.zip is not valid JSON"),
        (
            lambda f: {**f, "config.json": json.dumps({"dataset": "digits"}).encode()},
            "needs image_shape",
        ),
        (lambda f: {**f, "history.csv": b"epoch,loss\n0,abc\n"}, "not a table of numbers"),
        (
            lambda f: {**f, "model.weights.h5": b"\x89HDF\r\n\x1a\n garbage"},
            "weights in up.zip do not fit",
        ),
    ],
)
def test_hostile_or_broken_bundles_are_refused_and_leave_no_run(
    exported, runs_dir, change, message
):
    _, data = exported
    files = members(data)
    broken = b"not a zip at all" if not change(files) else zipped(change(files))
    with pytest.raises(CnnvizError, match=message):
        bundle.import_bundle(broken, runs_dir=runs_dir, name="up.zip")
    assert list_runs(runs_dir) == []


def test_weights_of_another_model_do_not_load(exported, runs_dir):
    _, data = exported
    files = members(data)
    spec = json.loads(files["spec.json"])
    spec["layers"][0]["filters"] = 8  # the weights were trained with 32 filters
    with pytest.raises(CnnvizError, match="do not fit its model spec"):
        bundle.import_bundle(
            zipped({**files, "spec.json": json.dumps(spec).encode()}), runs_dir=runs_dir
        )
    spec["layers"][0]["filters"] = -1
    with pytest.raises(SpecError, match="filters"):
        bundle.import_bundle(
            zipped({**files, "spec.json": json.dumps(spec).encode()}), runs_dir=runs_dir
        )
    assert list_runs(runs_dir) == []


def test_oversized_members_are_refused_even_when_the_header_lies(exported, runs_dir, monkeypatch):
    _, data = exported
    files = members(data)
    monkeypatch.setitem(bundle.MEMBER_LIMITS, "history.csv", 100)
    big = zipped({**files, "history.csv": b"epoch,loss\n" + b"0,1.0\n" * 1000})
    with pytest.raises(CnnvizError, match="history.csv in the bundle is larger"):
        bundle.import_bundle(big, runs_dir=runs_dir)
    liar = bytearray(big)  # claim a small size in the central directory
    with zipfile.ZipFile(io.BytesIO(big)) as archive:
        info = archive.getinfo("history.csv")
    central = liar.rfind(b"PK\x01\x02", 0, len(liar))
    while liar[central + 46 : central + 46 + 11] != b"history.csv":
        central = liar.rfind(b"PK\x01\x02", 0, central)
    liar[central + 24 : central + 28] = (50).to_bytes(4, "little")
    assert info.file_size > 100
    with pytest.raises(CnnvizError, match="history.csv"):
        bundle.import_bundle(bytes(liar), runs_dir=runs_dir)
    many = zipped({f"file{i}.txt": b"" for i in range(65)})
    with pytest.raises(CnnvizError, match="holds 65 files; a cnnviz bundle holds at most 7"):
        bundle.import_bundle(many, runs_dir=runs_dir)
    assert list_runs(runs_dir) == []


def test_a_run_still_training_cannot_be_exported(exported, tmp_path):
    run, _ = exported
    run.status = {**run.status, "status": "running"}
    with pytest.raises(CnnvizError, match="still running"):
        bundle.export_bundle(run)


def test_a_bundle_of_a_giant_model_is_refused_before_keras_allocates_it(
    exported, runs_dir, monkeypatch
):
    import cnnviz.build

    def no_building(*args, **kwargs):
        raise AssertionError("a Keras model was built")

    monkeypatch.setattr(cnnviz.build, "build_model", no_building)
    files = members(exported[1])
    giant = json.loads(files["spec.json"])
    giant["layers"][0]["filters"] = 10**9  # Keras would ask for 22 GB and more
    files["spec.json"] = json.dumps(giant).encode()
    with pytest.raises(CnnvizError, match=r"opening the model in up.zip needs about [\d,.]+ TB"):
        bundle.import_bundle(zipped(files), runs_dir=runs_dir, name="up.zip")
    assert list_runs(runs_dir) == []


def test_a_fine_tuned_backbone_travels_as_weights_and_is_rebuilt_from_the_spec(
    tmp_path, runs_dir, monkeypatch
):
    """The bundle carries every trained weight (the backbone's unfrozen block too) and
    no code: the import rebuilds SqueezeNet from the spec and loads them."""
    from cnnviz import presets
    from cnnviz.build import build_model
    from tests.helpers_runs import as_upload, colour_folder, train_run

    spec = presets.get("squeezenet-head").to_dict()
    spec["layers"][0]["trainable_blocks"] = 1
    data = as_upload(colour_folder(tmp_path / "photos", 3, 6), tmp_path / "runs")
    run = train_run(tmp_path / "runs", spec, data, epochs=1, batch_size=6, learning_rate=0.01)

    def refuse(*args, **kwargs):
        raise AssertionError("load_model must never be called on a bundle")

    monkeypatch.setattr(keras.models, "load_model", refuse)
    imported = bundle.import_bundle(bundle.export_bundle(run), runs_dir=runs_dir)
    original, again = run.model(), imported.model()
    for a, b in zip(original.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    imagenet = build_model(run.report(), pretrained=True).get_layer("backbone")
    tuned = again.get_layer("backbone").get_layer("fire9_expand3x3").kernel.numpy()
    assert np.abs(tuned - imagenet.get_layer("fire9_expand3x3").kernel.numpy()).max() > 1e-4
    np.testing.assert_array_equal(  # a frozen block keeps ImageNet's weights
        again.get_layer("backbone").get_layer("conv1").kernel.numpy(),
        imagenet.get_layer("conv1").kernel.numpy(),
    )
