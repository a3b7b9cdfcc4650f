"""The images of a dataset made in the browser: checked, shrunk, kept as JPEGs, removed,
zipped, and never past the desk's room (issue 27)."""

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from cnnviz import collect, collect_images
from cnnviz.collect_images import add_images, image_bytes, remove_image, zip_bytes
from cnnviz.data import load_dataset
from cnnviz.errors import CnnvizError


def encoded(pixels: np.ndarray, form: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=form, **options)
    return buffer.getvalue()


@pytest.fixture
def pets(runs_dir):
    dataset = collect.new_dataset("pets", desk="ann")
    collect.add_class(dataset, "cats", desk="ann")
    collect.add_class(dataset, "dogs", desk="ann")
    return dataset


def test_images_are_kept_upright_rgb_within_max_side_as_jpegs(pets):
    rng = np.random.default_rng(0)
    wide = rng.integers(0, 256, (300, 800, 3), dtype=np.uint8)
    grey = np.full((20, 30), 77, np.uint8)
    rgba = np.zeros((16, 16, 4), np.uint8)  # fully transparent: white, as open_image does
    turned = Image.fromarray(np.zeros((10, 40, 3), np.uint8))
    exif = turned.getexif()
    exif[0x0112] = 6  # "rotate 90° to be upright": a phone photo held upright
    buffer = io.BytesIO()
    turned.save(buffer, format="JPEG", exif=exif)
    images = [
        (encoded(wide, "JPEG"), "wide.jpg"),
        (encoded(grey), "grey.png"),
        (encoded(rgba), "drawing.png"),
        (buffer.getvalue(), "phone.jpg"),
    ]
    added = add_images(pets, "cats", images, desk="ann")
    assert added == collect_images.Added(4, ())
    names = collect.open_made(pets, desk="ann").get("cats").images
    kept = [Image.open(io.BytesIO(image_bytes(pets, "cats", n, desk="ann"))) for n in names]
    assert [(k.format, k.mode) for k in kept] == [("JPEG", "RGB")] * 4
    assert [k.size for k in kept] == [(256, 96), (30, 20), (16, 16), (10, 40)]
    assert np.abs(np.asarray(kept[1], int) - 77).max() <= 2  # grey stays grey, in RGB
    assert np.asarray(kept[2]).min() >= 250  # transparent on white
    assert list(names) == sorted(names)  # oldest first: names start with the time


def test_what_is_no_image_is_refused_by_name_and_the_rest_kept(pets):
    good = encoded(np.zeros((8, 8, 3), np.uint8))
    added = add_images(
        pets,
        "dogs",
        [(b"<html>", "notes.png"), (good, "ok.png"), (good[:40], "cut.png")],
        desk="ann",
    )
    assert added.count == 1
    assert [m.split(" is not")[0] for m in added.refused] == ["notes.png", "cut.png"]
    assert len(collect.open_made(pets, desk="ann").get("dogs").images) == 1


def test_an_image_too_large_is_refused_before_it_is_decoded(pets, monkeypatch):
    monkeypatch.setattr(collect_images, "MAX_IMAGE_BYTES", 1000)
    monkeypatch.setattr(collect_images, "open_image", lambda *a, **k: pytest.fail("decoded"))
    added = add_images(pets, "cats", [(b"x" * 1001, "huge.jpg")], desk="ann")
    assert added.count == 0 and added.refused[0].startswith("huge.jpg is 1.0 kB, more than")


def test_a_decompression_bomb_is_refused(pets):
    bomb = encoded(np.zeros((8000, 6000), np.uint8))  # 48 megapixels of one grey
    added = add_images(pets, "cats", [(bomb, "bomb.png")], desk="ann")
    assert added.count == 0 and "more than the 40,000,000 allowed" in added.refused[0]


def test_images_past_the_desks_room_are_refused_and_nothing_is_deleted(pets, monkeypatch):
    from tests.helpers_uploads import stored_upload

    monkeypatch.setenv("CNNVIZ_DESK_UPLOADS_MB", "1")
    zip_id = stored_upload(collect.dataset_folder(pets, "ann").parents[1].parent, "ann")
    noise = np.random.default_rng(1).integers(0, 256, (256, 256, 3), dtype=np.uint8)
    photos = [(encoded(noise, "PNG"), f"{i}.png") for i in range(40)]  # ~40 x 50 kB JPEGs
    with pytest.raises(CnnvizError, match=r"^40 images for cats does not fit: desk ann's uploads"):
        add_images(pets, "cats", photos, desk="ann")
    assert collect.open_made(pets, desk="ann").get("cats").images == ()
    from cnnviz.desk_uploads import desk_uploads

    assert zip_id in [u.id for u in desk_uploads("ann")]  # no upload deleted for room


def test_an_image_is_removed_and_a_name_not_listed_is_refused(pets):
    image = encoded(np.zeros((8, 8, 3), np.uint8))
    add_images(pets, "cats", [(image, "a.png"), (image, "b.png")], desk="ann")
    first, second = collect.open_made(pets, desk="ann").get("cats").images
    remove_image(pets, "cats", first, desk="ann")
    assert collect.open_made(pets, desk="ann").get("cats").images == (second,)
    for hostile in ("../dogs/x.jpg", first, "../../../../etc/passwd"):
        with pytest.raises(CnnvizError, match="class 'cats' of pets has no image"):
            remove_image(pets, "cats", hostile, desk="ann")
        with pytest.raises(CnnvizError, match="has no image"):
            image_bytes(pets, "cats", hostile, desk="ann")


def test_the_zip_reads_back_as_the_same_dataset(pets, tmp_path):
    rng = np.random.default_rng(2)
    for name in ("cats", "dogs"):
        photos = [
            (encoded(rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)), f"{i}.png")
            for i in range(5)
        ]
        add_images(pets, name, photos, desk="ann")
    data = zip_bytes(pets, desk="ann")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    assert len(names) == 10 and all(n.startswith(("pets/cats/", "pets/dogs/")) for n in names)
    (tmp_path / "pets.zip").write_bytes(data)
    back = load_dataset(f"folder:{tmp_path / 'pets.zip'}", image_size=(20, 20))
    made = load_dataset(pets, desk="ann", image_size=(20, 20))
    assert back.info.class_names == made.info.class_names == ("cats", "dogs")
    assert np.array_equal(back.train.images, made.train.images)
    assert np.array_equal(back.test.labels, made.test.labels)


def test_images_go_only_into_a_class_the_dataset_has(pets):
    image = encoded(np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(CnnvizError, match="pets has no class '../cats'"):
        add_images(pets, "../cats", [(image, "a.png")], desk="ann")
