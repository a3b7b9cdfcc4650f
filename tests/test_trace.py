"""One activation's arithmetic, against Keras's own intermediate outputs and receptive
fields worked out by hand (strides, 'same' and 'valid' padding, dilation, pooling and
zero padding between convolutions)."""

import numpy as np
import pytest

from cnnviz.build import build_model
from cnnviz.errors import CnnvizError
from cnnviz.spec import ModelSpec
from cnnviz.trace import receptive_field, trace_activation

# 13x13x2 -> conv2d (3x3, stride 2, same: 1 zero before) 7x7x4 -> pool 3x3x4
# -> conv2d_1 (2x2, valid, tanh) 2x2x5 -> flatten -> dense
STRIDED = {
    "input_shape": [13, 13, 2],
    "layers": [
        {
            "type": "Conv2D",
            "filters": 4,
            "kernel_size": 3,
            "strides": 2,
            "padding": "same",
            "activation": "relu",
        },
        {"type": "MaxPooling2D", "pool_size": 2},
        {
            "type": "Conv2D",
            "filters": 5,
            "kernel_size": 2,
            "padding": "valid",
            "activation": "tanh",
        },
        {"type": "Flatten"},
        {"type": "Dense", "units": 3, "activation": "softmax"},
    ],
}

# 9x9x3 -> zero padding (1 top, 2 left, 1 right) -> dilated conv (3x3, rate 2, same)
# -> batch norm -> depthwise (3x3, x2, same) -> separable (3x3, valid) -> global pool
OTHERS = {
    "input_shape": [9, 9, 3],
    "layers": [
        {"type": "ZeroPadding2D", "padding": [[1, 0], [2, 1]]},
        {
            "type": "Conv2D",
            "filters": 4,
            "kernel_size": 3,
            "dilation_rate": 2,
            "padding": "same",
            "activation": "relu",
        },
        {"type": "BatchNormalization"},
        {
            "type": "DepthwiseConv2D",
            "kernel_size": 3,
            "depth_multiplier": 2,
            "padding": "same",
            "activation": "relu",
        },
        {
            "type": "SeparableConv2D",
            "filters": 3,
            "kernel_size": 3,
            "depth_multiplier": 2,
            "padding": "valid",
            "activation": "softmax",
        },
        {"type": "GlobalAveragePooling2D"},
        {"type": "Dense", "units": 2, "activation": "softmax"},
    ],
}


def model_of(spec: dict, seed: int):
    import keras

    keras.utils.set_random_seed(seed)
    model = build_model(ModelSpec.from_dict(spec))
    rng = np.random.default_rng(seed)
    for layer in model.layers:  # random biases too, so the bias is really added
        weights = layer.get_weights()
        if weights:
            layer.set_weights([w + rng.normal(0, 0.3, w.shape).astype(w.dtype) for w in weights])
    return model


@pytest.fixture(scope="module")
def strided():
    return model_of(STRIDED, 1)


@pytest.fixture(scope="module")
def others():
    return model_of(OTHERS, 2)


def keras_output(model, name: str, image: np.ndarray) -> np.ndarray:
    """The layer's output by Keras itself: a model cut at that layer."""
    import keras

    cut = keras.Model(model.inputs[0], model.get_layer(name).output)
    return np.asarray(cut(image[None]))[0]


def image(shape, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).random(shape).astype(np.float32)


def test_every_value_of_every_convolution_equals_keras(strided, others):
    for model, names in (
        (strided, ["conv2d", "conv2d_1"]),
        (others, ["conv2d", "depthwise_conv2d"]),
    ):
        x = image(model.input_shape[1:])
        for name in [*names, "separable_conv2d"] if model is others else names:
            expected = keras_output(model, name, x)
            h, w, c = expected.shape
            for channel in range(c):
                for row in range(h):
                    for col in range(w):
                        t = trace_activation(
                            model, x, layer=name, channel=channel, row=row, col=col
                        )
                        assert t.value == pytest.approx(expected[row, col, channel], abs=2e-5)
                        assert t.keras_value == pytest.approx(t.value, abs=2e-5)


