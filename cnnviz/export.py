"""A trained run out of cnnviz: LiteRT, SavedModel, ONNX or a bundle, each checked
against Keras before it is written.

An export of a model format is made in four steps, in a temporary folder:

1. the run's Keras model is wrapped to take raw pixels (`pixel_model`: float32 0-255 of
   the training size; the rescaling to 0-1 is inside), and written by the format
   (`cnnviz.export_formats`), with `labels.txt` and a `README.md` beside it
   (`cnnviz.export_readme`);
2. the written file is opened with its own runtime (tf.lite.Interpreter,
   tf.saved_model.load, onnxruntime) and run on the run's test images (up to 256, read
   as `cnnviz.evaluate.run_dataset` reads them, never downloading a dataset);
3. its outputs are compared with the Keras model's (`compare`): more than `TOLERANCE`
   apart, or any answer changed (by `cnnviz.metrics.predicted_classes`), and nothing is
   written: a CnnvizError says what differed;
4. only then is it put in place at once: ``out=DIR`` a folder holding the model,
   labels.txt and README.md; ``out=NAME.zip`` a zip of the same files.

A bundle (`cnnviz.bundle`) is a .zip as before; it is checked by importing it again into
a scratch runs folder and comparing that model's outputs (and weights) with the run's.
`export_archive` gives the same export as zip bytes, for a download button.
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cnnviz import export_formats, files
from cnnviz.checks import received, whole
from cnnviz.errors import CnnvizError
from cnnviz.events import ACTIVE
from cnnviz.export_check import MAX_IMAGES, TOLERANCE, check_images, compare
from cnnviz.export_formats import ExportFormat, in_batches
from cnnviz.export_readme import LABELS_FILE, README_FILE, labels_text, readme

__all__ = [
    "MAX_IMAGES",
    "TOLERANCE",
    "ExportResult",
    "compare",
    "export_archive",
    "export_run",
    "pixel_model",
]


@dataclass(frozen=True)
class ExportResult:
    """What was exported, and how well it matched Keras.

    Attributes:
        path: where it was written (`export_run`), or the file name to save it as
            (`export_archive`).
        format: the format's registry name, e.g. "litert".
        bytes: its size on disk (a folder: the sum of its files).
        max_abs_diff: the largest |exported output - Keras output| on the images checked
            (None: a bundle whose dataset is not on this machine; its weights were
            compared instead).
        argmax_agreement: the share of images with the same answer, in [0, 1] (None
            as above).
        images_checked: the test images the export was run on.
    """

    path: str
    format: str
    bytes: int
    max_abs_diff: float | None
    argmax_agreement: float | None
    images_checked: int

    def to_dict(self) -> dict[str, Any]:
        """The `export --json` document: path, format, bytes, max_abs_diff,
        argmax_agreement, images_checked."""
        return asdict(self)


def export_run(
    run,
    format: str,
    out: str | os.PathLike,
    *,
    epoch: int | None = None,
    max_images: int = MAX_IMAGES,
) -> ExportResult:
    """Export a run's model, checked against Keras, to `out`.

    Args:
        run: a `cnnviz.runs.Run` with a trained model.
        format: "litert", "saved_model", "onnx" or "bundle" (`export_formats.get`).
        out: a folder to create (it may exist if empty), or a file name ending in
            .zip (a bundle is always a .zip).
        epoch: export the weights after this epoch (None: the final model).
        max_images: test images to check it on.

    Returns:
        The ExportResult, with `path` the written folder or file.

    Raises:
        CnnvizError: an unknown format, an `out` that cannot be written, a run still
            training or without weights, a damaged run, missing optional packages, a
            dataset that cannot be read, or an export that does not match Keras. In
            every case nothing is left at `out`.
    """
    fmt = export_formats.get(format)
    target = _checked_out(Path(out), fmt)
    max_images = _ready(run, fmt, epoch, max_images)
    with tempfile.TemporaryDirectory(prefix="cnnviz-export-") as tmp:
        made, check = _make(run, fmt, Path(tmp), epoch, max_images)
        if fmt.name == "bundle" or target.suffix.lower() == ".zip":
            data = made.read_bytes() if fmt.name == "bundle" else _zip(made)
            _write_file(target, data)
            size = len(data)
        else:
            _place_folder(made, target)
            size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    return ExportResult(str(target), fmt.name, size, **check)


def export_archive(
    run, format: str, *, epoch: int | None = None, max_images: int = MAX_IMAGES
) -> tuple[bytes, ExportResult]:
    """A run's model as the bytes of one .zip, checked against Keras (for a download
    button): the files `export_run` writes into a folder, or the bundle itself.

    Returns:
        (the zip's bytes, the ExportResult with `path` the name to save it as, e.g.
        "20261129-193000-digits-small-ab12-litert.zip").

    Raises:
        CnnvizError: as `export_run`.
    """
    fmt = export_formats.get(format)
    max_images = _ready(run, fmt, epoch, max_images)
    with tempfile.TemporaryDirectory(prefix="cnnviz-export-") as tmp:
        made, check = _make(run, fmt, Path(tmp), epoch, max_images)
        data = made.read_bytes() if fmt.name == "bundle" else _zip(made)
    return data, ExportResult(f"{run.id}-{fmt.name}.zip", fmt.name, len(data), **check)


def pixel_model(model):
    """The model taking raw pixels: float32 0-255 of its input shape, rescaled to 0-1
    inside (`cnnviz.data.RESCALE`, as the training pipeline does) before `model`.

    Returns:
        keras.Model from (B, H, W, C) float32 pixels, named "pixels", to `model`'s output.
    """
    import keras

    from cnnviz.data import RESCALE

    pixels = keras.Input(shape=tuple(model.inputs[0].shape[1:]), dtype="float32", name="pixels")
    scaled = keras.layers.Rescaling(RESCALE, name="rescale_to_0_1")(pixels)
    return keras.Model(pixels, model(scaled), name=f"{model.name}_on_pixels")


# --- making it ------------------------------------------------------------------------


def _ready(run, fmt: ExportFormat, epoch: int | None, max_images: int) -> int:
    """What can be refused before any work: returns max_images, checked."""
    if fmt.name == "bundle" and epoch is not None:
        raise CnnvizError(
            "a bundle holds the run's final model and its history; the weights of one "
            "epoch can be exported as litert, saved_model or onnx. " + received("epoch", epoch)
        )
    if run.state in ACTIVE:
        raise CnnvizError(f"run {run.id} is still {run.state}; export it once it has ended")
    export_formats.require(fmt)
    return whole(max_images, "max_images", low=1, what="test images to check the export on")


def _make(
    run, fmt: ExportFormat, tmp: Path, epoch: int | None, max_images: int
) -> tuple[Path, dict[str, Any]]:
    """The export made and checked in `tmp`: (its folder, or the bundle's file; the
    check's max_abs_diff, argmax_agreement and images_checked)."""
    if fmt.name == "bundle":
        return _make_bundle(run, tmp, max_images)
    from cnnviz.data import rescale
    from cnnviz.forward import predict_outputs

    model = run.model(epoch)
    images = check_images(run, max_images)
    expected = predict_outputs(model, rescale(images))
    folder = tmp / "export"
    folder.mkdir()
    what = f"the {fmt.title} export of run {run.id}"
    try:
        fmt.write(pixel_model(model), folder / fmt.model_file)
        exported = in_batches(fmt.load(folder / fmt.model_file), images.astype(np.float32))
    except Exception as err:  # a converter or runtime that cannot take this model
        reason = (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
        raise CnnvizError(
            f"{what} failed ({reason}); the other formats may work. " + received("format", fmt.name)
        ) from None
    diff, agreement = compare(expected, exported, what=what)
    check = {"max_abs_diff": diff, "argmax_agreement": agreement, "images_checked": len(images)}
    (folder / LABELS_FILE).write_text(labels_text(run.config["class_names"]), encoding="utf-8")
    text = readme(
        fmt,
        run_id=run.id,
        model_name=run.spec.name,
        config=run.config,
        units=int(expected.shape[-1]),
        check=check,
    )
    (folder / README_FILE).write_text(text, encoding="utf-8")
    return folder, check


def _make_bundle(run, tmp: Path, max_images: int) -> tuple[Path, dict[str, Any]]:
    """The bundle, imported again into a scratch runs folder: the same weights, and on
    the test images (when its dataset is on this machine) the same outputs."""
    from cnnviz.bundle import export_bundle, import_bundle
    from cnnviz.data import rescale
    from cnnviz.forward import predict_outputs

    path = tmp / "bundle.zip"
    path.write_bytes(export_bundle(run))
    copy = import_bundle(path, runs_dir=tmp / "runs", name=f"the bundle of run {run.id}")
    model, reloaded = run.model(), copy.model()
    weights, kept = model.get_weights(), reloaded.get_weights()
    if len(weights) != len(kept) or not all(
        a.shape == b.shape and np.array_equal(a, b) for a, b in zip(weights, kept)
    ):
        raise CnnvizError(
            f"the bundle of run {run.id} does not hold the run's weights; nothing was written"
        )
    images = check_images(run, max_images, required=False)
    if images is None:
        return path, {"max_abs_diff": None, "argmax_agreement": None, "images_checked": 0}
    diff, agreement = compare(
        predict_outputs(model, rescale(images)),
        predict_outputs(reloaded, rescale(images)),
        what=f"the bundle of run {run.id}",
    )
    check = {"max_abs_diff": diff, "argmax_agreement": agreement, "images_checked": len(images)}
    return path, check


# --- putting it in place --------------------------------------------------------------


def _checked_out(out: Path, fmt: ExportFormat) -> Path:
    """`out`, refused before any work when it cannot take the export."""
    as_zip = fmt.name == "bundle" or out.suffix.lower() == ".zip"
    shown = received("out", str(out))
    if not str(out).strip():
        raise CnnvizError(
            f"give the export a place: a folder, or a file name ending in .zip. {shown}"
        )
    if as_zip and out.is_dir():
        raise CnnvizError(f"{out} is a folder; give a file name, e.g. {out / 'model.zip'}. {shown}")
    if as_zip and out.suffix.lower() != ".zip":
        raise CnnvizError(f"a bundle's out must end in .zip (a bundle is a .zip archive). {shown}")
    if not as_zip and (out.is_file() or (out.is_dir() and _has_files(out))):
        raise CnnvizError(
            f"{out} already exists; give a new folder name, or a file name ending in .zip. {shown}"
        )
    if not out.parent.is_dir():
        raise CnnvizError(
            f"cannot write {out}: the folder {out.parent} does not exist; create it first. {shown}"
        )
    return out


def _has_files(folder: Path) -> bool:
    try:
        return any(folder.iterdir())
    except OSError:
        return True


def _zip(folder: Path) -> bytes:
    """The folder's files (and sub-folders) as one zip, paths relative to it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            zf.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def _write_file(out: Path, data: bytes) -> None:
    try:
        files.write_bytes(out, data)
    except OSError as err:
        raise CnnvizError(f"cannot write {out}: {err.strerror or err}") from None


def _place_folder(folder: Path, out: Path) -> None:
    """`folder` copied beside `out`, then renamed to it: no half of it is ever at `out`."""
    part = out.with_name(f".{out.name}.{secrets.token_hex(4)}.part")
    try:
        shutil.copytree(folder, part)
        os.replace(part, out)
    except OSError as err:
        raise CnnvizError(f"cannot write {out}: {err.strerror or err}") from None
    finally:
        shutil.rmtree(part, ignore_errors=True)
