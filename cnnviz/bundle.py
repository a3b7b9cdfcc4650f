"""A run as one .zip to take away or share: spec, config, weights, history, script.

Members of a bundle (no others are accepted on import)::

    cnnviz-bundle.json   {"format": "cnnviz-bundle", "version": 1, "run_id", "status", ...}
    spec.json            the model spec as trained
    config.json          dataset, classes, input shape, hyper-parameters
    model.weights.h5     the trained weights (Keras `save_weights`)
    history.csv          per-epoch metrics (optional)
    metrics.json         test metrics and confusion matrix (optional)
    train.py             a plain Keras script that builds and trains the model

A bundle a user uploads is untrusted. Import reads only the member names above, each
with a size cap (read with a bounded read, whatever the zip header claims), validates
the spec against the config's input shape and classes, rebuilds the model from the
spec and loads the weights into it. It never calls `keras.models.load_model` on
anything from the bundle, so no code or architecture from the file is ever run.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

from cnnviz.build import to_keras_code
from cnnviz.errors import CnnvizError
from cnnviz.metrics import ClassificationMetrics
from cnnviz.runs import (
    ACTIVE,
    HISTORY_FILE,
    METRICS_FILE,
    MODEL_FILE,
    Run,
    create_run,
    now_iso,
    write_json,
    write_status,
)
from cnnviz.spec import ModelSpec, head_of, validate

__all__ = ["BUNDLE_FORMAT", "MAX_BUNDLE_BYTES", "export_bundle", "import_bundle", "training_script"]

BUNDLE_FORMAT = "cnnviz-bundle"
BUNDLE_VERSION = 1
MANIFEST, WEIGHTS, SCRIPT = "cnnviz-bundle.json", "model.weights.h5", "train.py"
MAX_BUNDLE_BYTES = 1 * 2**30  # a whole bundle: 1 GiB
MEMBER_LIMITS = {  # the only members accepted, with their largest uncompressed size
    MANIFEST: 64 * 2**10,
    "spec.json": 1 * 2**20,
    "config.json": 1 * 2**20,
    WEIGHTS: 1 * 2**30,
    HISTORY_FILE: 8 * 2**20,
    METRICS_FILE: 16 * 2**20,
    SCRIPT: 1 * 2**20,
}
MAX_MEMBERS = 64  # zip entries looked at before refusing (a bundle has at most 7)
REQUIRED = (MANIFEST, "spec.json", "config.json", WEIGHTS)
KEPT_STATUS = (
    "status",
    "message",
    "test_accuracy",
    "epochs_completed",
    "fit_seconds",
    "images_per_second",
)


# --- export -------------------------------------------------------------------------


def export_bundle(run: Run) -> bytes:
    """A finished run as the bytes of one .zip bundle.

    Raises:
        CnnvizError: the run is still training or saved no model.
    """
    if run.state in ACTIVE:
        raise CnnvizError(f"run {run.id} is still {run.state}; export it once it has ended")
    model = run.model()
    manifest = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "run_id": run.id,
        "exported": now_iso(),
        "status": {k: run.status[k] for k in KEPT_STATUS if k in run.status},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
        archive.writestr("spec.json", run.spec.to_json())
        archive.writestr("config.json", json.dumps(run.config, indent=2))
        archive.writestr(WEIGHTS, _weights_bytes(model))
        archive.writestr(SCRIPT, training_script(run.spec, run.config))
        for name in (HISTORY_FILE, METRICS_FILE):
            if (run.dir / name).is_file():
                archive.write(run.dir / name, name)
    return buffer.getvalue()


def _weights_bytes(model) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, WEIGHTS)
        model.save_weights(path)
        return path.read_bytes()


# --- import -------------------------------------------------------------------------


def import_bundle(
    data: bytes, *, runs_dir: str | os.PathLike | None = None, name: str = "the bundle"
) -> Run:
    """Add the run in a bundle to the runs directory, as a new run.

    Args:
        data: the bundle's bytes (a .zip written by `export_bundle`).
        runs_dir: the runs root (default $CNNVIZ_RUNS_DIR, else ./runs).
        name: how to call the bundle in messages (e.g. the uploaded file's name).

    Returns:
        The new run: a fresh id, config["imported_from"] naming the original run and
        config["data_dir"] cleared (it was a folder on the machine the run came from).

    Raises:
        CnnvizError: not a bundle, unknown or oversized members, an invalid spec or
            config, or weights that do not fit the spec.
    """
    members = _read_members(data, name)
    manifest = _json_member(members, MANIFEST, name)
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        raise CnnvizError(f"{name} is a .zip but not a cnnviz bundle (no valid {MANIFEST})")
    spec = ModelSpec.from_dict(_json_member(members, "spec.json", name))
    config = _checked_config(_json_member(members, "config.json", name), name)
    report = validate(spec, input_shape=config["image_shape"], num_classes=config["num_classes"])
    model = _model_with_weights(report, members[WEIGHTS], name)
    history = _history_rows(members.get(HISTORY_FILE), name)
    metrics = _metrics(members, name)
    origin = manifest.get("run_id")
    config = {
        **config,
        "data_dir": None,  # a cache folder of the machine it came from
        "imported_from": str(origin) if origin else None,
        "imported": now_iso(),
    }
    status = _status_fields(manifest.get("status"))
    run = create_run(
        spec, config, runs_dir=runs_dir, status="running", message="importing a bundle"
    )
    try:
        model.save(run.dir / MODEL_FILE)
        if history is not None:
            _write_history(run.dir / HISTORY_FILE, history)
        if metrics is not None:
            write_json(run.dir / METRICS_FILE, metrics.to_dict())
        word = status.pop("status", "completed")
        message = status.pop("message", "") or f"imported from {name}"
        write_status(run.dir, word, message, **status)
    except BaseException:
        shutil.rmtree(run.dir, ignore_errors=True)
        raise
    return Run.read(run.dir)


def _read_members(data: bytes, name: str) -> dict[str, bytes]:
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise CnnvizError(f"{name} is empty; choose a .zip bundle exported by cnnviz")
    if len(data) > MAX_BUNDLE_BYTES:
        raise CnnvizError(
            f"{name} is {len(data) / 2**20:,.0f} MiB, more than the "
            f"{MAX_BUNDLE_BYTES // 2**20:,} MiB a bundle may be"
        )
    not_zip = CnnvizError(f"{name} is not a .zip archive; choose a bundle exported by cnnviz")
    stream = io.BytesIO(data)
    end = zipfile._EndRecData(stream)  # the member count, before the list is parsed
    if not end:
        raise not_zip
    if end[zipfile._ECD_ENTRIES_TOTAL] > MAX_MEMBERS:
        raise CnnvizError(
            f"{name} holds {end[zipfile._ECD_ENTRIES_TOTAL]:,} files; a cnnviz bundle "
            f"holds at most {len(MEMBER_LIMITS)}: {', '.join(MEMBER_LIMITS)}"
        )
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise not_zip from None
    with archive:
        members: dict[str, bytes] = {}
        for info in archive.infolist():
            if info.filename not in MEMBER_LIMITS or info.filename in members:
                raise CnnvizError(
                    f"{name} holds {info.filename!r}, which is not part of a cnnviz "
                    f"bundle (allowed, once each: {', '.join(MEMBER_LIMITS)})"
                )
            members[info.filename] = _bounded_read(archive, info, name)
    missing = [m for m in REQUIRED if m not in members]
    if missing:
        raise CnnvizError(f"{name} is not a complete cnnviz bundle: {missing[0]} is missing")
    return members


def _bounded_read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    limit = MEMBER_LIMITS[info.filename]
    too_big = CnnvizError(
        f"{info.filename} in {name} is larger than the {limit / 2**20:g} MiB allowed"
    )
    if info.file_size > limit:
        raise too_big
    try:
        with archive.open(info) as member:
            content = member.read(limit + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as err:
        raise CnnvizError(f"{info.filename} in {name} cannot be read ({err})") from None
    if len(content) > limit:
        raise too_big
    return content


def _json_member(members: dict[str, bytes], member: str, name: str) -> Any:
    try:
        return json.loads(members[member].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise CnnvizError(f"{member} in {name} is not valid JSON ({err})") from None


def _checked_config(config: Any, name: str) -> dict[str, Any]:
    """The config, with the keys the model needs checked for type."""
    if not isinstance(config, dict):
        raise CnnvizError(f"config.json in {name} must be a JSON object")
    shape, classes, names = (config.get(k) for k in ("image_shape", "num_classes", "class_names"))
    ok_shape = (
        isinstance(shape, list)
        and len(shape) == 3
        and all(isinstance(v, int) and not isinstance(v, bool) for v in shape)
    )
    ok_classes = isinstance(classes, int) and not isinstance(classes, bool) and classes >= 2
    ok_names = isinstance(names, list) and all(isinstance(n, str) for n in names)
    if not (ok_shape and ok_classes and ok_names and len(names) == classes):
        raise CnnvizError(
            f"config.json in {name} needs image_shape [height, width, channels], "
            f"num_classes (2 or more) and that many class_names; received "
            f"image_shape={shape!r}, num_classes={classes!r}, "
            f"class_names={str(names)[:80]}"
        )
    if not isinstance(config.get("dataset"), str):
        raise CnnvizError(f"config.json in {name} does not name its dataset")
    return config


def _model_with_weights(report, weights: bytes, name: str):
    from cnnviz.build import build_model

    model = build_model(report)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, WEIGHTS)
        path.write_bytes(weights)
        try:
            with warnings.catch_warnings():  # a mismatch raises below; its warnings repeat it
                warnings.simplefilter("ignore")
                model.load_weights(path)
        except Exception as err:  # h5py and Keras raise many kinds for a bad file
            reason = str(err).splitlines()[0][:200] if str(err) else type(err).__name__
            raise CnnvizError(
                f"the weights in {name} do not fit its model spec ({reason})"
            ) from None
    return model


def _history_rows(data: bytes | None, name: str) -> list[dict[str, float]] | None:
    """history.csv as rows of numbers (epoch plus metric columns)."""
    if data is None:
        return None
    try:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
        return [{str(k): float(v) for k, v in row.items() if k} for row in rows]
    except (UnicodeDecodeError, ValueError, TypeError, csv.Error) as err:
        raise CnnvizError(f"{HISTORY_FILE} in {name} is not a table of numbers ({err})") from None


def _write_history(path: Path, rows: list[dict[str, float]]) -> None:
    columns = list(rows[0]) if rows else ["epoch"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (int(v) if k == "epoch" else v) for k, v in row.items()})


def _metrics(members: dict[str, bytes], name: str) -> ClassificationMetrics | None:
    if METRICS_FILE not in members:
        return None
    return ClassificationMetrics.from_dict(_json_member(members, METRICS_FILE, name))


def _status_fields(status: Any) -> dict[str, Any]:
    """The original run's ending (status word, accuracy, timings), type-checked."""
    if not isinstance(status, dict):
        return {}
    kept: dict[str, Any] = {}
    if status.get("status") in ("completed", "stopped", "failed", "interrupted"):
        kept["status"] = status["status"]
    if isinstance(status.get("message"), str):
        kept["message"] = status["message"][:500]
    for key in KEPT_STATUS[2:]:
        value = status.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            kept[key] = value
    return kept


# --- the training script ------------------------------------------------------------

_DATA_CODE = {
    "tfds": """import tensorflow_datasets as tfds

(train, test), info = tfds.load({name!r}, split=["train", "test"], as_supervised=True,
                                with_info=True)
""",
    "digits": """from sklearn.datasets import load_digits

digits = load_digits()
images = (digits.images * (255 / 16)).round().astype("uint8")[..., None]
labels = digits.target
split = int(len(images) * 0.8)
train = tf.data.Dataset.from_tensor_slices((images[:split], labels[:split]))
test = tf.data.Dataset.from_tensor_slices((images[split:], labels[split:]))
""",
    "folder": """train, test = keras.utils.image_dataset_from_directory(
    {name!r}, validation_split=0.2, subset="both", seed=0, image_size={size!r},
    batch_size=None, color_mode={mode!r})
""",
}


_OPTIMIZER_CODE = {
    "adam": "Adam(learning_rate={rate!r})",
    "rmsprop": "RMSprop(learning_rate={rate!r})",
    "sgd": "SGD(learning_rate={rate!r}, momentum={momentum!r})",
}


def training_script(spec: ModelSpec, config: dict[str, Any]) -> str:
    """A plain Keras script that builds the run's model and trains it as cnnviz did.

    Args:
        spec: the model spec.
        config: the run's config (dataset, image_shape, num_classes, training).

    Returns:
        Python source: the model (as `cnnviz code` writes it), the data, the lab's
        Rescaling(1./255) pipeline, compile and fit.
    """
    report = validate(
        spec, input_shape=config.get("image_shape"), num_classes=config.get("num_classes")
    )
    model_code = to_keras_code(report).split('if __name__ == "__main__":')[0].rstrip()
    training = config.get("training") or {}
    dataset = str(config.get("dataset", ""))
    kind, _, rest = dataset.partition(":")
    height, width, channels = report.input_shape
    if kind in _DATA_CODE:
        data = _DATA_CODE[kind].format(
            name=rest, size=(height, width), mode="grayscale" if channels == 1 else "rgb"
        )
    else:
        message = (
            f"cnnviz generated the dataset {dataset!r} itself: load your own images here "
            "as tf.data datasets `train` and `test` of (image, label) pairs"
        )
        data = f"raise SystemExit({message!r})\n"
    loss = head_of(report, int(config["num_classes"])).loss
    epochs, batch = int(training.get("epochs", 10)), int(training.get("batch_size", 32))
    template = _OPTIMIZER_CODE.get(str(training.get("optimizer")), _OPTIMIZER_CODE["adam"])
    optimizer = template.format(
        rate=float(training.get("learning_rate", 0.001)),
        momentum=float(training.get("momentum", 0.9)),
    )
    return f'''{model_code}

# --- data: uint8 images rescaled to [0, 1], as the lab's Rescaling(1./255) ---
import tensorflow as tf

{data}
rescale = layers.Rescaling(1.0 / 255)
train = train.map(lambda x, y: (rescale(tf.image.resize(x, {[height, width]})), y))
test = test.map(lambda x, y: (rescale(tf.image.resize(x, {[height, width]})), y))
train = train.cache().shuffle(1000).batch({batch}).prefetch(tf.data.AUTOTUNE)
test = test.batch({batch}).prefetch(tf.data.AUTOTUNE)

# --- training ---
model.compile(optimizer=keras.optimizers.{optimizer}, loss="{loss}", metrics=["accuracy"])
history = model.fit(train, validation_data=test, epochs={epochs}, shuffle=False)  # shuffled above
print("test accuracy:", model.evaluate(test, return_dict=True)["accuracy"])
'''
