"""The formats a trained model leaves cnnviz in: a registry with one resolver, `get`.

Each model format writes a Keras model with the tool its runtime reads, and runs the
written file back with that runtime (never with Keras), so `cnnviz.export` checks an
export with what will run it:

============  ==============  ========================================  ==================
format        file            written by                                run by
============  ==============  ========================================  ==================
litert        model.tflite    `Model.export(format="litert")`           `tf.lite.Interpreter`
saved_model   saved_model/    `Model.export(format="tf_saved_model")`   `tf.saved_model.load`
onnx          model.onnx      `Model.export(format="onnx")` (tf2onnx)   `onnxruntime`
bundle        the .zip        `cnnviz.bundle.export_bundle`             `cnnviz import`
============  ==============  ========================================  ==================

ONNX needs the optional packages onnx, tf2onnx and onnxruntime (`require` says which are
missing and how to install them). `tf2onnx.convert.from_keras` cannot read Keras 3 models;
Keras's own `Model.export` converts the traced function through tf2onnx instead.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnviz.checks import fail, received
from cnnviz.errors import CnnvizError, did_you_mean

__all__ = ["ALIASES", "FORMATS", "ExportFormat", "get", "require"]

Runner = Callable[[np.ndarray], np.ndarray]  # float32 (N, H, W, C) pixels -> (N, units)
BATCH = 32  # images per call of an exported model while it is checked


@dataclass(frozen=True)
class ExportFormat:
    """One way out of cnnviz.

    Attributes:
        name: the registry key, e.g. "litert".
        title: how people call it, e.g. "LiteRT (TensorFlow Lite)".
        model_file: the model's file or folder inside an export ("" for the bundle,
            which is one .zip of its own).
        runtime: what runs it, for messages and the export's README.
        packages: modules it needs beyond TensorFlow (optional installs).
        write: writes a Keras model taking raw pixels at the given path.
        load: opens a written model with its own runtime; returns a function from
            float32 pixels of shape (N, H, W, C) to outputs of shape (N, units).
        example_imports: the import lines of the README's example.
        example_run: lines of the README's example that set `scores`, shape (units,),
            from `pixels`, float32 of shape (1, H, W, C).
    """

    name: str
    title: str
    model_file: str
    runtime: str
    packages: tuple[str, ...] = ()
    write: Callable[[object, Path], None] | None = None
    load: Callable[[Path], Runner] | None = None
    example_imports: str = ""
    example_run: str = ""


def in_batches(run: Runner, pixels: np.ndarray) -> np.ndarray:
    """`run` over `pixels` BATCH images at a time, the outputs stacked (N, units)."""
    return np.concatenate([run(pixels[i : i + BATCH]) for i in range(0, len(pixels), BATCH)])


# --- LiteRT ---------------------------------------------------------------------------


def _write_litert(model, path: Path) -> None:
    model.export(str(path), format="litert", verbose=False)


def _load_litert(path: Path) -> Runner:
    import tensorflow as tf

    with warnings.catch_warnings():  # its notice that it moves to the ai_edge_litert package
        warnings.simplefilter("ignore")
        interpreter = tf.lite.Interpreter(model_path=str(path))

    def run(pixels: np.ndarray) -> np.ndarray:
        index = interpreter.get_input_details()[0]["index"]
        interpreter.resize_tensor_input(index, pixels.shape)
        interpreter.allocate_tensors()
        interpreter.set_tensor(index, pixels)
        interpreter.invoke()
        return np.array(interpreter.get_tensor(interpreter.get_output_details()[0]["index"]))

    return run


# --- SavedModel -----------------------------------------------------------------------


def _write_saved_model(model, path: Path) -> None:
    model.export(str(path), format="tf_saved_model", verbose=False)


def _load_saved_model(path: Path) -> Runner:
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))
    return lambda pixels: loaded.serve(tf.constant(pixels)).numpy()


# --- ONNX -----------------------------------------------------------------------------


def _write_onnx(model, path: Path) -> None:
    import tensorflow as tf

    spec = model.inputs[0]  # given, as Keras asks it of a model never called on data
    signature = [tf.TensorSpec(spec.shape, spec.dtype, name=spec.name)]
    with warnings.catch_warnings():  # tf2onnx's notes on numpy 2, patched over by Keras
        warnings.simplefilter("ignore")
        model.export(str(path), format="onnx", verbose=False, input_signature=signature)


def _load_onnx(path: Path) -> Runner:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return lambda pixels: session.run(None, {name: pixels})[0]


FORMATS: dict[str, ExportFormat] = {
    "litert": ExportFormat(
        "litert",
        "LiteRT (TensorFlow Lite)",
        "model.tflite",
        "tf.lite.Interpreter",
        write=_write_litert,
        load=_load_litert,
        example_imports="import numpy as np\nimport tensorflow as tf",
        example_run=(
            'interpreter = tf.lite.Interpreter(model_path="model.tflite")\n'
            "interpreter.allocate_tensors()\n"
            'interpreter.set_tensor(interpreter.get_input_details()[0]["index"], pixels)\n'
            "interpreter.invoke()\n"
            'scores = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])[0]'
        ),
    ),
    "saved_model": ExportFormat(
        "saved_model",
        "TensorFlow SavedModel",
        "saved_model",
        "tf.saved_model.load",
        write=_write_saved_model,
        load=_load_saved_model,
        example_imports="import numpy as np\nimport tensorflow as tf",
        example_run=(
            'model = tf.saved_model.load("saved_model")\nscores = model.serve(pixels).numpy()[0]'
        ),
    ),
    "onnx": ExportFormat(
        "onnx",
        "ONNX",
        "model.onnx",
        "onnxruntime",
        packages=("onnx", "tf2onnx", "onnxruntime"),
        write=_write_onnx,
        load=_load_onnx,
        example_imports="import numpy as np\nimport onnxruntime as ort",
        example_run=(
            'session = ort.InferenceSession("model.onnx")\n'
            "scores = session.run(None, {session.get_inputs()[0].name: pixels})[0][0]"
        ),
    ),
    "bundle": ExportFormat("bundle", "cnnviz bundle", "", "python -m cnnviz import"),
}

ALIASES = {"tflite": "litert", "tf_saved_model": "saved_model", "savedmodel": "saved_model"}


def get(identifier: str | ExportFormat) -> ExportFormat:
    """The export format for a name (aliases such as "tflite" accepted, any case).

    Raises:
        ParamError: an unknown name, with the closest known one.
    """
    if isinstance(identifier, ExportFormat):
        return identifier
    key = str(identifier).strip().lower().replace("-", "_")
    key = ALIASES.get(key, key)
    if key in FORMATS:
        return FORMATS[key]
    hint = did_you_mean(key, [*FORMATS, *ALIASES], form=" (did you mean {}?)")
    raise fail("format", f"one of {', '.join(FORMATS)}{hint}", identifier)


def require(fmt: ExportFormat) -> None:
    """Check that the optional packages a format needs can be imported.

    Raises:
        CnnvizError: naming the missing packages and the command that installs them.
    """
    missing = []
    for package in fmt.packages:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                importlib.import_module(package)
        except Exception:  # not installed, or installed broken (a wrong numpy, protobuf)
            missing.append(package)
    if missing:
        others = ", ".join(name for name, f in FORMATS.items() if not f.packages)
        raise CnnvizError(
            f"exporting to {fmt.title} needs the optional packages {', '.join(fmt.packages)}; "
            f"{' and '.join(missing)} cannot be imported here. Install them with "
            f"`pip install {' '.join(fmt.packages)}`, or choose another format ({others}). "
            + received("format", fmt.name)
        )
