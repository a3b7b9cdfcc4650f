"""Grad-CAM heatmaps (cnnviz.gradcam).

Oracle: for a convolution followed by global average pooling and a Dense head,
Grad-CAM equals the class activation map of Zhou et al. (2016), computable by hand
from the feature maps and the Dense weights: relu(sum_k W[k, c] * A_k), scaled to a
maximum of 1. (Each map's gradient is W[k, c] / (h * w) everywhere.)
"""

import keras
import numpy as np
import pytest

from cnnviz import gradcam
from cnnviz.build import build_model
from cnnviz.codegen import to_keras_code
from cnnviz.errors import CnnvizError
from cnnviz.features import feature_maps
from cnnviz.spec import ModelSpec, validate
from tests.helpers_inspect import trained_digits


def gap_model(units: int, activation: str):
    keras.utils.set_random_seed(3)
    spec = ModelSpec.from_dict(
        {
            "input_shape": [8, 8, 1],
            "layers": [
                {
                    "type": "Conv2D",
                    "filters": 6,
                    "kernel_size": 3,
                    "padding": "same",
                    "activation": "relu",
                },
                {"type": "GlobalAveragePooling2D"},
                {"type": "Dense", "units": units, "activation": activation},
            ],
        }
    )
    return build_model(spec)


def class_activation_map(model, image, weights: np.ndarray) -> np.ndarray:
    maps = feature_maps(model, image)[0].output  # (8, 8, 6)
    cam = np.maximum(maps @ weights, 0.0)
    return cam / cam.max() if cam.max() > 0 else cam


def test_grad_cam_equals_the_class_activation_map_by_hand():
    model = gap_model(3, "softmax")
    kernel = model.get_layer("dense").kernel.numpy()
    rng = np.random.default_rng(0)
    checked = 0
    for _ in range(3):
        image = rng.random((8, 8, 1), dtype=np.float32)
        for c in range(3):
            expected = class_activation_map(model, image, kernel[:, c])
            heatmap = gradcam.grad_cam(model, image, class_index=c)
            np.testing.assert_allclose(heatmap, expected, atol=1e-5)
            checked += expected.max() > 0
    assert checked >= 3  # most class maps are not all zero


def test_a_sigmoid_head_explains_class_1_with_w_and_class_0_with_minus_w():
    model = gap_model(1, "sigmoid")
    w = model.get_layer("dense").kernel.numpy()[:, 0]
    image = np.random.default_rng(1).random((8, 8, 1), dtype=np.float32)
    np.testing.assert_allclose(
        gradcam.grad_cam(model, image, class_index=1),
        class_activation_map(model, image, w),
        atol=1e-5,
    )
    np.testing.assert_allclose(
        gradcam.grad_cam(model, image, class_index=0),
        class_activation_map(model, image, -w),
        atol=1e-5,
    )
    with pytest.raises(CnnvizError, match="class_index must be 0..1.*2"):
        gradcam.grad_cam(model, image, class_index=2)


def test_heatmap_shape_and_range_on_a_trained_model():
    model, report, dataset, _ = trained_digits()
    image = dataset.test.images[0].astype(np.float32) / 255
    assert gradcam.default_layer(model) == "conv2d_1"  # the last convolution (4x4)
    for layer in [None, "conv2d", "max_pooling2d_1"]:
        heatmap = gradcam.grad_cam(model, image, layer_name=layer)
        assert heatmap.shape == (8, 8) and heatmap.dtype == np.float32
        assert heatmap.min() >= 0.0 and heatmap.max() <= 1.0
        assert heatmap.max() > 0.5  # the predicted class leaves a trace
    low = gradcam.grad_cam(model, image, upsample=False)
    assert low.shape == (4, 4) and low.max() == pytest.approx(1.0)


def test_a_sequential_stack_gives_the_same_heatmap_as_the_functional_model():
    model, report, dataset, _ = trained_digits()
    namespace = {}
    exec(to_keras_code(report), namespace)
    sequential = namespace["model"]
    assert isinstance(sequential, keras.Sequential)
    sequential.set_weights(model.get_weights())
    image = dataset.test.images[3].astype(np.float32) / 255
    for c in (None, 2):
        np.testing.assert_allclose(
            gradcam.grad_cam(sequential, image, class_index=c),
            gradcam.grad_cam(model, image, class_index=c),
            atol=1e-5,
        )


def test_grad_cam_needs_a_layer_with_feature_maps():
    model, _, dataset, _ = trained_digits()
    image = dataset.test.images[0].astype(np.float32) / 255
    with pytest.raises(CnnvizError, match="'flatten' is not one.*conv2d, max_pooling2d"):
        gradcam.grad_cam(model, image, layer_name="flatten")
    flat = build_model(
        validate(
            ModelSpec.from_dict(
                {
                    "input_shape": [8, 8, 1],
                    "layers": [
                        {"type": "Flatten"},
                        {"type": "Dense", "units": 3, "activation": "softmax"},
                    ],
                }
            )
        )
    )
    with pytest.raises(CnnvizError, match="has none"):
        gradcam.grad_cam(flat, image)
    with pytest.raises(CnnvizError, match="one image of shape"):
        gradcam.grad_cam(model, np.zeros((4, 4, 1)))


def test_a_batch_of_heatmaps_equals_each_image_on_its_own_for_its_given_class():
    """`grad_cams` (a confusion cell's images, classes known from the evaluation) gives
    what `grad_cam` gives image by image, for a softmax and a sigmoid head."""
    for units, activation in ((3, "softmax"), (1, "sigmoid")):
        model = gap_model(units, activation)
        images = np.random.default_rng(7).random((5, 8, 8, 1)).astype(np.float32)
        classes = [0, 1, 2, 1, 0] if units == 3 else [0, 1, 1, 0, 1]
        batch = gradcam.grad_cams(model, images, classes)
        assert batch.shape == (5, 8, 8)
        for image, cls, cam in zip(images, classes, batch):
            np.testing.assert_allclose(
                cam, gradcam.grad_cam(model, image, class_index=cls), atol=1e-5
            )
    with pytest.raises(CnnvizError, match="one class per image"):
        gradcam.grad_cams(model, images, [0])
    with pytest.raises(CnnvizError, match="class_index must be 0..1"):
        gradcam.grad_cams(model, images, [0, 1, 5, 0, 0])


def test_grad_cam_looks_inside_a_frozen_backbone():
    """The default layer is the backbone's last maps (global pooling and Dense follow:
    the class activation map by hand), and any layer inside it has gradients even
    though none of its weights train."""
    from tests.helpers_inspect import backbone_model

    model, _ = backbone_model()
    assert gradcam.default_layer(model) == "fire9_concat"
    assert {"conv1", "fire5_concat", "fire9_concat"} <= set(gradcam.grad_cam_layers(model))
    image = np.random.default_rng(1).random((32, 32, 3), dtype=np.float32)
    maps = {a.name: a.output for a in feature_maps(model, image)}["fire9_concat"]
    kernel = model.get_layer("dense").kernel.numpy()
    for c in range(3):
        cam = np.maximum(maps @ kernel[:, c], 0.0)
        expected = cam / cam.max() if cam.max() > 0 else cam
        heatmap = gradcam.grad_cam(model, image, class_index=c, upsample=False)
        np.testing.assert_allclose(heatmap, expected, atol=1e-4)
    inner = gradcam.grad_cam(model, image, layer_name="fire5_concat", upsample=False)
    assert inner.shape == (27, 27) and inner.max() == pytest.approx(1.0)
    assert gradcam.grad_cam(model, image, layer_name="conv1").shape == (32, 32)
