"""Predicting on a user's image (cnnviz.predict).

Oracles: the model's answer on the dataset's own images (what it was trained on),
Keras's `model.predict`, and probabilities set by hand through a model's bias.
"""

import io

import numpy as np
import pytest
from PIL import Image

from cnnviz.build import build_model
from cnnviz.data import rescale
from cnnviz.errors import CnnvizError
from cnnviz.predict import predict, predict_image, prepare_image
from cnnviz.spec import ModelSpec
from tests.helpers_inspect import trained_digits

N_IMAGES = 100


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def digit(pixels: np.ndarray) -> Image.Image:
    return Image.fromarray(pixels[..., 0], "L")


@pytest.fixture(scope="module")
def digits():
    model, _, dataset, _ = trained_digits()
    names = list(dataset.info.class_names)
    images = dataset.test.images[:N_IMAGES]
    originals = [predict(model, rescale(image), names) for image in images]
    return model, names, images, originals


def predict_bytes(model, names, data: bytes):
    return predict_image(model, data, image_shape=(8, 8, 1), class_names=names)


def test_the_answer_is_the_models_own_output():
    model, _, dataset, _ = trained_digits()
    names = list(dataset.info.class_names)
    image = rescale(dataset.test.images[7])
    answer = predict(model, image, names, top_k=4, caption="seven")
    expected = model.predict(image[None], verbose=0)[0]
    np.testing.assert_allclose(answer.probabilities, expected, rtol=1e-5, atol=1e-6)
    assert answer.label == int(np.argmax(expected)) and answer.name == names[answer.label]
    assert [s.index for s in answer.top] == list(np.argsort(-expected)[:4])
    assert answer.to_dict() == {
        "image": "seven",
        "top": [
            {"class": s.name, "index": s.index, "probability": s.probability} for s in answer.top
        ],
    }
    assert not answer.binary


def test_lossless_re_encodings_at_the_training_size_give_identical_answers(digits):
    """Other formats and modes, same pixels: PNG RGBA, lossless WebP RGB, GIF palette,
    and a JPEG stored sideways with an EXIF orientation (a phone photo)."""
    model, names, images, originals = digits
    for image, original in zip(images[:30], originals[:30]):
        picture = digit(image)
        exif = Image.Exif()
        exif[0x0112] = 8  # orientation 8: turn 90 degrees clockwise to view upright
        variants = [
            encode(picture.convert("RGBA"), "PNG"),
            encode(picture.convert("RGB"), "WEBP", lossless=True),
            encode(picture.convert("P"), "GIF"),
            encode(
                picture.convert("RGB")
                .resize((32, 32), Image.Resampling.NEAREST)
                .transpose(Image.Transpose.ROTATE_270),
                "JPEG",
                quality=95,
                exif=exif.tobytes(),
            ),
        ]
        for data in variants:
            answer = predict_bytes(model, names, data)
            assert answer.label == original.label
            np.testing.assert_allclose(answer.probabilities, original.probabilities, atol=0.02)


def test_resized_re_encodings_give_the_same_class_as_the_originals(digits):
    """Other sizes too: resampling changes 8x8 digits a little, so confident answers
    (p >= 0.95) must all stay and borderline ones nearly all."""
    model, names, images, originals = digits
    cases = [
        ((16, 16), Image.Resampling.NEAREST, "RGBA", "PNG", {}),
        ((24, 24), Image.Resampling.BICUBIC, "RGB", "WEBP", {"lossless": True}),
        ((40, 40), Image.Resampling.BILINEAR, "P", "GIF", {}),
        ((12, 10), Image.Resampling.BICUBIC, "RGB", "BMP", {}),
    ]
    for size, resample, mode, fmt, options in cases:
        same = []
        for image, original in zip(images, originals):
            picture = digit(image).resize(size, resample).convert(mode)
            answer = predict_bytes(model, names, encode(picture, fmt, **options))
            same.append(answer.label == original.label)
            if original.probability >= 0.95:
                assert answer.label == original.label, (fmt, size)
        assert np.mean(same) >= 0.93, (fmt, size, np.mean(same))


