"""The augmentation's Keras layers: exact properties of the preview, the preview is the
training layer, each warp matches the Keras layer's own, and the `augment` command.

Oracles: Keras's own preprocessing layers (`transform_images`), mirrored arrays, means
computed by hand."""

import json
import math

import numpy as np
import pytest
from PIL import Image

from cnnviz.augment import AugmentSpec
from cnnviz.augment_layers import augmentation_layer, preview
from cnnviz.cli import main
from cnnviz.errors import CnnvizError
from cnnviz.images import sample_photos
from tests.helpers_augment import FULL, photo


def blank(size=64) -> np.ndarray:
    return np.zeros((size, size, 1), dtype=np.uint8)


def centroid_slope(image: np.ndarray, *, along: str) -> float:
    """Slope of a bright bar: d(x)/d(y) for a vertical bar, d(y)/d(x) for a horizontal one."""
    mass = image[..., 0].astype(np.float64)
    if along == "x":
        mass = mass.T
    rows = np.nonzero(mass.sum(axis=1) > 100)[0]
    centres = [np.average(np.arange(mass.shape[1]), weights=mass[r]) for r in rows]
    return float(np.polyfit(rows, centres, 1)[0])


@pytest.mark.parametrize("channels", [None, 1, 3, 4])
def test_identity_returns_the_image_bit_for_bit(channels):
    image = photo(37, 53, channels)
    variants = preview(image, AugmentSpec(), n=5, seed=3)
    assert variants.shape == (5, *image.shape) and variants.dtype == np.uint8
    for variant in variants:
        np.testing.assert_array_equal(variant, image)


@pytest.mark.parametrize(
    "spec, flips",
    [
        (AugmentSpec(flip_left_right=True), lambda im: [im, im[:, ::-1]]),
        (AugmentSpec(flip_up_down=True), lambda im: [im, im[::-1]]),
        (
            AugmentSpec(flip_left_right=True, flip_up_down=True),
            lambda im: [im, im[:, ::-1], im[::-1], im[::-1, ::-1]],
        ),
    ],
)
def test_a_flip_is_an_exact_mirror_or_the_original(spec, flips):
    image = photo(31, 44, 3)
    variants = preview(image, spec, n=24, seed=1)
    seen = set()
    for variant in variants:
        matches = [i for i, f in enumerate(flips(image)) if np.array_equal(variant, f)]
        assert len(matches) == 1
        seen.add(matches[0])
    assert seen == set(range(len(flips(image))))  # flips are independent draws


