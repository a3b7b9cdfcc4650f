"""Feature maps, filters, evaluation and mistakes (cnnviz.inspect).

Oracles: the spec's own shape inference, Keras's per-layer outputs and kernels,
scikit-learn's metrics, and values computed by hand on a model whose weights are set
by hand.
"""

import gc
import weakref

import numpy as np
import pytest
from sklearn import metrics as skm

from cnnviz import inspect, presets
from cnnviz.build import build_model, to_keras_code
from cnnviz.data import load_dataset, rescale
from cnnviz.errors import CnnvizError
from cnnviz.spec import ModelSpec, validate
from tests.helpers_inspect import save_run, trained_digits

SHAPE_PRESETS = ["digits-small", "shapes-small", "lab-7.02-pooling", "lab-cifar100", "lenet-5"]


def preset_model(name: str):
    preset = presets.PRESETS[name]
    report = validate(preset.spec, input_shape=preset.input_shape, num_classes=preset.num_classes)
    return build_model(report), report


def random_image(shape, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


# --- feature maps -------------------------------------------------------------------


@pytest.mark.parametrize("name", SHAPE_PRESETS)
def test_feature_map_shapes_match_the_spec_shape_inference(name):
    model, report = preset_model(name)
    activations = inspect.feature_maps(model, random_image(report.input_shape))
    assert [a.name for a in activations] == [row.name for row in report.rows]
    assert [a.type for a in activations] == [row.type for row in report.rows]
    assert [a.output.shape for a in activations] == [row.output_shape for row in report.rows]
    assert [a.is_spatial for a in activations] == [
        len(row.output_shape) == 3 for row in report.rows
    ]


def test_feature_maps_equal_the_keras_layers_applied_one_after_another():
    model, report = preset_model("lab-cifar100")  # batch norm and dropout: inference mode
    image = random_image(report.input_shape, seed=1)
    activations = inspect.feature_maps(model, image[None])
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
        inspect.feature_maps(model, image), inspect.feature_maps(sequential, image), strict=True
    ):
        # Auto names of a Sequential depend on Keras's process-wide counters: compare types.
        assert ours.type == theirs.type
        np.testing.assert_allclose(ours.output, theirs.output, rtol=1e-5, atol=1e-6)


def test_feature_maps_reuse_one_extractor_per_model_and_forget_it_with_the_model():
    model, report = preset_model("digits-small")
    image = random_image(report.input_shape)
    inspect.feature_maps(model, image)
    first = inspect.cached(model, "features", lambda: pytest.fail("not cached"))
    inspect.feature_maps(model, image)
    assert inspect.cached(model, "features", lambda: None) is first
    gone = weakref.ref(model)
    del model, first
    gc.collect()
    assert gone() is None


def test_feature_maps_refuse_an_image_of_the_wrong_shape():
    model, _ = preset_model("digits-small")
    with pytest.raises(CnnvizError, match=r"\[8, 8, 1\].*\[28, 28, 1\]"):
        inspect.feature_maps(model, np.zeros((28, 28, 1), np.float32))


def test_normalize_channels_is_the_labs_formula_by_hand():
    maps = np.zeros((2, 2, 2))
    maps[..., 0] = [[0, 2], [4, 6]]  # mean 3, std sqrt(5)
    maps[..., 1] = 7.0  # constant: mid grey
    out = inspect.normalize_channels(maps)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out[..., 0], [[42, 99], [156, 213]])
    np.testing.assert_array_equal(out[..., 1], np.full((2, 2), 128))
    spike = np.zeros((8, 8, 1))
    spike[0, 0, 0] = 1.0  # (1 - 1/64) / (sqrt(63)/64) * 64 + 128 = 636: clipped
    out = inspect.normalize_channels(spike)
    assert out[0, 0, 0] == 255 and out[1, 1, 0] == 119  # 128 - 64/sqrt(63) = 119.9


def test_symmetric_range_is_the_largest_absolute_value():
    assert inspect.symmetric_range(np.array([[-3.0, 2.0], [0.5, 1.0]])) == 3.0
    assert inspect.symmetric_range(np.zeros((4, 4, 2))) == 1.0


def test_layer_grid_tiles_normalised_maps_with_white_gaps():
    maps = random_image((8, 8, 32), seed=3)
    grid = inspect.layer_grid(inspect.LayerActivation("c", "Conv2D", maps), cell_px=48, gap=2)
    assert grid.shape == (6 * 50 - 2, 6 * 50 - 2)  # 32 maps: 6 columns, 6 rows of 48+2
    normalised = inspect.normalize_channels(maps)
    np.testing.assert_array_equal(grid[:48, :48], np.kron(normalised[..., 0], np.ones((6, 6))))
    np.testing.assert_array_equal(
        grid[50:98, 100:148], np.kron(normalised[..., 8], np.ones((6, 6)))
    )
    assert (grid[48:50, :] == 255).all() and (grid[:, 48:50] == 255).all()
    flat = inspect.layer_grid(inspect.LayerActivation("d", "Dense", np.arange(10.0)), cell_px=48)
    assert flat.shape == (24, 240)
    assert flat[0, 0] < flat[0, -1]


