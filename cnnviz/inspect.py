"""Looking inside a trained model: feature maps, filters, class scores and mistakes.

Everything here computes and returns arrays or small dataclasses; `cnnviz.figures`
draws them. Grad-CAM lives in `cnnviz.gradcam`, predicting on a user's image in
`cnnviz.predict`, and run bundles in `cnnviz.bundle`.

Feature maps of every layer come from one forward pass of a multi-output model
(`keras.Model(model.input, [layer.output, ...])`), built once per model and called
directly as a graph function: no `model.predict` per image.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

from cnnviz.errors import CnnvizError

__all__ = [
    "ClassScore",
    "Evaluation",
    "LayerActivation",
    "Mistake",
    "class_probabilities",
    "conv_layer_names",
    "evaluate",
    "feature_maps",
    "filter_images",
    "filters",
    "cached",
    "graph_function",
    "image_batch",
    "layer_grid",
    "mistakes",
    "model_call",
    "model_input",
    "normalize_channels",
    "predict_probabilities",
    "predicted_from",
    "run_test_split",
    "symmetric_range",
    "tile_maps",
    "top_classes",
]

CONV_TYPES = ("Conv2D", "SeparableConv2D", "DepthwiseConv2D")


# --- feature maps -------------------------------------------------------------------


@dataclass(frozen=True)
class LayerActivation:
    """What one layer outputs for one image.

    Attributes:
        name: the Keras layer name (equal to the spec's row name).
        type: the Keras class name, e.g. "Conv2D".
        output: ndarray of shape (h, w, channels) for image layers, or (units,)
            for flat ones, float32.
    """

    name: str
    type: str
    output: np.ndarray

    @property
    def is_spatial(self) -> bool:
        """True for feature maps (h, w, channels), False for a flat vector."""
        return self.output.ndim == 3


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def cached(model, key: Any, make: Any) -> Any:
    """A value made once per model and key, dropped when the model is.

    `make()` must not keep the model itself alive (its layers are fine).
    """
    store = _CACHE.setdefault(model, {})
    if key not in store:
        store[key] = make()
    return store[key]


def _layers(model) -> list:
    return [l for l in model.layers if type(l).__name__ != "InputLayer"]


def model_input(model):
    """The model's symbolic input (Sequential stacks have `inputs` but no `input`)."""
    return model.inputs[0]


class _Call:
    """A callable object around `call`: TensorFlow counts traces per function code,
    and one trace per model of the same lambda would read as needless retracing."""

    def __init__(self, call: Any):
        self.function = call

    def __call__(self, x):
        return self.function(x)


def graph_function(model, call: Any) -> Any:
    """`call` as a TensorFlow graph function on float32 batches of the model's input.

    A graph runs a small CNN several times faster than calling Keras eagerly, and
    the fixed signature (any batch size) means it is traced once per model.
    """
    import tensorflow as tf

    signature = tf.TensorSpec((None, *model.input_shape[1:]), tf.float32)
    return tf.function(_Call(call), input_signature=[signature])


def model_call(model) -> Any:
    """`model(x, training=False)` as a cached graph function of (N, H, W, C) batches."""
    ref = weakref.ref(model)
    return cached(model, "call", lambda: graph_function(model, lambda x: ref()(x, training=False)))


def _extractor(model) -> Any:
    """The cached graph function giving every layer's output in one pass."""

    def make():
        import keras

        outputs = [layer.output for layer in _layers(model)]
        extractor = keras.Model(model_input(model), outputs, name=f"{model.name}_features")
        return graph_function(model, lambda x: extractor(x, training=False))

    return cached(model, "features", make)


def image_batch(model, image: np.ndarray) -> np.ndarray:
    """One image as a batch of one, checked against the model's input shape.

    Args:
        model: a Keras model.
        image: float pixels of shape (H, W, C) or (1, H, W, C).

    Returns:
        float32 ndarray of shape (1, H, W, C).

    Raises:
        CnnvizError: the image does not have the model's input shape.
    """
    array = np.asarray(image, dtype=np.float32)
    if array.ndim == 3:
        array = array[None]
    expected = tuple(model.input_shape[1:])
    if array.ndim != 4 or array.shape[0] != 1 or tuple(array.shape[1:]) != expected:
        raise CnnvizError(
            f"the model takes one image of shape {list(expected)} (height, width, "
            f"channels); received an array of shape {list(np.shape(image))}"
        )
    return array


def feature_maps(model, image: np.ndarray) -> list[LayerActivation]:
    """Every layer's output for one image, in one forward pass.

    Args:
        model: a Keras model (functional, as `build_model` makes, or Sequential).
        image: float pixels as the model takes them, shape (H, W, C) or (1, H, W, C).

    Returns:
        One LayerActivation per layer (input layer excluded), first layer first.
    """
    batch = image_batch(model, image)
    outputs = _extractor(model)(batch)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return [
        LayerActivation(layer.name, type(layer).__name__, np.asarray(out)[0])
        for layer, out in zip(_layers(model), outputs, strict=True)
    ]


def normalize_channels(maps: np.ndarray) -> np.ndarray:
    """The lab's display normalisation, channel by channel.

    Each channel becomes `(x - mean) / std * 64 + 128`, clipped to 0..255, so its
    mean sits at mid-grey and two standard deviations span the range. A constant
    channel becomes flat mid-grey.

    Args:
        maps: ndarray of shape (h, w, channels).

    Returns:
        uint8 ndarray of shape (h, w, channels).
    """
    x = np.asarray(maps, dtype=np.float64)
    mean = x.mean(axis=(0, 1), keepdims=True)
    std = x.std(axis=(0, 1), keepdims=True)
    scaled = (x - mean) / np.where(std > 0, std, 1.0) * 64 + 128
    return np.clip(scaled, 0, 255).astype(np.uint8)


def symmetric_range(values: np.ndarray) -> float:
    """The half-width r of a diverging colour scale [-r, r] for one layer.

    Args:
        values: a layer's activations, any shape.

    Returns:
        The largest absolute value, or 1.0 for an all-zero layer.
    """
    largest = float(np.max(np.abs(values))) if np.size(values) else 0.0
    return largest if largest > 0 and np.isfinite(largest) else 1.0


def tile_maps(
    maps: np.ndarray, *, columns: int | None = None, gap: int = 1, fill: float = np.nan
) -> np.ndarray:
    """Channels side by side in rows, `gap` cells of `fill` between them.

    Args:
        maps: ndarray of shape (h, w, channels).
        columns: maps per row (default: close to a square grid).
        gap: cells between neighbouring maps.
        fill: the value of the gap cells (NaN draws as nothing in plotly).

    Returns:
        ndarray of shape (rows * (h + gap) - gap, columns * (w + gap) - gap); map k
        sits in row k // columns, column k % columns.
    """
    h, w, count = maps.shape
    columns = max(1, min(columns or int(np.ceil(np.sqrt(count))), count))
    rows = -(-count // columns)
    dtype = np.result_type(maps.dtype, np.asarray(fill).dtype)
    grid = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), fill, dtype)
    for index in range(count):
        r, c = divmod(index, columns)
        grid[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = maps[
            ..., index
        ]
    return grid


def layer_grid(
    activation: LayerActivation, *, cell_px: int = 48, gap: int = 2, columns: int | None = None
) -> np.ndarray:
    """One layer's maps as one grayscale picture (for PNG files, no plotting needed).

    Feature maps are normalised channel by channel (`normalize_channels`), enlarged
    (nearest neighbour) to about `cell_px` pixels and tiled in rows with white gaps.
    A flat layer is drawn as one row of cells per up to 32 units, the whole vector
    normalised as one channel.

    Args:
        activation: one layer's output.
        cell_px: the smallest side of one enlarged map, in pixels.
        gap: white pixels between maps.
        columns: maps per row (default: close to a square grid).

    Returns:
        uint8 ndarray of shape (height, width).
    """
    values = activation.output
    if values.ndim == 1:
        width = min(len(values), 32)
        cells = np.full(-(-len(values) // width) * width, 255, np.uint8)
        cells[: len(values)] = normalize_channels(values[:, None, None])[:, 0, 0]
        block = np.ones((cell_px // 2, cell_px // 2), np.uint8)
        return np.kron(cells.reshape(-1, width), block)
    maps = normalize_channels(values)
    scale = max(1, -(-cell_px // max(maps.shape[:2])))
    enlarged = maps.repeat(scale, axis=0).repeat(scale, axis=1)
    return tile_maps(enlarged, columns=columns, gap=gap, fill=255).astype(np.uint8)


# --- filters ------------------------------------------------------------------------


def conv_layer_names(model) -> list[str]:
    """Names of the convolution layers, first first."""
    return [l.name for l in _layers(model) if type(l).__name__ in CONV_TYPES]


def filters(model, layer_name: str | None = None) -> np.ndarray:
    """The spatial kernels of a convolution layer.

    For SeparableConv2D and DepthwiseConv2D this is the depthwise kernel, whose last
    axis is the depth multiplier.

    Args:
        model: a Keras model.
        layer_name: a convolution layer; default the first one.

    Returns:
        float32 ndarray of shape (kh, kw, in_channels, out_channels).

    Raises:
        CnnvizError: the model has no such convolution layer.
    """
    names = conv_layer_names(model)
    if not names:
        raise CnnvizError(
            "the model has no convolution layer, so it has no filters to show; add a Conv2D layer"
        )
    name = layer_name or names[0]
    if name not in names:
        raise CnnvizError(
            f"{name!r} is not a convolution layer of this model; choose one of: {', '.join(names)}"
        )
    return np.asarray(model.get_layer(name).get_weights()[0], dtype=np.float32)


def filter_images(kernel: np.ndarray) -> np.ndarray:
    """First-layer filters of a colour model as small RGB pictures.

    All filters share one min-max scaling to [0, 1] (as the lab does), so their
    brightness can be compared.

    Args:
        kernel: ndarray of shape (kh, kw, 3, out_channels).

    Returns:
        float32 ndarray of shape (out_channels, kh, kw, 3) with values in [0, 1].

    Raises:
        CnnvizError: the kernel does not read 3 colour channels.
    """
    if kernel.ndim != 4 or kernel.shape[2] != 3:
        raise CnnvizError(
            f"colour filters need a kernel reading 3 channels (kh, kw, 3, n); received "
            f"shape {list(kernel.shape)}"
        )
    low, high = float(kernel.min()), float(kernel.max())
    scaled = (kernel - low) / (high - low) if high > low else np.zeros_like(kernel)
    return np.transpose(scaled, (3, 0, 1, 2)).astype(np.float32)


# --- class scores -------------------------------------------------------------------


@dataclass(frozen=True)
class ClassScore:
    """One class and the probability the model gives it."""

    index: int
    name: str
    probability: float

    def to_dict(self) -> dict[str, Any]:
        return {"class": self.name, "index": self.index, "probability": self.probability}


def class_probabilities(outputs: np.ndarray) -> np.ndarray:
    """Model outputs as one probability per class.

    Args:
        outputs: ndarray of shape (N, n_classes) from a softmax head, or (N, 1) from
            a sigmoid head (the probability of class 1).

    Returns:
        float64 ndarray of shape (N, n_classes); a sigmoid head gives (N, 2)
        columns [1 - p, p].
    """
    outputs = np.asarray(outputs, dtype=np.float64)
    if outputs.ndim == 1:
        outputs = outputs[:, None]
    if outputs.shape[1] == 1:
        return np.concatenate([1.0 - outputs, outputs], axis=1)
    return outputs


def top_classes(
    probabilities: np.ndarray, class_names: list[str], *, k: int = 3
) -> list[ClassScore]:
    """The k most probable classes, most probable first (a tie puts the later class
    first, as `predicted_from` does).

    Args:
        probabilities: ndarray of shape (n_classes,).
        class_names: one name per class.
        k: how many classes; capped at the number of classes.
    """
    if k < 1:
        raise CnnvizError(f"top k must be at least 1; received {k}")
    probabilities = np.asarray(probabilities)
    order = np.lexsort((-np.arange(len(probabilities)), -probabilities))[:k]
    return [ClassScore(int(i), str(class_names[i]), float(probabilities[i])) for i in order]


def predict_probabilities(model, images: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    """Class probabilities for many images, calling the model on batches.

    Args:
        model: a Keras model.
        images: float pixels of shape (N, H, W, C), already rescaled.
        batch_size: images per forward pass.

    Returns:
        float64 ndarray of shape (N, n_classes) (see `class_probabilities`).
    """
    call = model_call(model)
    parts = [
        np.asarray(call(np.asarray(images[i : i + batch_size], np.float32)))
        for i in range(0, len(images), batch_size)
    ]
    if not parts:
        units = int(model.output_shape[-1])
        return class_probabilities(np.zeros((0, units)))
    return class_probabilities(np.concatenate(parts))


def predicted_from(probabilities: np.ndarray) -> np.ndarray:
    """The most probable class of each row of (N, n_classes) probabilities.

    A tie goes to the later class, so a sigmoid head's [1 - p, p] columns give
    class 1 exactly when p >= 0.5: the threshold rule of `cnnviz.metrics`.

    Returns:
        int64 ndarray of shape (N,).
    """
    probabilities = np.asarray(probabilities)
    last = probabilities.shape[1] - 1
    return (last - np.argmax(probabilities[:, ::-1], axis=1)).astype(np.int64)


@dataclass(frozen=True)
class Evaluation:
    """A model's answers on a labelled set.

    Attributes:
        probabilities: ndarray of shape (N, n_classes).
        predicted: int ndarray of shape (N,).
        metrics: the `cnnviz.metrics.ClassificationMetrics` of the answers.
    """

    probabilities: np.ndarray
    predicted: np.ndarray
    metrics: Any


def evaluate(
    model, images: np.ndarray, labels: np.ndarray, class_names: list[str], *, batch_size: int = 256
) -> Evaluation:
    """Probabilities, predicted classes, confusion matrix and per-class metrics.

    Args:
        model: a trained Keras model.
        images: float pixels of shape (N, H, W, C), rescaled as in training.
        labels: int ndarray of shape (N,), the true classes.
        class_names: one name per class.
        batch_size: images per forward pass.
    """
    from cnnviz.metrics import classification_metrics

    probabilities = predict_probabilities(model, images, batch_size=batch_size)
    predicted = predicted_from(probabilities)
    metrics = classification_metrics(np.asarray(labels), predicted, list(class_names))
    return Evaluation(probabilities, predicted, metrics)


def run_test_split(run, *, data_dir: str | None = None):
    """The test split a run was trained against, reloaded from its config.

    Args:
        run: a `cnnviz.runs.Run`.
        data_dir: TFDS cache directory (default: the run's own, else TFDS's).

    Returns:
        A `cnnviz.data.Split`: uint8 images of the run's image shape and their labels.

    Raises:
        CnnvizError: the dataset cannot be loaded or no longer has the run's shape
            and classes.
    """
    from cnnviz.data import load_dataset

    config = run.config
    image_size = config.get("image_size")
    dataset = load_dataset(
        config["dataset"],
        data_dir=data_dir or config.get("data_dir"),
        limit=config.get("limit"),
        seed=config.get("seed") or 0,
        image_size=tuple(image_size) if image_size else None,
    )
    info = dataset.info
    if list(info.image_shape) != list(config["image_shape"]) or list(info.class_names) != list(
        config["class_names"]
    ):
        raise CnnvizError(
            f"the dataset {config['dataset']!r} now has images of shape "
            f"{list(info.image_shape)} and {info.num_classes} classes, but run {run.id} "
            f"was trained on {list(config['image_shape'])} and "
            f"{len(config['class_names'])} classes; it cannot be evaluated on it"
        )
    return dataset.test


# --- mistakes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Mistake:
    """One misclassified image.

    Attributes:
        index: position of the image in the set.
        image: its pixels, shape (H, W, C) as given.
        true: the true class index; true_name its name.
        predicted: the predicted class index; predicted_name its name.
        top: the most probable classes, most probable first.
    """

    index: int
    image: np.ndarray
    true: int
    true_name: str
    predicted: int
    predicted_name: str
    top: tuple[ClassScore, ...]

    @property
    def confidence(self) -> float:
        """The probability the model gave its (wrong) answer."""
        return self.top[0].probability if self.top else 0.0


def _class_index(value: int | str | None, class_names: list[str], what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value in class_names:
        return class_names.index(value)
    if isinstance(value, (int, np.integer)) and 0 <= value < len(class_names):
        return int(value)
    raise CnnvizError(
        f"{what} must be a class index 0..{len(class_names) - 1} or a class name; "
        f"received {value!r}"
    )


def mistakes(
    images: np.ndarray,
    y_true: np.ndarray,
    probabilities: np.ndarray,
    class_names: list[str],
    *,
    true: int | str | None = None,
    predicted: int | str | None = None,
    top_k: int = 3,
    limit: int | None = None,
) -> list[Mistake]:
    """The misclassified images, most confidently wrong first.

    Filtering by `true` and `predicted` gives the images of one confusion-matrix cell.

    Args:
        images: ndarray of shape (N, H, W, C).
        y_true: int ndarray of shape (N,).
        probabilities: ndarray of shape (N, n_classes) (see `class_probabilities`).
        class_names: one name per class.
        true: keep only images of this true class (index or name).
        predicted: keep only images predicted as this class (index or name).
        top_k: how many class probabilities each mistake keeps.
        limit: at most this many mistakes.
    """
    y_true = np.asarray(y_true)
    if not len(images) == len(y_true) == len(probabilities):
        raise CnnvizError(
            f"images, labels and probabilities must have one entry per image; received "
            f"{len(images)}, {len(y_true)} and {len(probabilities)}"
        )
    true_index = _class_index(true, class_names, "true")
    predicted_index = _class_index(predicted, class_names, "predicted")
    guesses = predicted_from(probabilities)
    keep = guesses != y_true
    if true_index is not None:
        keep &= y_true == true_index
    if predicted_index is not None:
        keep &= guesses == predicted_index
    rows = np.flatnonzero(keep)
    rows = rows[np.argsort(-probabilities[rows, guesses[rows]], kind="stable")][:limit]
    return [
        Mistake(
            int(i),
            images[i],
            int(y_true[i]),
            str(class_names[y_true[i]]),
            int(guesses[i]),
            str(class_names[guesses[i]]),
            tuple(top_classes(probabilities[i], class_names, k=top_k)),
        )
        for i in rows
    ]