def test_prepare_image_converts_size_channels_alpha_and_scale():
    gray = Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8) * 4, "L")
    colour = prepare_image(encode(gray, "PNG"), (8, 8, 3))
    assert colour.shape == (8, 8, 3) and colour.dtype == np.float32
    np.testing.assert_allclose(colour[..., 0], np.asarray(gray) / 255, atol=1e-7)
    np.testing.assert_array_equal(colour[..., 0], colour[..., 2])
    clear = Image.new("RGBA", (300, 200), (255, 0, 0, 0))  # fully transparent red
    white = prepare_image(encode(clear, "PNG"), (28, 28, 1))
    assert white.shape == (28, 28, 1) and np.all(white == 1.0)  # composited on white
    with pytest.raises(CnnvizError, match="1 channel.*3 channel.*\\[8, 8, 4\\]"):
        prepare_image(encode(gray, "PNG"), (8, 8, 4))


def test_a_sigmoid_head_answers_with_the_half_threshold():
    spec = ModelSpec.from_dict(
        {
            "input_shape": [4, 4, 1],
            "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 1, "activation": "sigmoid"}],
        }
    )
    model = build_model(spec)
    image = np.full((4, 4, 1), 0.5, np.float32)
    for bias, label in [(-1.0, 0), (0.0, 1), (2.0, 1)]:  # p = sigmoid(bias)
        model.get_layer("dense").set_weights(
            [np.zeros((16, 1), np.float32), np.array([bias], np.float32)]
        )
        answer = predict(model, image, ["horse", "human"])
        p = 1 / (1 + np.exp(-bias))
        assert answer.binary and answer.label == label
        np.testing.assert_allclose(answer.probabilities, [1 - p, p], rtol=1e-6)
        assert [s.name for s in answer.top] == (["human", "horse"] if label else ["horse", "human"])
    with pytest.raises(CnnvizError, match="2 class probabilities but 3 class names"):
        predict(model, image, ["a", "b", "c"])


def test_top_k_is_capped_at_the_classes_and_must_be_positive(digits):
    model, names, images, _ = digits
    assert len(predict(model, rescale(images[0]), names, top_k=50).top) == 10
    with pytest.raises(CnnvizError, match="at least 1"):
        predict(model, rescale(images[0]), names, top_k=0)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is not an image"),
        (b"hello, this is text", "is not an image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "is not an image"),
    ],
)
def test_junk_files_give_clear_messages_naming_the_file(tmp_path, content, message):
    model, _, dataset, _ = trained_digits()
    path = tmp_path / "upload.png"
    path.write_bytes(content)
    with pytest.raises(CnnvizError, match=message) as caught:
        predict_image(
            model, str(path), image_shape=(8, 8, 1), class_names=list(dataset.info.class_names)
        )
    assert "upload.png" in str(caught.value)


def test_a_truncated_photo_and_a_folder_are_refused(tmp_path):
    photo = encode(Image.new("RGB", (640, 480), (30, 120, 200)), "JPEG")
    path = tmp_path / "half.jpg"
    path.write_bytes(photo[: len(photo) // 2])
    with pytest.raises(CnnvizError, match="half.jpg"):
        prepare_image(str(path), (8, 8, 1))
    with pytest.raises(CnnvizError, match="is a folder"):
        prepare_image(str(tmp_path), (8, 8, 1))
    with pytest.raises(CnnvizError, match="no such file"):
        prepare_image(str(tmp_path / "missing.png"), (8, 8, 1))


def test_an_uploaded_file_object_is_named_by_its_name():
    model, _, dataset, _ = trained_digits()
    upload = io.BytesIO(encode(digit(dataset.test.images[0]), "PNG"))
    upload.name = "my_digit.png"
    answer = predict_image(
        model, upload, image_shape=(8, 8, 1), class_names=list(dataset.info.class_names)
    )
    assert answer.image == "my_digit.png"
