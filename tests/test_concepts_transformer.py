"""The image transformer: one kernel over a photo, then ReLU and 2x2 max pooling.

Oracles: Keras's Conv2D, ReLU and MaxPooling2D, and Pillow's grayscale."""

import numpy as np
import pytest
from PIL import Image

from cnnviz import concepts
from cnnviz.errors import CnnvizError
from tests.helpers_concepts import batch


def test_max_pool_2x2_matches_keras_default_max_pooling(keras):
    values = np.random.default_rng(5).normal(size=(11, 8))  # odd height: last row dropped
    expected = keras.ops.convert_to_numpy(keras.layers.MaxPooling2D()(batch(values)))[0, :, :, 0]
    np.testing.assert_allclose(concepts.max_pool_2x2(values), expected, rtol=1e-6)
    assert concepts.max_pool_2x2(values).shape == (5, 4)


def test_transform_image_matches_keras_conv_relu_and_pooling(keras):
    photo = np.random.default_rng(6).integers(0, 256, size=(30, 41, 3)).astype(np.uint8)
    kernel = concepts.KERNELS["Sobel vertical"]
    stages = concepts.transform_image(photo, kernel, stride=2, padding="same")
    gray = batch(concepts.grayscale(photo))
    model = keras.Sequential(
        [
            keras.layers.Conv2D(1, 3, strides=2, padding="same", use_bias=False, activation="relu"),
            keras.layers.MaxPooling2D(),
        ]
    )
    model.build(gray.shape)
    model.layers[0].set_weights([kernel[:, :, None, None].astype("float32")])
    expected = keras.ops.convert_to_numpy(model(gray))[0, :, :, 0]
    assert stages.feature_map.shape == (15, 21)
    assert (stages.relu >= 0).all()
    np.testing.assert_allclose(stages.pooled, expected, rtol=1e-4, atol=1e-3)


def test_grayscale_weights_colour_like_pillow():
    rgb = np.random.default_rng(8).integers(0, 256, size=(20, 30, 3)).astype(np.uint8)
    pillow = np.asarray(Image.fromarray(rgb).convert("L"), dtype=float)
    np.testing.assert_allclose(concepts.grayscale(rgb), pillow, atol=1.0)
    np.testing.assert_array_equal(concepts.grayscale(rgb[..., :1]), rgb[..., 0])
    with pytest.raises(CnnvizError, match=r"Received: \(2, 2, 2\)"):
        concepts.grayscale(np.zeros((2, 2, 2)))


def test_downscale_averages_whole_blocks():
    image = np.arange(6 * 9, dtype=np.uint8).reshape(6, 9)
    small = concepts.downscale(image, max_side=4)  # factor ceil(9 / 4) = 3
    assert small.shape == (2, 3) and small.dtype == np.uint8
    assert small[0, 0] == image[:3, :3].mean()  # 0,1,2,9,10,11,18,19,20 -> 10
    assert concepts.downscale(image, max_side=9) is image
    assert concepts.relu([-2.0, 0.0, 3.0]).tolist() == [0.0, 0.0, 3.0]


def test_transform_image_on_a_sample_photo():
    from sklearn.datasets import load_sample_image

    photo = load_sample_image("china.jpg")  # (427, 640, 3)
    stages = concepts.transform_image(photo, concepts.KERNELS["Laplacian"])
    assert stages.shapes() == {
        "photo": (427, 640, 3),
        "gray": (427, 640),
        "feature_map": (425, 638),
        "relu": (425, 638),
        "pooled": (212, 319),
    }
    # the first feature-map cell is the small-grid arithmetic on the photo's corner
    corner = concepts.convolve(stages.gray[:3, :3], concepts.KERNELS["Laplacian"]).output
    assert stages.feature_map[0, 0] == pytest.approx(corner[0, 0])
    smaller = concepts.transform_image(
        photo, np.ones((5, 5)), stride=2, padding="same", max_side=320
    )
    assert smaller.photo.shape == (213, 320, 3)
    assert smaller.feature_map.shape == (107, 160) and smaller.pooled.shape == (53, 80)
