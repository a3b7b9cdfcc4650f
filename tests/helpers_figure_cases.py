"""The figure builders' cases: small data, and each builder of `cnnviz.figures` called on
it by name ("module.function"), for the tests of text alternatives and of contrast.

A picture made of pixels is listed with what its page shows as alt text (its companion
``*_text``); `HELPERS` names the public functions that draw no figure of their own.
"""

from __future__ import annotations

import numpy as np

from cnnviz import concepts
from cnnviz.compare import Disagreement
from cnnviz.evaluate import Evaluation
from cnnviz.grouping import Effect, Group
from cnnviz.metrics import ClassScore, classification_metrics, top_classes
from cnnviz.mistakes import cell_images, mistakes
from cnnviz.predict import Prediction
from cnnviz.trace import Trace
from tests.helpers_figures import CONV, DENSE, FLAT, POOL, RNG

# --- fixture data --------------------------------------------------------------------------

NAMES = ["cat", "dog", "fox"]
Y_TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 1])
Y_PRED = np.array([0, 0, 1, 1, 1, 2, 0, 0, 2, 1])
METRICS = classification_metrics(Y_TRUE, Y_PRED, NAMES)
P = np.eye(3)[Y_PRED] * 0.8 + 0.2 / 3
ANSWERS = Evaluation(P, P, Y_PRED, METRICS)
IMAGES = RNG.integers(0, 255, size=(10, 6, 6, 1), dtype=np.uint8)
HISTORY = {
    "loss": [2.30, 0.90, 0.30, 0.08],
    "accuracy": [0.30, 0.70, 0.90, 0.97],
    "val_loss": [2.00, 0.50, 0.12, 0.20],
    "val_accuracy": [0.35, 0.72, 0.93, 0.95],
}
OTHER = {"loss": [1.5, 0.6], "val_loss": [1.4, 0.7], "accuracy": [0.5, 0.8]}
OTHER["val_accuracy"] = [0.45, 0.81]
GRID = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]])
KERNEL = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]])
CONVOLVED = concepts.convolve(GRID, KERNEL, stride=1, padding="same")
POOLED = [concepts.pool(GRID, size=2, stride=2, mode=m) for m in ("max", "average")]
STAGES = concepts.transform_image(RNG.integers(0, 255, (24, 20, 3)), concepts.KERNELS["blur"])
HEAT = np.zeros((9, 12))
HEAT[6:9, 8:12] = 0.5  # the bottom right third
HEAT[7, 10] = 1.0


def prediction(probabilities, names, binary=False) -> Prediction:
    p = np.asarray(probabilities, dtype=float)
    top = tuple(top_classes(p, names, k=3))
    return Prediction("x.png", p, top[0].index, top[0].name, top, binary)


def hand_trace() -> Trace:
    window, kernel = RNG.random((3, 3, 4)), RNG.normal(size=(3, 3, 4))
    pre = float((window * kernel).sum() + 0.25)
    return Trace(
        layer="conv2d_1",
        type="Conv2D",
        channel=5,
        row=1,
        col=2,
        window=window,
        padded=np.zeros((3, 3), bool),
        kernel=kernel,
        input_channels=(0, 1, 2, 3),
        origin=(0, 1),
        dilation=(1, 1),
        bias=0.25,
        pre_activation=pre,
        activation="relu",
        value=max(pre, 0.0),
        keras_value=max(pre, 0.0),
        receptive_field=(1, 2, 6, 7),
    )


TRACE = hand_trace()
KERNEL_WEIGHTS = RNG.normal(size=(3, 3, 4, 6))
MAP = RNG.normal(size=(5, 7))
PICKED = (3, 4)
DISAGREE = [
    Disagreement(7, IMAGES[0], "cat", ClassScore(1, "dog", 0.8), ClassScore(0, "cat", 0.6)),
    Disagreement(9, IMAGES[1], "fox", ClassScore(2, "fox", 0.9), ClassScore(0, "cat", 0.55)),
    Disagreement(4, IMAGES[2], "dog", ClassScore(1, "dog", 0.7), ClassScore(2, "fox", 0.5)),
]
PER_CLASS = np.array([[0.5, 1.0, 0.6], [0.75, 0.9, 0.6]])
DIFF = np.array([[2, -2, 0], [0, 0, 0], [1, 0, -1]])
FOUND = mistakes(IMAGES, Y_TRUE, ANSWERS, NAMES)
CELL = cell_images(IMAGES, Y_TRUE, ANSWERS, NAMES, true=2, predicted=0) + cell_images(
    IMAGES, Y_TRUE, ANSWERS, NAMES, true=2, predicted=2
)

# a sweep over the learning rate: value -> its runs (id, desk, test accuracy, validation
# accuracy per epoch); r3 is not tested and has no epoch yet
SWEPT = {
    0.001: [
        ("r1", "ada", 0.80, [0.5, 0.7, 0.8]),
        ("r2", "bob", 0.84, [0.5, 0.7, 0.82]),
        ("r3", "cy", None, []),
    ],
    0.01: [("r4", "dee", 0.90, [0.6, 0.9]), ("r5", "<b>eve</b>", 0.96, [0.6, 0.88, 0.95])],
}
BATCH = {"r1": 16, "r2": 64, "r3": 16, "r4": 16, "r5": 64}  # the sweep's second setting