def test_brightness_half_halves_the_mean_exactly():
    even = photo(40, 40, 3) // 2 * 2
    variants = preview(even, AugmentSpec(brightness=(0.5, 0.5)), n=3)
    for variant in variants:
        assert variant.mean() == even.mean() / 2
        np.testing.assert_array_equal(variant, even // 2)
    rgb = sample_photos()["flower.jpg"]
    variant = preview(rgb, AugmentSpec(brightness=0.5), n=1)[0]
    assert abs(variant.astype(float).mean() - rgb.mean() / 2) < 0.5  # rounding only


def test_brightness_multiplies_within_the_range_and_clips():
    grey = np.full((16, 16, 3), 100, dtype=np.uint8)
    variants = preview(grey, AugmentSpec(brightness=(0.5, 1.5)), n=16, seed=2)
    levels = [np.unique(v) for v in variants]
    assert all(len(level) == 1 and 50 <= level[0] <= 150 for level in levels)
    assert len({int(level[0]) for level in levels}) > 8
    bright = np.full((8, 8, 1), 200, dtype=np.uint8)
    np.testing.assert_array_equal(preview(bright, AugmentSpec(brightness=2), n=1)[0], 255)


def test_brightness_leaves_alpha_alone():
    rgba = photo(8, 8, 4)
    out = preview(rgba, AugmentSpec(brightness=0.5), n=1)[0]
    np.testing.assert_array_equal(out[..., 3], rgba[..., 3])


def test_same_seed_repeats_another_seed_differs():
    image = photo(64, 64, 3)
    spec = AugmentSpec.from_dict(FULL)
    first = preview(image, spec, n=4, seed=7)
    preview(image, spec, n=4, seed=8)  # an interleaved call changes nothing
    np.testing.assert_array_equal(preview(image, spec, n=4, seed=7), first)
    assert not np.array_equal(preview(image, spec, n=4, seed=8), first)
    assert len({v.tobytes() for v in first}) == 4  # variants differ from each other


@pytest.mark.parametrize("zoom, width", [(2.0, 32), (0.5, 8), (1.25, 20)])
def test_zoom_above_one_enlarges(zoom, width):
    image = blank()
    image[24:40, 24:40] = 255  # a 16-pixel square in the middle
    out = preview(image, AugmentSpec(zoom=(zoom, zoom)), n=1)[0]
    middle_row = out[32, 16:48, 0]  # reflections of a shrunk square lie outside this
    assert abs(int((middle_row > 127).sum()) - width) <= 1


def test_rotation_turns_at_most_the_given_degrees():
    image = blank()
    image[31:33, 17:47] = 255  # a horizontal bar through the centre
    angles = [
        math.degrees(math.atan(centroid_slope(v, along="x")))
        for v in preview(image, AugmentSpec(rotation_degrees=30), n=16, seed=4)
    ]
    assert max(abs(a) for a in angles) <= 30.5
    assert min(angles) < -15 and max(angles) > 15  # both ways, near the limit


def test_shear_slants_at_most_the_given_degrees():
    image = blank()
    image[17:47, 31:33] = 255  # a vertical bar
    angles = [
        math.degrees(math.atan(centroid_slope(v, along="y")))
        for v in preview(image, AugmentSpec(shear_degrees=20), n=16, seed=5)
    ]
    assert max(abs(a) for a in angles) <= 20.5
    assert min(angles) < -10 and max(angles) > 10


def test_shift_moves_at_most_the_given_fraction():
    image = blank()
    image[30:34, 30:34] = 255
    moves = []
    for variant in preview(image, AugmentSpec(width_shift=0.25), n=16, seed=6):
        ys, xs = np.nonzero(variant[..., 0] > 0)
        weights = variant[ys, xs, 0].astype(float)
        moves.append(
            (np.average(xs, weights=weights) - 31.5, np.average(ys, weights=weights) - 31.5)
        )
    assert all(abs(dx) <= 16.01 and abs(dy) < 1e-6 for dx, dy in moves)
    assert max(abs(dx) for dx, _ in moves) > 8


def test_preview_keeps_any_size_and_channels():
    for name, rgb in sample_photos().items():
        assert rgb.shape == (427, 640, 3) and rgb.dtype == np.uint8, name
        variants = preview(rgb, AugmentSpec.from_dict(FULL), n=2)
        assert variants.shape == (2, 427, 640, 3)
    grey = photo(33, 21, None)
    assert preview(grey, AugmentSpec(rotation_degrees=10), n=3).shape == (3, 33, 21)


@pytest.mark.parametrize(
    "image, n, words",
    [
        (np.zeros((8, 8, 3), np.float32), 2, "uint8"),
        (np.zeros((8, 8, 5), np.uint8), 2, "shape"),
        (np.zeros((0, 8, 3), np.uint8), 2, "shape"),
        (np.zeros((8, 8, 3), np.uint8), 0, "n must be"),
        (np.zeros((8, 8, 3), np.uint8), 1000, "n must be"),
    ],
)
def test_preview_refuses_what_it_cannot_show(image, n, words):
    with pytest.raises(CnnvizError, match=words):
        preview(image, AugmentSpec(rotation_degrees=5), n=n)


def test_preview_is_the_training_layer():
    import keras

    image = photo(40, 40, 3)
    spec = AugmentSpec.from_dict(FULL)
    batch = np.repeat(image[None].astype(np.float32) / 255, 4, axis=0)
    trained = keras.ops.convert_to_numpy(augmentation_layer(spec, seed=11)(batch, training=True))
    expected = np.clip(np.rint(trained * 255), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(preview(image, spec, n=4, seed=11), expected)


@pytest.mark.parametrize(
    "settings",
    [
        {"flip_left_right": True},
        {"flip_up_down": True},
        {"rotation_degrees": 40},
        {"shear_degrees": 30},
        {"zoom": [0.6, 1.7]},
        {"width_shift": 0.3, "height_shift": 0.2},
    ],
)
def test_each_warp_matches_the_keras_layers_own(settings):
    """The single warp equals the Keras layer's own transform_images for the same draw."""
    import keras

    layer = augmentation_layer(AugmentSpec.from_dict(settings), seed=21)
    batch = np.random.default_rng(0).random((6, 24, 30, 3), dtype=np.float32)
    ours = keras.ops.convert_to_numpy(layer(batch, training=True))
    layer.reseed(21)
    (keras_layer,) = layer.geometry
    draw = keras_layer.get_random_transformation(batch, training=True)
    theirs = keras.ops.convert_to_numpy(keras_layer.transform_images(batch, draw))
    np.testing.assert_allclose(ours, theirs, atol=2e-5)
    assert not np.allclose(ours, batch)


def test_brightness_layer_multiplies_floats_exactly():
    import keras

    batch = np.random.default_rng(1).random((3, 10, 12, 3), dtype=np.float32)
    layer = augmentation_layer(AugmentSpec(brightness=(0.5, 0.5)), seed=0)
    out = keras.ops.convert_to_numpy(layer(batch, training=True))
    np.testing.assert_array_equal(out, batch * np.float32(0.5))
    assert out.mean() == pytest.approx(batch.mean() / 2, rel=1e-6)


def test_not_training_means_unchanged():
    import keras

    batch = np.random.default_rng(2).random((2, 16, 16, 1), dtype=np.float32)
    layer = augmentation_layer(AugmentSpec.from_dict(FULL), seed=0)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(batch)), batch)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(batch, training=False)), batch)


