"""Named model specs: every model of the CNN lab, classics, fast defaults, and a small
head on each pretrained backbone (`cnnviz.backbones`).

Presets leave `input_shape` out and end in `"units": "num_classes"` (except the binary
horses-or-humans head), so one preset fits every dataset whose images are large
enough. Each preset names the dataset it was made for, with that dataset's image shape
and classes, used when no dataset is given (`python -m cnnviz summary lenet-5`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cnnviz.errors import SpecError, did_you_mean
from cnnviz.json_input import read_json_file
from cnnviz.spec import ModelSpec

__all__ = ["DEFAULT_PRESET", "PRESETS", "Preset", "get"]

DEFAULT_PRESET = "digits-small"


@dataclass(frozen=True)
class Preset:
    """A named spec and the dataset it was made for.

    Attributes:
        name: the preset's name, e.g. "lenet-5".
        description: one line for learners.
        dataset: the dataset id it was made for.
        input_shape: that dataset's (height, width, channels).
        num_classes: that dataset's number of classes.
        spec: the model.
        training: suggested hyper-parameters (epochs, batch_size, learning_rate).
    """

    name: str
    description: str
    dataset: str
    input_shape: tuple[int, int, int]
    num_classes: int
    spec: ModelSpec
    training: dict[str, Any] = field(default_factory=dict)


def _conv(filters: int, kernel: int = 3, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Conv2D",
        "filters": filters,
        "kernel_size": kernel,
        "activation": "relu",
        **extra,
    }


def _pool(kind: str = "MaxPooling2D", size: int = 2) -> dict[str, Any]:
    return {"type": kind, "pool_size": size}


def _dense(units: int | str, activation: str = "relu") -> dict[str, Any]:
    return {"type": "Dense", "units": units, "activation": activation}


def _dropout(rate: float) -> dict[str, Any]:
    return {"type": "Dropout", "rate": rate}


def _backbone(name: str, trainable_blocks: int = 0) -> dict[str, Any]:
    return {"type": "Backbone", "name": name, "trainable_blocks": trainable_blocks}


FLATTEN = {"type": "Flatten"}
HEAD = _dense("num_classes", "softmax")


def _preset(
    name: str,
    description: str,
    dataset: str,
    shape: tuple[int, int, int],
    classes: int,
    stack: list[dict[str, Any]],
    **training: Any,
) -> Preset:
    spec = ModelSpec.from_dict({"name": name, "layers": stack})
    return Preset(name, description, dataset, shape, classes, spec, training)


_ALL = [
    _preset(
        "digits-small",
        "Fast default: two small conv blocks; ~97% on digits in seconds",
        "digits",
        (8, 8, 1),
        10,
        [
            _conv(32, padding="same"),
            _pool(),
            _conv(64, padding="same"),
            _pool(),
            FLATTEN,
            _dense(64),
            HEAD,
        ],
        epochs=15,
        batch_size=64,
        learning_rate=0.003,
    ),
    _preset(
        "shapes-small",
        "Three conv blocks and global pooling: finds a shape wherever it is",
        "shapes",
        (32, 32, 3),
        4,
        [
            _conv(16, padding="same"),
            _pool(),
            _conv(32, padding="same"),
            _pool(),
            _conv(64, padding="same"),
            {"type": "GlobalAveragePooling2D"},
            HEAD,
        ],
        epochs=10,
        batch_size=32,
        learning_rate=0.002,
    ),
    _preset(
        "lab-7.01-first-conv",
        "Lab 7.01: one Conv2D layer in front of a dense classifier",
        "tfds:fashion_mnist",
        (28, 28, 1),
        10,
        [_conv(64), FLATTEN, _dense(128), HEAD],
        epochs=5,
        batch_size=64,
        learning_rate=0.001,
    ),
    _preset(
        "lab-7.02-pooling",
        "Lab 7.02: two conv + max-pooling blocks shrink the maps before Dense",
        "tfds:fashion_mnist",
        (28, 28, 1),
        10,
        [_conv(64), _pool(), _conv(64), _pool(), FLATTEN, _dense(128), HEAD],
        epochs=5,
        batch_size=64,
        learning_rate=0.001,
    ),
    _preset(
        "lab-7.03-horses-or-humans",
        "Lab 7.03: five conv blocks and one sigmoid unit (binary classifier)",
        "tfds:horses_or_humans",
        (300, 300, 3),
        2,
        [
            _conv(16),
            _pool(),
            _conv(32),
            _pool(),
            _conv(64),
            _pool(),
            _conv(64),
            _pool(),
            _conv(64),
            _pool(),
            FLATTEN,
            _dense(512),
            _dense(1, "sigmoid"),
        ],
        epochs=15,
        batch_size=32,
        learning_rate=0.001,
    ),
    _preset(
        "lab-three-conv",
        "The three-conv example: Conv-Pool-Conv-Pool-Conv, then Dense",
        "tfds:cifar10",
        (32, 32, 3),
        10,
        [_conv(32), _pool(), _conv(64), _pool(), _conv(64), FLATTEN, _dense(64), HEAD],
        epochs=10,
        batch_size=64,
        learning_rate=0.001,
    ),
    _preset(
        "lab-fashion-mnist",
        "Fashion-MNIST model: strided conv, pooling and dropout",
        "tfds:fashion_mnist",
        (28, 28, 1),
        10,
        [_conv(32, strides=2), _pool(), FLATTEN, _dropout(0.2), HEAD],
        epochs=10,
        batch_size=64,
        learning_rate=0.001,
    ),
    _preset(
        "lab-cifar10",
        "CIFAR-10 model: two double-conv blocks with dropout",
        "tfds:cifar10",
        (32, 32, 3),
        10,
        [
            _conv(32, padding="same"),
            _conv(32),
            _pool(),
            _dropout(0.25),
            _conv(64, padding="same"),
            _conv(64),
            _pool(),
            _dropout(0.25),
            FLATTEN,
            _dense(512),
            _dropout(0.5),
            HEAD,
        ],
        epochs=20,
        batch_size=64,
        learning_rate=0.001,
    ),
    _preset(
        "lab-cifar100",
        "CIFAR-100 variant: wider blocks, batch norm, global average pooling",
        "tfds:cifar100",
        (32, 32, 3),
        100,
        [
            _conv(64, padding="same"),
            {"type": "BatchNormalization"},
            _conv(64, padding="same"),
            {"type": "BatchNormalization"},
            _pool(),
            _dropout(0.25),
            _conv(128, padding="same"),
            {"type": "BatchNormalization"},
            _conv(128, padding="same"),
            {"type": "BatchNormalization"},
            _pool(),
            _dropout(0.3),
            {"type": "GlobalAveragePooling2D"},
            _dense(256),
            _dropout(0.5),
            HEAD,
        ],
        epochs=30,
        batch_size=64,
        learning_rate=0.001,
    ),
    _preset(
        "tinyvgg",
        "TinyVGG, the network CNN Explainer shows (two double-conv blocks)",
        "tfds:cifar10",
        (32, 32, 3),
        10,
        [_conv(10), _conv(10), _pool(), _conv(10), _conv(10), _pool(), FLATTEN, HEAD],
        epochs=10,
        batch_size=32,
        learning_rate=0.001,
    ),
    _preset(
        "lenet-5",
        "LeNet-5 (LeCun 1998): tanh convolutions and average pooling",
        "tfds:mnist",
        (28, 28, 1),
        10,
        [
            _conv(6, 5, padding="same", activation="tanh"),
            _pool("AveragePooling2D"),
            _conv(16, 5, activation="tanh"),
            _pool("AveragePooling2D"),
            FLATTEN,
            _dense(120, "tanh"),
            _dense(84, "tanh"),
            HEAD,
        ],
        epochs=10,
        batch_size=64,
        learning_rate=0.001,
    ),
    _preset(
        "squeezenet-head",
        "Pretrained SqueezeNet (frozen, offline) and a small head: your own photos, few needed",
        "shapes",
        (32, 32, 3),
        4,
        [_backbone("squeezenet"), {"type": "GlobalAveragePooling2D"}, _dropout(0.2), HEAD],
        epochs=8,
        batch_size=16,
        learning_rate=0.001,
    ),
    _preset(
        "mobilenet-v2-head",
        "Pretrained MobileNetV2 (frozen; its weights from Keras's cache) and a small head",
        "shapes",
        (32, 32, 3),
        4,
        [_backbone("mobilenet_v2"), {"type": "GlobalAveragePooling2D"}, _dropout(0.2), HEAD],
        epochs=8,
        batch_size=16,
        learning_rate=0.001,
    ),
]

PRESETS: dict[str, Preset] = {p.name: p for p in _ALL}


def get(identifier: str | os.PathLike) -> ModelSpec:
    """The spec for a preset name or a spec JSON file.

    Raises:
        SpecError: unknown preset (with the closest names), missing or invalid file.
    """
    key = str(identifier)
    if key in PRESETS:
        return PRESETS[key].spec
    path = Path(key)
    if path.is_file():
        return ModelSpec.from_dict(read_json_file(path, "model spec file", SpecError))
    if key.endswith(".json") or os.sep in key:
        raise SpecError(f"no such spec file: {key}")
    hint = did_you_mean(key, PRESETS)
    raise SpecError(
        f"unknown model {key!r}: not a preset and not a spec file.{hint} "
        f"Presets: {', '.join(PRESETS)}"
    )


def preset_for(identifier: str | os.PathLike) -> Preset | None:
    """The Preset behind a name, or None for a spec file."""
    return PRESETS.get(str(identifier))