# --- filters ------------------------------------------------------------------------


def test_filters_are_the_convolution_kernels():
    model, _ = preset_model("lab-7.02-pooling")
    assert inspect.conv_layer_names(model) == ["conv2d", "conv2d_1"]
    first = inspect.filters(model)
    np.testing.assert_array_equal(first, model.get_layer("conv2d").kernel.numpy())
    assert first.shape == (3, 3, 1, 64)
    assert inspect.filters(model, "conv2d_1").shape == (3, 3, 64, 64)
    with pytest.raises(CnnvizError, match="'flatten' is not a convolution.*conv2d, conv2d_1"):
        inspect.filters(model, "flatten")


def test_a_model_without_convolutions_has_no_filters():
    spec = ModelSpec.from_dict(
        {
            "input_shape": [4, 4, 1],
            "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 2, "activation": "softmax"}],
        }
    )
    with pytest.raises(CnnvizError, match="no convolution layer"):
        inspect.filters(build_model(spec))


def test_first_layer_colour_filters_share_one_min_max_scale():
    kernel = np.zeros((1, 2, 3, 2), np.float32)
    kernel[0, 0, :, 0] = [-1.0, 0.0, 1.0]
    kernel[0, 1, :, 1] = [3.0, 1.0, -1.0]
    images = inspect.filter_images(kernel)  # min -1, max 3
    assert images.shape == (2, 1, 2, 3)
    np.testing.assert_allclose(images[0, 0, 0], [0.0, 0.25, 0.5])
    np.testing.assert_allclose(images[1, 0, 1], [1.0, 0.5, 0.0])
    np.testing.assert_allclose(images[1, 0, 0], [0.25, 0.25, 0.25])  # zeros
    with pytest.raises(CnnvizError, match="3 channels"):
        inspect.filter_images(np.zeros((3, 3, 1, 4)))


# --- evaluation and mistakes on a model with weights set by hand ----------------------


@pytest.fixture(scope="module")
def pixel_model():
    """2x2 images -> Flatten -> Dense(3, softmax), logits 10 * pixel k for class k."""
    spec = ModelSpec.from_dict(
        {
            "input_shape": [2, 2, 1],
            "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 3, "activation": "softmax"}],
        }
    )
    model = build_model(spec)
    kernel = np.zeros((4, 3), np.float32)
    kernel[[0, 1, 2], [0, 1, 2]] = 10.0
    model.get_layer("dense").set_weights([kernel, np.zeros(3, np.float32)])
    return model


def pixel_images(bright: list[int]) -> np.ndarray:
    images = np.zeros((len(bright), 2, 2, 1), np.float32)
    for i, k in enumerate(bright):
        images[i].reshape(-1)[k] = 1.0
    return images


Y_TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2])
BRIGHT = [0, 0, 1, 1, 1, 2, 0, 2]  # what the model predicts for each image


def test_evaluation_matches_the_confusion_matrix_and_metrics_computed_by_hand(pixel_model):
    result = inspect.evaluate(pixel_model, pixel_images(BRIGHT), Y_TRUE, ["a", "b", "c"])
    np.testing.assert_array_equal(result.predicted, BRIGHT)
    m = result.metrics
    np.testing.assert_array_equal(m.confusion_matrix, [[2, 1, 0], [0, 2, 0], [1, 0, 2]])
    assert m.accuracy == pytest.approx(6 / 8)
    np.testing.assert_allclose(m.precision, [2 / 3, 2 / 3, 1.0])
    np.testing.assert_allclose(m.recall, [2 / 3, 1.0, 2 / 3])
    np.testing.assert_allclose(m.f1, [2 / 3, 0.8, 0.8])
    np.testing.assert_array_equal(m.support, [3, 2, 3])
    np.testing.assert_allclose(m.normalized(), [[2 / 3, 1 / 3, 0], [0, 1, 0], [1 / 3, 0, 2 / 3]])
    assert m.class_names == ("a", "b", "c")
    big, small = np.exp(10) / (np.exp(10) + 2), 1 / (np.exp(10) + 2)
    np.testing.assert_allclose(result.probabilities[2], [small, big, small], rtol=1e-5)


