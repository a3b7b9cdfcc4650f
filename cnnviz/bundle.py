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
anything from the bundle, so no code or architecture from the file is ever run. Its
dataset must be one a desk may open from outside (`cnnviz.origins.check_origin`: a
built-in set, `tfds:NAME`, or an upload, then looked for among the importing desk's own
uploads); a bundle naming a folder of the server is refused. An export names no path of
the server (`cnnviz.origins.exported_config`).
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

from cnnviz import archive, files, memory, quota, rundir, runstatus
from cnnviz.checks import desk_name
from cnnviz.codegen import training_script
from cnnviz.errors import CnnvizError
from cnnviz.events import ACTIVE, ENDED
from cnnviz.files import now_iso
from cnnviz.json_input import parse_json
from cnnviz.metrics import ClassificationMetrics
from cnnviz.origins import check_origin, exported_config, without_paths
from cnnviz.rundir import HISTORY_FILE, METRICS_FILE
from cnnviz.runs import Run, trained_config
from cnnviz.spec import ModelSpec, validate

__all__ = ["BUNDLE_FORMAT", "MAX_BUNDLE_BYTES", "export_bundle", "import_bundle"]

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
NOT_A_BUNDLE = "; choose a bundle exported by cnnviz"
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
    config = exported_config(run.config)  # no path of this server leaves it
    status = {k: run.status[k] for k in KEPT_STATUS if k in run.status}
    if isinstance(status.get("message"), str):
        status["message"] = without_paths(status["message"], run.dir.parent)
    manifest = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "run_id": run.id,
        "exported": now_iso(),
        "status": status,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, json.dumps(manifest, indent=2))
        zf.writestr("spec.json", run.spec.to_json())
        zf.writestr("config.json", json.dumps(config, indent=2))
        zf.writestr(WEIGHTS, _weights_bytes(model))
        zf.writestr(SCRIPT, training_script(run.spec, config))
        for name in (HISTORY_FILE, METRICS_FILE):
            if (run.dir / name).is_file():
                zf.write(run.dir / name, name)
    return buffer.getvalue()


def _weights_bytes(model) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, WEIGHTS)
        model.save_weights(path)
        return path.read_bytes()


# --- import -------------------------------------------------------------------------


def import_bundle(
    data: bytes | os.PathLike,
    *,
    runs_dir: str | os.PathLike | None = None,
    name: str = "the bundle",
    owner: str | None = None,
) -> Run:
    """Add the run in a bundle to the runs directory, as a new run.

    Args:
        data: the bundle's bytes (a .zip written by `export_bundle`), or its file's
            path (then it is read member by member, never whole).
        runs_dir: the runs root (default $CNNVIZ_RUNS_DIR, else ./runs).
        name: how to call the bundle in messages (e.g. the uploaded file's name).
        owner: the desk importing it, whose run it becomes (None: no desk's).

    Returns:
        The new run: a fresh id, config["owner"] the importing desk (none without
        one: the bundle's desk was another server's), config["imported_from"] naming
        the original run and config["data_dir"] cleared (it was a folder on the machine
        the run came from).

    Raises:
        CnnvizError: not a bundle, unknown or oversized members, an invalid spec or
            config, a dataset a bundle may not name, weights that do not fit the spec,
            no room left in the desk's disk quota, or a runs folder that cannot be
            written.
    """
    rundir.checked_root(runs_dir, create=True)  # a read-only runs folder: say so first
    source = bytes(data) if isinstance(data, (bytes, bytearray)) else Path(data)
    size = _check_size(source, name)
    owner = None if owner is None else desk_name(owner, "owner")
    quota.check_quota(owner, runs_dir=runs_dir, adding=size, doing=name)
    with archive.open_zip(source, MAX_MEMBERS, name=name, hint=NOT_A_BUNDLE) as zf:
        infos = _members(zf, name)
        members = {
            member: archive.read_member(
                zf, info, max_bytes=MEMBER_LIMITS[member], name=f"{member} in {name}"
            )
            for member, info in infos.items()
            if member != WEIGHTS
        }
        manifest = _json_member(members, MANIFEST, name)
        if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
            raise CnnvizError(f"{name} is a .zip but not a cnnviz bundle (no valid {MANIFEST})")
        spec = ModelSpec.from_dict(_json_member(members, "spec.json", name))
        config = trained_config(
            _json_member(members, "config.json", name), f"config.json in {name}"
        )
        config["dataset"] = check_origin(config["dataset"], where=f"config.json in {name}")
        report = validate(
            spec, input_shape=config["image_shape"], num_classes=config["num_classes"]
        )
        memory.check_fits(  # a hostile spec of 1e9 filters: refused before Keras allocates
            memory.model_memory(report),
            memory.free_memory(),
            doing=f"opening the model in {name}",
            fix="It is too large for this machine; choose a smaller model",
        )
        history = _history_rows(members.get(HISTORY_FILE), name)
        metrics = _metrics(members, name)
        with tempfile.TemporaryDirectory() as tmp:
            weights = Path(tmp, WEIGHTS)
            limit = weights_limit(report.total_params)
            with open(weights, "wb") as out:
                _too_large(infos[WEIGHTS], limit, name)
                archive.read_member(
                    zf, infos[WEIGHTS], max_bytes=limit, name=f"{WEIGHTS} in {name}", into=out
                )
            model = _model_with_weights(report, weights, name)
    origin = manifest.get("run_id")
    config = {
        **{k: v for k, v in config.items() if k != "owner"},  # a desk of another server
        "data_dir": None,  # a cache folder of the machine it came from
        **({"owner": owner} if owner else {}),  # the desk that imported it
        "imported_from": str(origin) if origin else None,
        "imported": now_iso(),
    }
    status = _status_fields(manifest.get("status"))
    run_dir = rundir.create(
        spec.to_dict(), config, runs_dir=runs_dir, status="running", message="importing a bundle"
    )
    try:
        rundir.save_model(run_dir, model)
        if history is not None:
            _write_history(run_dir / HISTORY_FILE, history)
        if metrics is not None:
            files.write_json(run_dir / METRICS_FILE, metrics.to_dict())
        word = status.pop("status", "completed")
        message = status.pop("message", "") or f"imported from {name}"
        runstatus.write_status(run_dir, word, message, **status)
    except OSError as err:  # a full disk: nothing half-imported is left
        shutil.rmtree(run_dir, ignore_errors=True)
        raise CnnvizError(rundir.cannot_write(err, run_dir)) from None
    except BaseException:
        shutil.rmtree(run_dir, ignore_errors=True)
        raise
    return Run.read(run_dir)