def swept_group(value, members) -> Group:
    """A group as `cnnviz.grouping` makes one, its numbers computed here with numpy."""
    tested = np.array([a for _, _, a, _ in members if a is not None])
    curves = [c for *_, c in members if c]
    padded = np.full((len(curves), max(map(len, curves))), np.nan)
    for i, curve in enumerate(curves):
        padded[i, : len(curve)] = curve
    return Group(
        value,
        tuple(m[0] for m in members),
        tuple(m[1] for m in members),
        tuple(m[2] for m in members),
        float(np.mean(tested)),
        float(np.std(tested)),
        {"val_accuracy": np.nanmean(padded, axis=0).tolist()},
        tuple({"val_accuracy": c} if c else {} for *_, c in members),
    )


GROUPS = [swept_group(value, members) for value, members in SWEPT.items()]
SWEEP_ROWS = [
    {"run_id": r, "label": desk, "learning_rate": value, "batch_size": BATCH[r],
     "test_accuracy": accuracy}
    for value, members in SWEPT.items()
    for r, desk, accuracy, _ in members
]  # fmt: skip


def batch_mean(batch: int) -> float:
    """The mean test accuracy of the tested runs with this batch size."""
    tested = [r["test_accuracy"] for r in SWEEP_ROWS if r["batch_size"] == batch]
    return float(np.mean([a for a in tested if a is not None]))


EFFECTS = [  # each setting's spread of group means, as `grouping.effects` ranks them
    Effect("learning_rate", GROUPS[1].mean - GROUPS[0].mean, 0.01, GROUPS[1].mean),
    Effect("batch_size", batch_mean(64) - batch_mean(16), 64, batch_mean(64)),
]
THIRD = {"loss": [1.2], "accuracy": [0.6], "val_loss": [1.3], "val_accuracy": [0.55]}
MANY = [HISTORY, OTHER, THIRD]
MANY_LABELS = ["ada: r1", "<i>bob</i>: r2", "r3"]
MANY_PER_CLASS = np.array([[0.5, 1.0, 0.6], [0.75, 0.9, 0.6], [0.9, 0.4, 0.7]])


def build(name: str):
    """What the builder `module.function` makes of the data above (a picture made of
    pixels: its companion text); its text alternative is `alt.text_of` of it."""
    from cnnviz.figures import (
        compare,
        compare_many,
        datasets,
        disagreements,
        evaluation,
        maps,
        overview,
        parallel,
        pixels,
        predictions,
        sweep,
        trace,
        training,
    )
    from cnnviz.figures import concepts as drawings
    from cnnviz.figures import mistakes as wrong

    cases = {
        "training.training_curves": lambda: training.training_curves(
            HISTORY, batch_curve={"epoch": [4.5], "loss": [0.07], "accuracy": [0.98]}
        ),
        "training.class_accuracy_curves": lambda: training.class_accuracy_curves(
            [[0.5, 0.9, 0.8], [0.6, 0.7, 0.95], [0.2, 0.4, 0.3]], NAMES, marked=2
        ),
        "datasets.class_distribution_figure": lambda: datasets.class_distribution_figure(
            NAMES, {"train": [40, 12, 95], "test": [10, 3, 20]}
        ),
        "predictions.prediction_bars": lambda: predictions.prediction_bars(
            prediction([0.1, 0.6, 0.05, 0.25], list("abcd"))
        ),
        "predictions.gradcam_overlay": lambda: predictions.gradcam_overlay(
            RNG.random((9, 12, 3)), HEAT, title="Where it looks for &lt;b&gt;cat"
        ),
        "overview.network_overview": lambda: overview.network_overview(
            RNG.random((8, 8, 1)), [CONV, POOL, FLAT, DENSE], [0.2, 0.5, 0.3], NAMES, predicted=1
        ),
        "maps.layer_maps": lambda: maps.layer_maps(CONV, max_channels=9),
        "maps.filters_figure": lambda: maps.filters_figure(KERNEL_WEIGHTS, layer_name="conv2d_1"),
        "trace.clickable_map": lambda: trace.clickable_map(MAP, title="conv2d, 3", picked=PICKED),
        "trace.trace_figure": lambda: trace.trace_figure(TRACE, max_channels=2),
        "trace.receptive_field_figure": lambda: trace.receptive_field_figure(
            RNG.random((10, 10, 1)), TRACE
        ),
        "evaluation.confusion_matrix_figure": lambda: evaluation.confusion_matrix_figure(
            METRICS, picked=(2, 0)
        ),
        "evaluation.per_class_metrics_figure": lambda: evaluation.per_class_metrics_figure(METRICS),
        "mistakes.mistakes_figure": lambda: wrong.mistakes_figure(FOUND, max_images=2),
        "mistakes.cell_images_figure": lambda: wrong.cell_images_figure(
            CELL, [HEAT[:6, :6]] * len(CELL), title="true fox"
        ),
        "compare.compare_curves": lambda: compare.compare_curves([HISTORY, OTHER]),
        "compare.confusion_diff_figure": lambda: compare.confusion_diff_figure(DIFF, NAMES),
        "compare.per_class_change_figure": lambda: compare.per_class_change_figure(
            PER_CLASS, NAMES
        ),
        "disagreements.disagreements_figure": lambda: disagreements.disagreements_figure(
            DISAGREE, total=5
        ),
        "compare_many.runs_curves_figure": lambda: compare_many.runs_curves_figure(
            MANY, MANY_LABELS
        ),
        "compare_many.per_class_runs_figure": lambda: compare_many.per_class_runs_figure(
            MANY_PER_CLASS, NAMES, MANY_LABELS
        ),
        "sweep.grouped_results_figure": lambda: sweep.grouped_results_figure(
            GROUPS, setting="learning_rate", effects=EFFECTS
        ),
        "sweep.group_curves_figure": lambda: sweep.group_curves_figure(
            GROUPS, setting="learning_rate"
        ),
        "parallel.parallel_coordinates_figure": lambda: parallel.parallel_coordinates_figure(
            SWEEP_ROWS, ["learning_rate", "batch_size"]
        ),
        "concepts.convolution_figure": lambda: drawings.convolution_figure(CONVOLVED, 5),
        "concepts.arithmetic_figure": lambda: drawings.arithmetic_figure(CONVOLVED, 5),
        "concepts.pooling_figure": lambda: drawings.pooling_figure(*POOLED, 2),
        # pictures made of pixels: the picture, then its companion text
        "concepts.transformer_images": lambda: (
            drawings.transformer_images(STAGES) and drawings.transformer_text(STAGES)
        ),
        "concepts.transformer_text": lambda: drawings.transformer_text(STAGES),
        "pixels.layer_grid": lambda: (
            pixels.layer_grid(CONV) is not None and pixels.layer_grid_text(CONV)
        ),
        "pixels.layer_grid_text": lambda: pixels.layer_grid_text(CONV),
    }
    return cases[name]()


