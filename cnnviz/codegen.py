"""Runnable Keras code for a checked spec, and the training script a bundle carries.

Both come from one template: the model as `keras.Sequential([...])` (only values that
passed validation are written: numbers, booleans and strings from fixed lists), then
either `model.summary()` (`to_keras_code`) or the data, the lab's Rescaling(1./255)
pipeline, compile and fit (`training_script`). A pretrained backbone is written as the
call of its builder, whose source (`cnnviz.backbone_keras`, plain Keras) the script
carries: SqueezeNet reads ndf's weights through the same allow-list unpickler, MobileNetV2
lets Keras fetch its ImageNet weights.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from cnnviz import backbone_keras, layers
from cnnviz.build import safe_name
from cnnviz.data.uploaded import stored_label
from cnnviz.head import head_of
from cnnviz.plan import OPTIMIZERS, TrainConfig, optimizer_settings
from cnnviz.spec import ModelSpec, Report, validate

__all__ = ["to_keras_code", "training_script"]


def _literal(value: Any) -> str:
    """Python source for a checked value (int, float, bool, str, tuples of them)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        if not re.fullmatch(r"[A-Za-z0-9_]+", value):
            raise ValueError(f"refusing to write an unchecked string: {value!r}")
        return f'"{value}"'
    if isinstance(value, tuple):
        inner = ", ".join(_literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    raise ValueError(f"refusing to write an unchecked value: {value!r}")


_PRETRAINED = {"squeezenet": "ndf", "mobilenet_v2": "imagenet"}  # the builders' `weights`


def _backbone_call(row) -> str:
    name = row.params["name"]
    return (
        f"{name}_backbone({_literal(tuple(row.input_shape))}, "
        f"trainable_blocks={row.params['trainable_blocks']}, weights={_literal(_PRETRAINED[name])})"
    )


def _backbone_sources(report: Report) -> tuple[list[str], list[str]]:
    """(the imports, the source of every builder) the model's backbones need."""
    needed: dict[Any, None] = {}
    for row in report.rows:
        if row.type == layers.BACKBONE:
            needed.update(dict.fromkeys(backbone_keras.SOURCES[row.params["name"]]))
    imports = ["import pickle", ""] if backbone_keras.AllowListUnpickler in needed else []
    return imports, [*("\n" + inspect.getsource(obj) for obj in needed), ""] if needed else []


def _layer_call(row) -> str:
    if row.type == layers.BACKBONE:
        return _backbone_call(row)
    kind = layers.get(row.type)
    args = []
    for key, value in row.params.items():
        param = kind.params[key]
        if value == param.default and not param.keras_requires:
            continue
        args.append(f"{key}={_literal(value)}")
    return f"layers.{row.type}({', '.join(args)})"


_MAIN = """
if __name__ == "__main__":
    model.summary()
"""

_TRAINING = """
# --- data: uint8 images rescaled to [0, 1], as the lab's Rescaling(1./255) ---
import tensorflow as tf

{data}
rescale = layers.Rescaling(1.0 / 255)
train = train.map(lambda x, y: (rescale(tf.image.resize(x, {size})), y))
test = test.map(lambda x, y: (rescale(tf.image.resize(x, {size})), y))
train = train.cache().shuffle(1000).batch({batch}).prefetch(tf.data.AUTOTUNE)
test = test.batch({batch}).prefetch(tf.data.AUTOTUNE)

# --- training ---
model.compile(optimizer=keras.optimizers.{optimizer}, loss="{loss}", metrics=["accuracy"])
history = model.fit(train, validation_data=test, epochs={epochs}, shuffle=False)  # shuffled above
print("test accuracy:", model.evaluate(test, return_dict=True)["accuracy"])
"""

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
    "upload": """# the images of {upload}, unzipped beside this file
train, test = keras.utils.image_dataset_from_directory(
    {name!r}, validation_split=0.2, subset="both", seed=0, image_size={size!r},
    batch_size=None, color_mode={mode!r})
""",
}


def _script(report: Report, tail: str) -> str:
    """The one template: a docstring, the model, then `tail`."""
    if report.error is not None:
        raise report.error
    name = safe_name(report.spec.name)
    imports, builders = _backbone_sources(report)
    lines = [
        f'"""The "{name}" model, written by cnnviz as plain Keras code.',
        "",
        "Run it with `python this_file.py`.",
        '"""',
        "",
        *imports,
        "import keras",
        "from keras import layers",
        "",
        *builders,
        "model = keras.Sequential(",
        "    [",
        f"        keras.Input(shape={_literal(tuple(report.input_shape))}),",
        *(f"        {_layer_call(row)}," for row in report.rows),
        "    ],",
        f'    name="{name}",',
        ")",
    ]
    return "\n".join(lines) + "\n" + tail


def to_keras_code(report: Report) -> str:
    """A runnable Python script that builds the same model with plain Keras.

    Args:
        report: a Report from `validate` with no error.

    Returns:
        Source code: imports, `keras.Sequential([...])` and `model.summary()`.
    """
    return _script(report, _MAIN)


def _optimizer_call(config: TrainConfig) -> str:
    settings = ", ".join(f"{k}={float(v)!r}" for k, v in optimizer_settings(config).items())
    return f"{OPTIMIZERS[config.optimizer].keras_class}({settings})"


def training_script(spec: ModelSpec, config: dict[str, Any]) -> str:
    """A plain Keras script that builds the run's model and trains it as cnnviz did.

    Args:
        spec: the model spec.
        config: the run's config (dataset, image_shape, num_classes, training).

    Returns:
        Python source: the model (as `to_keras_code` writes it), the data, the lab's
        Rescaling(1./255) pipeline, compile and fit.
    """
    report = validate(
        spec, input_shape=config.get("image_shape"), num_classes=config.get("num_classes")
    )
    training = TrainConfig.from_dict(config.get("training") or {})
    dataset = str(config.get("dataset", ""))
    kind, _, rest = dataset.partition(":")
    height, width, channels = report.input_shape
    if kind in _DATA_CODE:
        upload = stored_label(rest)  # an upload by the name it was uploaded as
        data = _DATA_CODE[kind].format(
            name=upload.removesuffix(".zip") if kind == "upload" else rest,
            upload=upload,
            size=(height, width),
            mode="grayscale" if channels == 1 else "rgb",
        )
    else:
        message = (
            f"cnnviz generated the dataset {dataset!r} itself: load your own images here "
            "as tf.data datasets `train` and `test` of (image, label) pairs"
        )
        data = f"raise SystemExit({message!r})\n"
    tail = _TRAINING.format(
        data=data,
        size=[height, width],
        batch=training.batch_size,
        optimizer=_optimizer_call(training),
        loss=head_of(report, int(config["num_classes"])).loss,
        epochs=training.epochs,
    )
    return _script(report, tail)