def test_layer_config_round_trips():
    layer = augmentation_layer(AugmentSpec.from_dict(FULL), seed=5)
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    assert clone.spec == AugmentSpec.from_dict(FULL) and clone.seed == 5


def test_augmentation_runs_on_training_batches_only():
    """In a tf.data pipeline the layer changes training batches, fresh each epoch, and
    never touches validation or test batches."""
    import tensorflow as tf

    images = np.random.default_rng(3).random((12, 20, 20, 3), dtype=np.float32)
    labels = np.arange(12) % 3
    layer = augmentation_layer(AugmentSpec.from_dict(FULL), seed=1)

    def pipeline(training: bool) -> tf.data.Dataset:
        data = tf.data.Dataset.from_tensor_slices((images, labels)).batch(4)
        if training:
            data = data.map(lambda x, y: (layer(x, training=True), y))
        return data

    epochs = [[x.numpy() for x, _ in pipeline(True)] for _ in range(2)]
    for epoch in epochs:
        for start, batch in zip(range(0, 12, 4), epoch):
            raw = images[start : start + 4]
            assert batch.shape == raw.shape
            assert all(not np.allclose(b, r) for b, r in zip(batch, raw))
            assert batch.min() >= 0 and batch.max() <= 1
    assert not np.allclose(epochs[0][0], epochs[1][0])  # new draws every epoch
    held_out = np.concatenate([x.numpy() for x, _ in pipeline(False)])
    np.testing.assert_array_equal(held_out, images)


