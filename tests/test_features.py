"""Feature maps and filters of a real Keras model.

Oracles: the spec's own shape inference, Keras's per-layer outputs and kernels."""

import gc
import weakref

import numpy as np
import pytest

from cnnviz import presets
from cnnviz.build import build_model
from cnnviz.codegen import to_keras_code
from cnnviz.errors import CnnvizError
from cnnviz.features import channel_peaks, conv_layer_names, feature_maps, filters
from cnnviz.forward import cached
from cnnviz.spec import ModelSpec, validate

SHAPE_PRESETS = ["digits-small", "shapes-small", "lab-7.02-pooling", "lab-cifar100", "lenet-5"]


def preset_model(name: str):
    preset = presets.PRESETS[name]
    report = validate(preset.spec, input_shape=preset.input_shape, num_classes=preset.num_classes)
    return build_model(report), report


def random_image(shape, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


@pytest.mark.parametrize("name", SHAPE_PRESETS)
def test_feature_map_shapes_match_the_spec_shape_inference(name):
    model, report = preset_model(name)
    activations = feature_maps(model, random_image(report.input_shape))
    assert [a.name for a in activations] == [row.name for row in report.rows]
    assert [a.type for a in activations] == [row.type for row in report.rows]
    assert [a.output.shape for a in activations] == [row.output_shape for row in report.rows]
    assert [a.output.ndim == 3 for a in activations] == [
        len(row.output_shape) == 3 for row in report.rows
    ]


def test_feature_maps_equal_the_keras_layers_applied_one_after_another():
    model, report = preset_model("lab-cifar100")  # batch norm and dropout: inference mode
    image = random_image(report.input_shape, seed=1)
    activations = feature_maps(model, image[None])
    x = image[None]
    for layer, activation in zip(model.layers[1:], activations, strict=True):
        x = layer(x, training=False)
        np.testing.assert_allclose(activation.output, np.asarray(x)[0], rtol=1e-4, atol=1e-5)


def test_feature_maps_of_a_sequential_stack_equal_the_functional_model():
    model, report = preset_model("digits-small")
    namespace = {}
    exec(to_keras_code(report), namespace)
    sequential = namespace["model"]
    sequential.set_weights(model.get_weights())
    image = random_image(report.input_shape, seed=2)
    for ours, theirs in zip(
        feature_maps(model, image), feature_maps(sequential, image), strict=True
    ):
        # Auto names of a Sequential depend on Keras's process-wide counters: compare types.
        assert ours.type == theirs.type
        np.testing.assert_allclose(ours.output, theirs.output, rtol=1e-5, atol=1e-6)


def test_feature_maps_reuse_one_extractor_per_model_and_forget_it_with_the_model():
    model, report = preset_model("digits-small")
    image = random_image(report.input_shape)
    feature_maps(model, image)
    first = cached(model, "features", lambda: pytest.fail("not cached"))
    feature_maps(model, image)
    assert cached(model, "features", lambda: None) is first
    gone = weakref.ref(model)
    del model, first
    gc.collect()
    assert gone() is None


def test_feature_maps_refuse_an_image_of_the_wrong_shape():
    model, _ = preset_model("digits-small")
    with pytest.raises(CnnvizError, match=r"\[8, 8, 1\].*\[28, 28, 1\]"):
        feature_maps(model, np.zeros((28, 28, 1), np.float32))


def test_filters_are_the_convolution_kernels():
    model, _ = preset_model("lab-7.02-pooling")
    assert conv_layer_names(model) == ["conv2d", "conv2d_1"]
    first = filters(model)
    np.testing.assert_array_equal(first, model.get_layer("conv2d").kernel.numpy())
    assert first.shape == (3, 3, 1, 64)
    assert filters(model, "conv2d_1").shape == (3, 3, 64, 64)
    with pytest.raises(CnnvizError, match="'flatten' is not a convolution.*conv2d, conv2d_1"):
        filters(model, "flatten")


def test_a_model_without_convolutions_has_no_filters():
    spec = ModelSpec.from_dict(
        {
            "input_shape": [4, 4, 1],
            "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 2, "activation": "softmax"}],
        }
    )
    with pytest.raises(CnnvizError, match="no convolution layer"):
        filters(build_model(spec))


def test_channel_peaks_are_the_largest_outputs_keras_gives_over_all_images(keras):
    model, report = preset_model("lab-7.02-pooling")
    images = np.random.default_rng(1).random((70, *report.input_shape), dtype=np.float32)
    convs = conv_layer_names(model)
    peaks = channel_peaks(model, images, batch_size=32)  # 70 images: three batches
    assert list(peaks) == convs
    for name in convs:
        outputs = keras.Model(model.inputs, model.get_layer(name).output).predict(images, verbose=0)
        np.testing.assert_allclose(peaks[name], np.abs(outputs).max(axis=(0, 1, 2)), rtol=1e-5)


def test_a_model_without_convolutions_has_no_channel_peaks():
    spec = ModelSpec.from_dict({"layers": [{"type": "Flatten"}, {"type": "Dense", "units": 3}]})
    model = build_model(validate(spec, input_shape=(4, 4, 1)))
    assert channel_peaks(model, np.zeros((2, 4, 4, 1), np.float32)) == {}


@pytest.fixture(scope="module")
def squeezenet():
    from tests.helpers_inspect import backbone_model

    return backbone_model()[0]


def test_feature_maps_look_inside_a_backbone_then_the_head(squeezenet, keras):
    image = random_image((32, 32, 3))
    activations = feature_maps(squeezenet, image)
    inner = squeezenet.get_layer("backbone")
    names = [a.name for a in activations]
    assert names[:4] == ["resize", "scale", "conv1", "maxpool1"]
    assert names[-4:] == ["fire9_concat", "global_average_pooling2d", "dropout", "dense"]
    assert len(names) == len(inner.layers) - 1 + 3
    for name in ("conv1", "fire2_expand3x3", "fire9_concat"):  # the oracle: Keras's own maps
        tap = keras.Model(inner.input, inner.get_layer(name).output)
        expected = tap(image[None], training=False).numpy()[0]
        np.testing.assert_allclose(activations[names.index(name)].output, expected, atol=1e-4)
    np.testing.assert_allclose(
        activations[-1].output, squeezenet(image[None], training=False).numpy()[0], atol=1e-6
    )


def test_filters_and_channel_peaks_of_a_backbones_convolutions(squeezenet):
    names = conv_layer_names(squeezenet)
    assert names[0] == "conv1" and names[-1] == "fire9_expand3x3" and len(names) == 25
    assert conv_layer_names(squeezenet, inside_backbones=False) == []
    kernel = squeezenet.get_layer("backbone").get_layer("fire2_squeeze1x1").kernel.numpy()
    np.testing.assert_array_equal(filters(squeezenet, "fire2_squeeze1x1"), kernel)
    images = np.stack([random_image((32, 32, 3), seed) for seed in range(3)])
    peaks = channel_peaks(squeezenet, images, layers=["conv1"])
    by_hand = np.max(
        [np.abs(feature_maps(squeezenet, image)[2].output).max(axis=(0, 1)) for image in images],
        axis=0,
    )
    assert list(peaks) == ["conv1"]
    np.testing.assert_allclose(peaks["conv1"], by_hand, rtol=1e-5)