def test_the_window_is_keras_input_with_same_padding_worked_out_by_hand(strided):
    x = image((13, 13, 2), seed=3)
    # conv2d: 13 pixels, kernel 3, stride 2, 'same' -> 7 outputs, 2 zeros: 1 before, 1 after.
    padded = np.pad(x, ((1, 1), (1, 1), (0, 0)))
    t = trace_activation(strided, x, layer="conv2d", channel=2, row=0, col=3)
    np.testing.assert_allclose(t.window, padded[0:3, 6:9, :], atol=1e-7)
    assert t.padded.tolist() == [[True] * 3, [False] * 3, [False] * 3]  # the top row is padding
    assert t.origin == (-1, 5)
    kernel, bias = strided.get_layer("conv2d").get_weights()
    np.testing.assert_allclose(t.kernel, kernel[..., 2])
    assert t.bias == pytest.approx(bias[2])
    assert t.pre_activation == pytest.approx(float((t.window * kernel[..., 2]).sum() + bias[2]))
    assert t.value == pytest.approx(max(t.pre_activation, 0.0))
    assert t.activation == "relu" and t.kernel.shape == (3, 3, 2)
    np.testing.assert_allclose(t.channel_sums.sum() + t.bias, t.pre_activation, atol=1e-9)
    # conv2d_1 reads the pooled maps: window (1, 0) of the pooling layer's Keras output.
    pooled = keras_output(strided, "max_pooling2d", x)
    t = trace_activation(strided, x, layer="conv2d_1", channel=4, row=1, col=0)
    np.testing.assert_allclose(t.window, pooled[1:3, 0:2, :], atol=1e-6)
    assert t.value == pytest.approx(np.tanh(t.pre_activation), abs=1e-6)
    assert t.top_channels(2)[0] == int(np.argmax(np.abs(t.channel_sums)))
    document = t.to_dict()
    assert document["kernel_shape"] == [2, 2, 4] and len(document["window"]) == 2
    assert set(document) >= {
        "layer",
        "value",
        "pre_activation",
        "bias",
        "keras_value",
        "receptive_field",
        "window",
        "kernel_shape",
    }


def test_receptive_fields_worked_out_by_hand(strided, others):
    # conv2d_1 (2x2 valid) rows 1-2, cols 0-1 of the pool; the pool (2x2, stride 2) rows
    # 2-5, cols 0-3 of conv2d; conv2d (3x3, stride 2, 1 zero before) rows 2*2-1=3 to
    # 5*2-1+2=11, cols -1 (padding, clipped to 0) to 3*2-1+2=7.
    assert receptive_field(strided, "conv2d_1", 1, 0) == (3, 0, 11, 7)
    assert trace_activation(
        strided, image((13, 13, 2)), layer="conv2d_1", channel=0, row=1, col=0
    ).receptive_field == (3, 0, 11, 7)
    assert receptive_field(strided, "conv2d", 6, 6) == (11, 11, 12, 12)  # the last row of zeros
    assert receptive_field(strided, "max_pooling2d", 0, 0) == (0, 0, 3, 3)
    # dilated 3x3 at rate 2 spans 5 pixels; 'same' on the 10x12 padded input adds 2 before.
    # Pixel (0, 0): padded rows -2..2 -> 0..2, i.e. image rows -1..1 -> 0..1 (1 zero row on
    # top); cols -2..2 -> 0..2 of the padded input, i.e. image cols -2..0 -> 0..0.
    assert receptive_field(others, "conv2d", 0, 0) == (0, 0, 1, 0)
    # Pixel (5, 6): padded rows 3..7, image rows 2..6; padded cols 4..8, image cols 2..6.
    assert receptive_field(others, "conv2d", 5, 6) == (2, 2, 6, 6)
    # separable (3x3 valid) pixel (0, 0): depthwise rows and cols 0..2; depthwise (3x3,
    # 'same', 1 zero before): 0..3 (-1 is padding); the batch norm keeps them; dilated
    # (span 5, 2 zeros before): rows -2..5 -> 0..5 of the 10 padded rows, cols 0..5 of
    # the 12 padded cols; zero padding (1 row on top, 2 cols left): rows 0..4, cols 0..3.
    assert receptive_field(others, "separable_conv2d", 0, 0) == (0, 0, 4, 3)


def test_a_position_off_the_map_or_a_layer_that_is_no_convolution_is_refused(strided):
    x = image((13, 13, 2))
    with pytest.raises(CnnvizError, match=r"row must be a whole number from 0 to 6.*row=7"):
        trace_activation(strided, x, layer="conv2d", channel=0, row=7, col=0)
    with pytest.raises(CnnvizError, match="channel must be a whole number from 0 to 4"):
        trace_activation(strided, x, layer="conv2d_1", channel=5, row=0, col=0)
    with pytest.raises(
        CnnvizError, match="'max_pooling2d' is a MaxPooling2D layer.*conv2d, conv2d_1"
    ):
        trace_activation(strided, x, layer="max_pooling2d", channel=0, row=0, col=0)
    with pytest.raises(CnnvizError, match="no layer 'conv_z'"):
        trace_activation(strided, x, layer="conv_z", channel=0, row=0, col=0)
    with pytest.raises(CnnvizError, match="cannot follow a pixel back through dense"):
        receptive_field(strided, "dense", 0, 0)