def test_mistakes_by_hand_and_one_confusion_matrix_cell(pixel_model):
    images = pixel_images(BRIGHT)
    probabilities = inspect.evaluate(pixel_model, images, Y_TRUE, ["a", "b", "c"]).probabilities
    found = inspect.mistakes(images, Y_TRUE, probabilities, ["a", "b", "c"])
    assert [(m.index, m.true_name, m.predicted_name) for m in found] == [
        (2, "a", "b"),
        (6, "c", "a"),
    ]
    cell = inspect.mistakes(images, Y_TRUE, probabilities, ["a", "b", "c"], true="c", predicted=0)
    assert [m.index for m in cell] == [6]
    np.testing.assert_array_equal(cell[0].image, images[6])
    assert [s.name for s in cell[0].top] == ["a", "c", "b"]  # the tie goes to the later class
    assert cell[0].confidence == pytest.approx(np.exp(10) / (np.exp(10) + 2), rel=1e-5)
    assert inspect.mistakes(images, Y_TRUE, probabilities, ["a", "b", "c"], true=1) == []
    with pytest.raises(CnnvizError, match="class index 0..2 or a class name.*'z'"):
        inspect.mistakes(images, Y_TRUE, probabilities, ["a", "b", "c"], predicted="z")


def test_mistakes_come_most_confident_first_and_obey_the_limit():
    probabilities = np.array([[0.4, 0.6], [0.1, 0.9], [0.9, 0.1], [0.3, 0.7]])
    y_true = np.array([0, 0, 0, 0])
    found = inspect.mistakes(
        np.zeros((4, 1, 1, 1)), y_true, probabilities, ["x", "y"], top_k=1, limit=2
    )
    assert [m.index for m in found] == [1, 3]
    assert [len(m.top) for m in found] == [1, 1]


def test_one_sigmoid_unit_gives_two_class_probabilities_with_the_half_threshold():
    outputs = np.array([[0.2], [0.5], [0.9]])
    probabilities = inspect.class_probabilities(outputs)
    np.testing.assert_allclose(probabilities, [[0.8, 0.2], [0.5, 0.5], [0.1, 0.9]])
    np.testing.assert_array_equal(inspect.predicted_from(probabilities), [0, 1, 1])


def test_evaluation_of_a_trained_model_agrees_with_sklearn_on_keras_predictions():
    model, _, dataset, _ = trained_digits()
    images, labels = rescale(dataset.test.images), dataset.test.labels
    result = inspect.evaluate(model, images, labels, list(dataset.info.class_names), batch_size=100)
    predicted = model.predict(images, verbose=0).argmax(axis=1)
    np.testing.assert_array_equal(result.predicted, predicted)
    np.testing.assert_array_equal(
        result.metrics.confusion_matrix, skm.confusion_matrix(labels, predicted)
    )
    assert result.metrics.accuracy == pytest.approx(skm.accuracy_score(labels, predicted))
    assert result.metrics.accuracy > 0.8
    wrong = inspect.mistakes(
        dataset.test.images, labels, result.probabilities, list(dataset.info.class_names)
    )
    assert len(wrong) == int((predicted != labels).sum())
    for true, guess in [(m.true, m.predicted) for m in wrong[:5]]:
        cell = inspect.mistakes(
            dataset.test.images,
            labels,
            result.probabilities,
            list(dataset.info.class_names),
            true=true,
            predicted=guess,
        )
        assert len(cell) == result.metrics.confusion_matrix[true, guess]


def test_a_runs_test_split_is_reloaded_from_its_config(runs_dir):
    model, report, dataset, history = trained_digits()
    run = save_run(model, report.spec, dataset, history, runs_dir)
    test = inspect.run_test_split(run)
    np.testing.assert_array_equal(test.images, load_dataset("digits").test.images)
    run.config["class_names"] = [f"digit {i}" for i in range(10)]
    with pytest.raises(CnnvizError, match="cannot be evaluated"):
        inspect.run_test_split(run)


def test_tile_maps_places_map_k_in_row_k_div_columns_with_gaps():
    maps = np.arange(2 * 3 * 5, dtype=float).reshape(2, 3, 5)
    grid = inspect.tile_maps(maps, columns=2, gap=1)
    assert grid.shape == (3 * 3 - 1, 2 * 4 - 1)  # 5 maps: 3 rows of 2
    np.testing.assert_array_equal(grid[3:5, 4:7], maps[..., 3])
    np.testing.assert_array_equal(grid[6:8, 0:3], maps[..., 4])
    assert np.isnan(grid[2]).all() and np.isnan(grid[:, 3]).all()
    assert np.isnan(grid[6:8, 4:7]).all()  # no sixth map
    assert inspect.tile_maps(maps, gap=0, fill=0).shape == (4, 9)  # 3 columns by default


def test_each_model_is_traced_once_and_never_warned_about_retracing(caplog):
    for seed in range(6):  # a session inspects model after model
        model, report = preset_model("digits-small")
        for _ in range(3):
            inspect.feature_maps(model, random_image(report.input_shape, seed=seed))
            inspect.predict_probabilities(model, random_image((5, *report.input_shape)))
        for key in ("features", "call"):
            graph = inspect.cached(model, key, lambda: pytest.fail("not cached"))
            assert graph.experimental_get_tracing_count() == 1
    assert "retracing" not in caplog.text