def weights_limit(total_params: int) -> int:
    """The largest weights file a model of `total_params` weights can need: float32
    values, twice over, plus room for the file's own structure."""
    return min(MEMBER_LIMITS[WEIGHTS], 8 * int(total_params) + 4 * 2**20)


def _check_size(data: bytes | Path, name: str) -> int:
    """The bundle's size in bytes, once checked."""
    if isinstance(data, Path):
        if data.is_dir():
            raise CnnvizError(f"{data} is a folder; choose a .zip bundle exported by cnnviz")
        try:
            size = data.stat().st_size
        except OSError:
            raise CnnvizError(
                f"no such file: {data}; choose a .zip bundle exported by cnnviz"
            ) from None
    else:
        size = len(data)
    if not size:
        raise CnnvizError(f"{name} is empty; choose a .zip bundle exported by cnnviz")
    if size > MAX_BUNDLE_BYTES:
        raise CnnvizError(
            f"{name} is {size / 2**20:,.0f} MiB, more than the "
            f"{MAX_BUNDLE_BYTES // 2**20:,} MiB a bundle may be"
        )
    try:
        if isinstance(data, Path):
            with open(data, "rb") as handle:
                count = archive.member_count(handle)
        else:
            count = archive.member_count(data)
    except OSError as err:
        raise CnnvizError(f"cannot read {name}: {err.strerror or err}") from None
    if count is not None and count > MAX_MEMBERS:
        raise CnnvizError(
            f"{name} holds {count:,} files; a cnnviz bundle "
            f"holds at most {len(MEMBER_LIMITS)}: {', '.join(MEMBER_LIMITS)}"
        )
    return size


def _too_large(info: zipfile.ZipInfo, limit: int, name: str) -> None:
    if info.file_size > limit:
        raise CnnvizError(
            f"{info.filename} in {name} is larger than the {limit / 2**20:g} MiB allowed"
        )


def _members(zf: zipfile.ZipFile, name: str) -> dict[str, zipfile.ZipInfo]:
    """The bundle's members by name: only known ones, once each, none too large."""
    members: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        if info.filename not in MEMBER_LIMITS or info.filename in members:
            raise CnnvizError(
                f"{name} holds {info.filename!r}, which is not part of a cnnviz "
                f"bundle (allowed, once each: {', '.join(MEMBER_LIMITS)})"
            )
        _too_large(info, MEMBER_LIMITS[info.filename], name)
        members[info.filename] = info
    missing = [m for m in REQUIRED if m not in members]
    if missing:
        raise CnnvizError(f"{name} is not a complete cnnviz bundle: {missing[0]} is missing")
    return members


def _json_member(members: dict[str, bytes], member: str, name: str) -> Any:
    return parse_json(members[member], f"{member} in {name}")


def _model_with_weights(report, path: Path, name: str):
    from cnnviz.build import build_model

    model = build_model(report)
    try:
        with warnings.catch_warnings():  # a mismatch raises below; its warnings repeat it
            warnings.simplefilter("ignore")
            model.load_weights(path)
    except Exception as err:  # h5py and Keras raise many kinds for a bad file
        reason = str(err).splitlines()[0][:200] if str(err) else type(err).__name__
        raise CnnvizError(f"the weights in {name} do not fit its model spec ({reason})") from None
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
    if status.get("status") in ENDED:
        kept["status"] = status["status"]
    if isinstance(status.get("message"), str):
        kept["message"] = status["message"][:500]
    for key in KEPT_STATUS[2:]:
        value = status.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            kept[key] = value
    return kept
