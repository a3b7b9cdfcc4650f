"""Reading users' images: modes, EXIF rotation, alpha, bombs and junk."""

import io

import numpy as np
import pytest
from PIL import Image

from cnnviz.errors import CnnvizError
from cnnviz.images import open_image, read_image, save_png, to_array


def encode(image: Image.Image, fmt: str = "PNG", **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def test_modes_become_l_or_rgb():
    gray = Image.fromarray(np.arange(12, dtype=np.uint8).reshape(3, 4), "L")
    assert open_image(encode(gray)).mode == "L"
    assert read_image(encode(gray)).shape == (3, 4, 1)
    palette = gray.convert("P")
    assert open_image(encode(palette)).mode == "RGB"
    wide = Image.fromarray((np.arange(12, dtype=np.uint16) * 5000).reshape(3, 4))
    pixels = read_image(encode(wide))
    assert pixels.dtype == np.uint8 and pixels.max() == 255


def test_alpha_is_composited_on_white():
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[0, 0] = [255, 0, 0, 255]  # opaque red; the rest fully transparent
    pixels = read_image(encode(Image.fromarray(rgba, "RGBA")))
    assert pixels[0, 0].tolist() == [255, 0, 0]
    assert pixels[1, 1].tolist() == [255, 255, 255]


def test_exif_rotation_is_applied():
    image = Image.new("RGB", (40, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    pixels = read_image(encode(image, "JPEG", exif=exif.tobytes()))
    assert pixels.shape[:2] == (40, 20)


def test_resize_and_channels():
    image = Image.new("RGB", (30, 10), (10, 200, 30))
    assert to_array(image, size=(5, 6), channels=1).shape == (5, 6, 1)
    assert to_array(image.convert("L"), channels=3).shape == (10, 30, 3)
    with pytest.raises(CnnvizError, match="1 or 3 channels"):
        to_array(image, channels=2)


def test_bombs_and_junk_are_refused(tmp_path):
    big = Image.new("L", (8000, 6000))  # 48 megapixels: over the 40 allowed
    with pytest.raises(CnnvizError, match="more than the 40,000,000 allowed"):
        open_image(encode(big), name="big.png")
    with pytest.raises(CnnvizError, match="notes.txt is not an image"):
        open_image(b"hello", name="notes.txt")
    truncated = encode(Image.new("RGB", (50, 50), "red"), "JPEG")[:100]
    with pytest.raises(CnnvizError, match="is not an image"):
        open_image(truncated, name="cut.jpg")
    with pytest.raises(CnnvizError, match="no such file"):
        open_image(tmp_path / "missing.png")
    with pytest.raises(CnnvizError, match="is a folder"):
        open_image(tmp_path)


def test_save_png_round_trip(tmp_path):
    pixels = np.random.default_rng(0).integers(0, 255, (6, 7, 1), dtype=np.uint8)
    path = save_png(pixels, tmp_path / "x.png")
    assert np.array_equal(read_image(path), pixels)


def test_sample_photos_equal_scikit_learns():
    from sklearn.datasets import load_sample_image

    from cnnviz.images import SAMPLE_PHOTOS, sample_photo

    for name in SAMPLE_PHOTOS:
        assert np.array_equal(sample_photo(name), load_sample_image(name))
    with pytest.raises(CnnvizError, match="sample photos are"):
        sample_photo("cat.jpg")


def test_a_device_or_pipe_is_refused_not_read_forever():
    with pytest.raises(CnnvizError, match="/dev/zero is not a regular file, not an image"):
        open_image("/dev/zero")