def test_make_pipeline_augments_training_batches_only():
    """The project's own pipeline: augmented training batches, untouched evaluation."""
    from cnnviz.data import Split, make_pipeline

    pixels = np.random.default_rng(4).integers(0, 256, (10, 16, 16, 1), dtype=np.uint8)
    split = Split(pixels, np.arange(10))  # labels double as image ids (training shuffles)
    rescaled = pixels.astype(np.float32) * np.float32(1 / 255)
    layer = augmentation_layer(AugmentSpec(rotation_degrees=20, brightness=(0.6, 0.9)), seed=2)
    seen = 0
    for x, y in make_pipeline(split, batch_size=4, training=True, augment=layer):
        for image, index in zip(x.numpy(), y.numpy()):
            assert image.shape == (16, 16, 1)
            assert not np.allclose(image, rescaled[index], atol=0.01)
            seen += 1
    assert seen == 10
    # validation and test pipelines are made with training=False, even given the layer
    batches = list(make_pipeline(split, batch_size=4, training=False, augment=layer))
    np.testing.assert_allclose(
        np.concatenate([x.numpy() for x, _ in batches]), rescaled, rtol=0, atol=1e-7
    )
    np.testing.assert_array_equal(np.concatenate([y.numpy() for _, y in batches]), np.arange(10))


def write_png(path, array):
    Image.fromarray(array).save(path)
    return str(path)


def test_cli_writes_variants_and_grid(tmp_path, capsys):
    from cnnviz.images import read_image

    image_path = write_png(tmp_path / "photo.png", photo(30, 26, 3))
    spec_path = tmp_path / "aug.json"
    spec_path.write_text(json.dumps(FULL))
    out = tmp_path / "out"
    code = main(
        [
            "augment",
            image_path,
            "--spec",
            str(spec_path),
            "--n",
            "5",
            "--seed",
            "3",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "aug_00.png",
        "aug_01.png",
        "aug_02.png",
        "aug_03.png",
        "aug_04.png",
        "grid.png",
    ]
    expected = preview(read_image(image_path), AugmentSpec.from_dict(FULL), n=5, seed=3)
    for i, variant in enumerate(expected):
        np.testing.assert_array_equal(read_image(out / f"aug_{i:02d}.png"), variant)
    assert read_image(out / "grid.png").shape == (2 * 30 + 4, 3 * 26 + 8, 3)
    assert "wrote 5 variants" in capsys.readouterr().out


def test_cli_grayscale_image(tmp_path):
    from cnnviz.images import read_image

    image_path = write_png(tmp_path / "digit.png", photo(16, 16, None))
    spec_path = tmp_path / "aug.json"
    spec_path.write_text('{"rotation_degrees": 15}')
    assert (
        main(["augment", image_path, "--spec", str(spec_path), "--out", str(tmp_path / "o")]) == 0
    )
    assert read_image(tmp_path / "o" / "aug_07.png").shape == (16, 16, 1)


@pytest.mark.parametrize(
    "spec_text, words",
    [
        ('{"zoom": [-0.5, 1.2]}', "zoom must be above 0"),
        ('{"rotation": 30}', "unknown augmentation setting 'rotation'"),
        ('{"rotation_degrees": "thirty"}', "rotation_degrees must be a number"),
        ('{"flip_up_down": "yes"}', "flip_up_down must be true or false"),
        ("{not json", "not valid JSON"),
    ],
)
def test_cli_bad_spec_exits_2(tmp_path, capsys, spec_text, words):
    image_path = write_png(tmp_path / "photo.png", photo(8, 8, 3))
    spec_path = tmp_path / "aug.json"
    spec_path.write_text(spec_text)
    code = main(["augment", image_path, "--spec", str(spec_path), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and words in err and err.count("\n") == 1
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "make_args, words",
    [
        (lambda t: [str(t / "notes.txt")], "is not an image"),
        (lambda t: [str(t / "missing.png")], "no such file"),
        (lambda t: [write_png(t / "p.png", photo(8, 8, 3)), "--n", "0"], "n must be"),
    ],
)
def test_cli_bad_image_or_count_exits_2(tmp_path, capsys, make_args, words):
    (tmp_path / "notes.txt").write_text("this is not a picture")
    spec_path = tmp_path / "aug.json"
    spec_path.write_text('{"zoom": [0.9, 1.1]}')
    args = make_args(tmp_path)
    code = main(
        ["augment", args[0], "--spec", str(spec_path), "--out", str(tmp_path / "out"), *args[1:]]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and words in err
    assert not (tmp_path / "out").exists()