def test_depthwise_and_separable_traces_read_the_right_channels(others):
    x = image((9, 9, 3), seed=5)
    t = trace_activation(others, x, layer="depthwise_conv2d", channel=5, row=2, col=3)
    assert t.input_channels == (2,)  # output 5 = input channel 2, multiplier index 1
    depthwise, _ = others.get_layer("depthwise_conv2d").get_weights()
    np.testing.assert_allclose(t.kernel[..., 0], depthwise[:, :, 2, 1])
    t = trace_activation(others, x, layer="separable_conv2d", channel=1, row=0, col=0)
    assert t.input_channels == (0, 1, 2, 3, 4, 5, 6, 7) and t.activation == "softmax"
    pre = [
        trace_activation(
            others, x, layer="separable_conv2d", channel=c, row=0, col=0
        ).pre_activation
        for c in range(3)
    ]
    assert t.value == pytest.approx(np.exp(pre[1]) / np.exp(pre).sum(), abs=1e-6)


@pytest.fixture(scope="module")
def with_backbone():
    """A pretrained SqueezeNet, then a convolution of the spec's own, then a head."""
    from tests.helpers_inspect import backbone_model

    head = [
        {"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu"},
        {"type": "GlobalAveragePooling2D"},
        {"type": "Dense", "units": "num_classes", "activation": "softmax"},
    ]
    return backbone_model(head)[0]


@pytest.mark.parametrize(
    ("layer", "row", "col"),
    [("conv1", 50, 60), ("fire2_expand3x3", 3, 40), ("fire9_squeeze1x1", 12, 0), ("conv2d", 5, 6)],
)
def test_a_backbones_convolutions_are_traced_from_the_layer_that_feeds_them(
    with_backbone, layer, row, col
):
    """fire2_expand3x3 reads fire2_squeeze1x1 (not fire2_expand1x1, listed before it);
    the spec's own conv2d reads the backbone's last maps."""
    x = image((32, 32, 3), seed=2)
    for channel in (0, 3):
        t = trace_activation(with_backbone, x, layer=layer, channel=channel, row=row, col=col)
        assert t.value == pytest.approx(t.keras_value, rel=1e-4, abs=1e-3)
        assert t.pre_activation == pytest.approx(float(t.products.sum() + t.bias), rel=1e-9)


def gradient_box(model, layer: str, row: int, col: int, x: np.ndarray):
    """The oracle: the image pixels whose change moves the layer's (row, col) at all."""
    import keras
    import tensorflow as tf

    inner = model.get_layer("backbone")
    tap = keras.Model(inner.input, inner.get_layer(layer).output)
    batch = tf.constant(x[None])
    channel = int(np.argmax(tap(batch)[0, row, col]))  # an active channel (after its ReLU)
    with tf.GradientTape() as tape:
        tape.watch(batch)
        value = tap(batch)[0, row, col, channel]
    moved = np.abs(tape.gradient(value, batch).numpy()[0]).sum(axis=-1) > 0
    rows, cols = np.flatnonzero(moved.any(axis=1)), np.flatnonzero(moved.any(axis=0))
    return rows.min(), cols.min(), rows.max(), cols.max()


def test_receptive_fields_through_the_backbones_resizing_and_branches(with_backbone):
    x = image((32, 32, 3), seed=4)
    # conv1 (3x3, stride 2, 'same' on 227x227: 1 zero before): rows 99..101, cols 119..121
    # of the resized image; bilinear resizing from 32 reads source rows around
    # (99.5 * 32/227 - 0.5) = 13.5 .. 13.8: rows 13-14, and cols 16.3 .. 16.6: 16-17.
    assert receptive_field(with_backbone, "conv1", 50, 60) == (13, 16, 14, 17)
    assert gradient_box(with_backbone, "conv1", 50, 60, x) == (13, 16, 14, 17)
    assert receptive_field(with_backbone, "conv1", 0, 0) == (0, 0, 0, 0)
    for layer, row, col in [("fire3_concat", 20, 30), ("fire2_expand3x3", 3, 40)]:
        field = receptive_field(with_backbone, layer, row, col)  # both expands, the union
        assert field == gradient_box(with_backbone, layer, row, col, x) != (0, 0, 31, 31)