FIGURES = [
    "training.training_curves",
    "training.class_accuracy_curves",
    "datasets.class_distribution_figure",
    "predictions.prediction_bars",
    "predictions.gradcam_overlay",
    "overview.network_overview",
    "maps.layer_maps",
    "maps.filters_figure",
    "trace.clickable_map",
    "trace.trace_figure",
    "trace.receptive_field_figure",
    "evaluation.confusion_matrix_figure",
    "evaluation.per_class_metrics_figure",
    "mistakes.mistakes_figure",
    "mistakes.cell_images_figure",
    "compare.compare_curves",
    "compare.confusion_diff_figure",
    "compare.per_class_change_figure",
    "disagreements.disagreements_figure",
    "compare_many.runs_curves_figure",
    "compare_many.per_class_runs_figure",
    "sweep.grouped_results_figure",
    "sweep.group_curves_figure",
    "parallel.parallel_coordinates_figure",
    "concepts.convolution_figure",
    "concepts.arithmetic_figure",
    "concepts.pooling_figure",
    "concepts.transformer_images",
    "concepts.transformer_text",
    "pixels.layer_grid",
    "pixels.layer_grid_text",
]
HELPERS = {  # public functions that draw no figure of their own: pieces, transforms, readers
    **dict.fromkeys(["alt.count", "alt.extremes", "alt.layer_text", "alt.number"]),
    **dict.fromkeys(["alt.percent", "alt.plain", "alt.svg_parts", "alt.text_of"]),
    **dict.fromkeys(["base.as_text", "base.axis_suffix", "base.base_layout"]),
    **dict.fromkeys(["base.class_bars_layout", "compare.capped_losses"]),
    "compare.run_curve_traces": None,  # one run's curves, for two runs' and many runs'
    **dict.fromkeys(["base.hidden_axis", "base.note", "base.paper_text", "base.picture_trace"]),
    **dict.fromkeys(["base.png_uri", "base.shape_label", "contrast.contrast_ratio"]),
    **dict.fromkeys(["contrast.ink_on", "contrast.luminance", "contrast.readable"]),
    **dict.fromkeys(["pixels.feature_map_rgb", "pixels.filter_images", "pixels.rgb_pixels"]),
    **dict.fromkeys(["pixels.fit_within", "pixels.heat_overlay"]),
    "predictions.gradcam_picture": None,  # a picture and its sentence, for the live camera
    **dict.fromkeys(["pixels.normalize_channels", "pixels.symmetric_range", "pixels.tile_maps"]),
    **dict.fromkeys(["svg.cell_font_size", "svg.cell_size", "svg.cell_text", "svg.panels_svg"]),
    **dict.fromkeys(["svg.scale_colors", "training.curves_layout", "training.history_rows"]),
    **dict.fromkeys(["sweep.value_text"]),
    # these take or make a plotly figure without drawing one of their own
    **dict.fromkeys(["alt.with_text", "base.make_figure", "theme.for_projector"], "figure"),
}
