"""Every figure cnnviz draws has a text alternative that names its key numbers, and nothing
is told by colour alone (contrast: `test_figures_contrast`).

The builders are found by introspection: a new public function in `cnnviz.figures` fails
`test_every_public_function_is_a_figure_with_a_case_or_a_named_helper` until it is
listed in `tests.helpers_figure_cases` (a figure with a case, or a helper). Numbers are
checked against ones computed here (numpy, scikit-learn).
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import xml.etree.ElementTree as ET

import numpy as np
import plotly.graph_objects as go
import pytest
from sklearn.metrics import confusion_matrix, f1_score

import cnnviz.figures
from cnnviz import concepts
from cnnviz.figures.alt import FigureText, text_of, with_text
from cnnviz.figures.theme import for_projector
from cnnviz.metrics import classification_metrics
from tests.helpers_figure_cases import (
    DIFF,
    DISAGREE,
    FIGURES,
    FOUND,
    GRID,
    HEAT,
    HELPERS,
    HISTORY,
    KERNEL,
    KERNEL_WEIGHTS,
    MANY,
    MANY_LABELS,
    MANY_PER_CLASS,
    MAP,
    NAMES,
    OTHER,
    PER_CLASS,
    PICKED,
    SWEEP_ROWS,
    SWEPT,
    THIRD,
    TRACE,
    Y_PRED,
    Y_TRUE,
    build,
    prediction,
)
from tests.helpers_figures import CONV, DENSE, POOL, notes, valid


def public_functions() -> dict[str, object]:
    """Every public function defined in a module of cnnviz.figures, as "module.name"."""
    found = {}
    for info in pkgutil.iter_modules(cnnviz.figures.__path__):
        module = importlib.import_module(f"cnnviz.figures.{info.name}")
        for name, value in vars(module).items():
            if inspect.isfunction(value) and not name.startswith("_"):
                if value.__module__ == module.__name__:
                    found[f"{info.name}.{name}"] = value
    return found


def test_every_public_function_is_a_figure_with_a_case_or_a_named_helper():
    functions = public_functions()
    unlisted = set(functions) - set(FIGURES) - set(HELPERS)
    assert not unlisted, (
        f"a new figure builder? give it a text, and a case in helpers_figure_cases: {unlisted}"
    )
    assert not set(FIGURES) & set(HELPERS) and set(FIGURES) | set(HELPERS) == set(functions)
    for name, function in functions.items():
        returns = str(inspect.signature(function).return_annotation)
        if ("go.Figure" in returns or name.endswith("_figure")) and HELPERS.get(name) != "figure":
            assert name in FIGURES, f"{name} draws a figure: it needs a case"


@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_carries_a_one_sentence_summary_and_a_table(name):
    drawn = build(name)
    said, rows = text_of(drawn)
    assert said and "\n" not in said and len(said) < 600, said
    assert "&lt;" not in said and "<br>" not in said  # plain text, not plotly's
    assert rows and all(isinstance(row, dict) for row in rows)
    assert len({tuple(row) for row in rows}) == 1, "every row has the same columns"
    for row in rows:
        for value in row.values():
            assert value is None or isinstance(value, (str, int, float, bool)), (name, value)
    json.dumps(rows)  # plain values
    if isinstance(drawn, go.Figure):
        valid(drawn)
        assert text_of(for_projector(drawn)) == (said, rows), "the projector keeps it"
    elif isinstance(drawn, str):  # an SVG diagram: an image named by its summary
        root = ET.fromstring(drawn)
        assert root.get("role") == "img" and root.get("aria-label") == said
        assert root[0].tag.endswith("title") and root[0].text == said
    else:
        assert isinstance(drawn, FigureText)


def test_a_figure_without_a_text_is_refused_by_the_reader():
    with pytest.raises(ValueError, match="no text alternative"):
        text_of(go.Figure())
    with pytest.raises(ValueError, match="no <title>"):
        text_of("<svg></svg>")


def test_names_a_user_typed_are_plain_text_in_the_summary_but_never_tags_in_the_figure():
    typed = ["<b>cat</b>", "dog & <br>fox", "&amp;"]
    figure = build_confusion(typed)
    said, rows = text_of(figure)
    assert f"most confused: true {typed[2]} predicted as {typed[0]}, 2 images" in said
    assert [row["true class"] for row in rows] == typed
    assert f"predicted {typed[0]}" in rows[0]
    stored = json.dumps(figure.layout.meta)
    assert typed[0] not in stored and typed[1] not in stored and "&amp;amp;" in stored
    figure = with_text(go.Figure(), "<b>x</b>", [{"a <i>": "<b>y</b>"}])
    assert text_of(figure) == FigureText("<b>x</b>", [{"a <i>": "<b>y</b>"}])
    assert "<b>" not in json.dumps(figure.layout.meta)


def build_confusion(names):
    from cnnviz.figures.evaluation import confusion_matrix_figure

    return confusion_matrix_figure(classification_metrics(Y_TRUE, Y_PRED, names))


# --- the summaries name the key numbers -----------------------------------------------------


def close(expected):
    """Tables keep 6 significant digits (`alt.SIGNIFICANT`)."""
    return pytest.approx(expected, rel=1e-5)


def summary(name: str) -> str:
    return text_of(build(name)).summary


def table(name: str) -> list[dict]:
    return text_of(build(name)).table


def test_training_curves_say_how_the_loss_fell_and_where_validation_was_best():
    said = summary("training.training_curves")
    loss, val_loss = HISTORY["loss"], HISTORY["val_loss"]
    best = int(np.argmin(val_loss))
    assert f"Loss falls from {loss[0]:.2f} to {loss[-1]:.2f} over {len(loss)} epochs" in said
    assert f"validation loss is lowest at epoch {best + 1} ({val_loss[best]:.2f})" in said
    assert f"accuracy ends at {HISTORY['accuracy'][-1]:.1%}" in said
    assert f"(validation {HISTORY['val_accuracy'][-1]:.1%})" in said
    assert "epoch 5 is under way" in said and "0.07" in said
    rows = table("training.training_curves")
    assert [r["loss"] for r in rows] == loss and [r["epoch"] for r in rows] == [1, 2, 3, 4]
    assert [r["validation accuracy"] for r in rows] == HISTORY["val_accuracy"]
    from cnnviz.figures.training import training_curves

    assert "No epoch" in text_of(training_curves({})).summary


def test_class_curves_name_the_best_and_worst_class_at_the_marked_epoch():
    said = summary("training.class_accuracy_curves")
    at_2 = np.array([0.9, 0.7, 0.4])
    assert "3 classes over 3 epochs" in said
    best, worst = NAMES[int(np.argmax(at_2))], NAMES[int(np.argmin(at_2))]
    assert f"at epoch 2 {best} is highest (90.0%) and {worst} lowest (40.0%)" in said


def test_class_distribution_names_the_smallest_and_largest_class():
    said = summary("datasets.class_distribution_figure")
    train = [40, 12, 95]
    assert said.startswith("3 classes")
    assert f"train: {sum(train)} images" in said
    assert f"smallest class {NAMES[int(np.argmin(train))]} ({min(train)})" in said
    assert f"largest {NAMES[int(np.argmax(train))]} ({max(train)})" in said
    assert table("datasets.class_distribution_figure")[2] == {
        "class": "fox",
        "train": 95,
        "test": 20,
    }


def test_prediction_bars_name_the_answer_and_its_probability():
    p = np.array([0.1, 0.6, 0.05, 0.25])
    said = summary("predictions.prediction_bars")
    assert said.startswith(f"The model answers b with {p.max():.1%} probability")
    assert f"d {0.25:.1%}" in said
    rows = table("predictions.prediction_bars")
    assert [r["class"] for r in rows] == ["b", "d", "a"] and rows[0]["answer"] is True
    from cnnviz.figures.predictions import prediction_bars

    binary = prediction_bars(prediction([0.3, 0.7], ["horse", "human"], True))
    assert "human at 0.5 or more" in text_of(binary).summary


def test_gradcam_says_where_the_heatmap_is_strongest():
    said = summary("predictions.gradcam_overlay")
    row, col = np.unravel_index(np.argmax(HEAT), HEAT.shape)
    assert said.startswith("Where it looks for <b>cat: ")  # the page's title, as typed
    assert "strongest in the bottom right" in said
    assert f"peak, {HEAT.max():.2f}, is at row {row}, column {col}" in said
    rows = {r["region"]: r for r in table("predictions.gradcam_overlay")}
    assert rows["bottom right"]["mean"] == close(HEAT[6:9, 8:12].mean())
    assert len(rows) == 9 and rows["centre"]["highest"] == 0


def test_overview_names_the_layers_and_the_answer():
    said = summary("overview.network_overview")
    assert said.startswith("The input (8, 8, 1) passes through 2 layers of feature maps")
    assert "(conv2d, max_pooling2d)" in said and "3 class probabilities" in said
    assert said.endswith(f"the model answers dog ({0.5:.1%})")
    rows = {r["part"]: r for r in table("overview.network_overview")}
    assert rows["conv2d"]["lowest"] == close(CONV.output.min())
    assert rows["max_pooling2d"]["highest"] == close(POOL.output.max())
    assert rows["fox"]["probability"] == 0.3 and rows["dense"]["shape"] == "(3)"


def test_layer_maps_name_the_layer_its_channels_and_their_ranges():
    said = summary("maps.layer_maps")
    values = CONV.output
    means = values.mean(axis=(0, 1))
    assert said.startswith("conv2d (Conv2D) outputs 20 channels of 8×8 (9 drawn)")
    assert f"values from {values.min():.2f} to {values.max():.2f}" in said
    assert f"channel {int(np.argmax(means))} has the highest mean" in said
    rows = table("maps.layer_maps")
    assert len(rows) == 20 and rows[7]["highest"] == close(values[..., 7].max())
    from cnnviz.figures.maps import layer_maps

    dense = text_of(layer_maps(DENSE)).summary
    assert dense == "dense (Dense) outputs 3 values, from -2.00 (unit 1) to 1.00 (unit 0)"
    assert text_of(build("pixels.layer_grid")) == text_of(build("maps.layer_maps"))._replace(
        summary=said.replace(" (9 drawn)", "")
    )


def test_filters_name_their_count_size_and_weights():
    said = summary("maps.filters_figure")
    norms = np.linalg.norm(KERNEL_WEIGHTS.reshape(-1, 6), axis=0)
    assert said.startswith("6 filters of 3×3 over 4 input channels in conv2d_1")
    assert f"from {KERNEL_WEIGHTS.min():.2f} to {KERNEL_WEIGHTS.max():.2f}" in said
    assert f"filter {int(np.argmax(norms))} has the largest weights" in said
    assert table("maps.filters_figure")[3]["norm"] == close(norms[3])


def test_the_clickable_map_names_its_extremes_and_the_picked_pixel():
    said = summary("trace.clickable_map")
    low, high = (
        np.unravel_index(np.argmin(MAP), MAP.shape),
        np.unravel_index(np.argmax(MAP), MAP.shape),
    )
    assert said.startswith("conv2d, 3: 5×7 values")
    assert f"from {MAP.min():.2f} (row {low[0]}, column {low[1]})" in said
    assert f"to {MAP.max():.2f} (row {high[0]}, column {high[1]})" in said
    assert f"picked: row 3, column 4, {MAP[PICKED]:.2f}" in said
    rows = table("trace.clickable_map")
    assert rows[3]["column 4"] == close(MAP[PICKED]) and len(rows) == 5


def test_the_traced_arithmetic_is_written_out():
    said = summary("trace.trace_figure")
    total = float((TRACE.window * TRACE.kernel).sum())
    assert f"products of 4 input channels sum to {total:.4f}" in said
    assert f"plus bias 0.2500 is {total + 0.25:.4f} before the activation" in said
    assert f"relu gives {max(total + 0.25, 0):.4f}" in said
    rows = {r["step"]: r["value"] for r in table("trace.trace_figure")}
    assert rows["input channel 2 adds"] == close((TRACE.window * TRACE.kernel)[..., 2].sum())
    said = summary("trace.receptive_field_figure")
    assert "sees input rows 1 to 6 and columns 2 to 7: a 6×6 patch of the 10×10 image" in said


def test_the_confusion_matrix_names_accuracy_and_the_most_confused_pair():
    said = summary("evaluation.confusion_matrix_figure")
    matrix = confusion_matrix(Y_TRUE, Y_PRED)
    right = int(np.trace(matrix))
    assert said.startswith(f"Accuracy {right / len(Y_TRUE):.1%}: {right} of {len(Y_TRUE)}")
    off = matrix - np.diag(np.diag(matrix))
    t, p = np.unravel_index(np.argmax(off), off.shape)
    assert f"most confused: true {NAMES[t]} predicted as {NAMES[p]}, {off[t, p]} images" in said
    assert f"picked: true fox, predicted cat, {matrix[2, 0]} images" in said
    rows = table("evaluation.confusion_matrix_figure")
    assert [[r[f"predicted {n}"] for n in NAMES] for r in rows] == matrix.tolist()


def test_per_class_scores_name_the_best_and_worst_f1():
    said = summary("evaluation.per_class_metrics_figure")
    f1 = f1_score(Y_TRUE, Y_PRED, average=None)
    best, worst = int(np.argmax(f1)), int(np.argmin(f1))
    assert f"F1 is highest for {NAMES[best]} ({f1[best]:.2f})" in said
    assert f"lowest for {NAMES[worst]} ({f1[worst]:.2f})" in said
    assert [r["F1"] for r in table("evaluation.per_class_metrics_figure")] == close(f1)


def test_mistakes_and_a_cells_images_count_right_and_wrong():
    wrong = int((Y_TRUE != Y_PRED).sum())
    said = summary("mistakes.mistakes_figure")
    assert said.startswith(f"{wrong} mistakes, the first 2 drawn; the first: test image ")
    first = FOUND[0]
    assert f"true {first.true_name}, predicted {first.predicted_name}" in said
    assert [r["test image"] for r in table("mistakes.mistakes_figure")] == [
        m.index for m in FOUND[:2]
    ]
    in_cell = Y_TRUE == 2
    right = int((Y_PRED[in_cell] == 2).sum())
    said = summary("mistakes.cell_images_figure")
    assert said == (
        f"true fox: {in_cell.sum()} test images, {right} answered right and "
        f"{in_cell.sum() - right} wrong"
    )


def test_compared_runs_name_their_final_scores_and_changes():
    said = summary("compare.compare_curves")
    assert f"A after 4 epochs: validation accuracy {HISTORY['val_accuracy'][-1]:.1%}" in said
    assert f"B after 2 epochs: validation accuracy {OTHER['val_accuracy'][-1]:.1%}" in said
    assert len(table("compare.compare_curves")) == 6
    said = summary("compare.confusion_diff_figure")
    assert np.trace(DIFF) == 1
    assert said.startswith("B answers 1 test image more right than A")
    assert "true cat predicted as dog, -2 images" in said
    said = summary("compare.per_class_change_figure")
    change = (PER_CLASS[1] - PER_CLASS[0]) * 100
    assert f"better than A on {(change > 0).sum()} class" in said
    assert f"worse on {(change < 0).sum()} class" in said
    assert f"the largest change: cat, {change[0]:+.1f} points (50.0% to 75.0%)" in said
    said = summary("disagreements.disagreements_figure")
    a_right = sum(d.a.name == d.true_name for d in DISAGREE)
    b_right = sum(d.b.name == d.true_name for d in DISAGREE)
    assert said == (
        f"The two runs answer 5 test images differently (the first 3 drawn); of those drawn, "
        f"A is right on {a_right} and B is right on {b_right}"
    )


def test_many_runs_curves_say_where_each_run_ends_and_which_is_highest():
    said = summary("compare_many.runs_curves_figure")
    finals = [h["val_accuracy"][-1] for h in MANY]
    assert said.startswith("Validation accuracy of 3 runs, each at its last epoch: ")
    for history, label in zip(MANY, MANY_LABELS):
        ends = history["val_accuracy"]
        assert f"{label} {ends[-1]:.1%} (epoch {len(ends)})" in said
    k = int(np.argmax(finals))
    assert said.endswith(f"highest: {MANY_LABELS[k]} ({finals[k]:.1%}).")
    rows = table("compare_many.runs_curves_figure")
    assert len(rows) == sum(len(h["loss"]) for h in MANY)
    assert [r["validation loss"] for r in rows if r["run"] == "r3"] == THIRD["val_loss"]


def test_many_runs_per_class_name_each_runs_best_and_worst_class():
    said = summary("compare_many.per_class_runs_figure")
    for label, scores in zip(MANY_LABELS, MANY_PER_CLASS):
        best, worst = int(np.argmax(scores)), int(np.argmin(scores))
        assert (
            f"{label} best on {NAMES[best]} ({scores[best]:.1%}), worst on "
            f"{NAMES[worst]} ({scores[worst]:.1%})"
        ) in said
    k = int(np.argmax(np.ptp(MANY_PER_CLASS, axis=0)))
    column = MANY_PER_CLASS[:, k]
    assert (
        f"the runs differ most on {NAMES[k]} (from {column.min():.1%} to {column.max():.1%})"
        in said
    )
    rows = table("compare_many.per_class_runs_figure")
    assert [r["accuracy"] for r in rows] == close(MANY_PER_CLASS.T.ravel())


def scores_of(members) -> list[float]:
    return [accuracy for _, _, accuracy, _ in members if accuracy is not None]


def test_grouped_results_name_each_groups_mean_and_spread_and_what_mattered_most():
    said = summary("sweep.grouped_results_figure")
    means = {value: np.mean(scores_of(members)) for value, members in SWEPT.items()}
    for value, members in SWEPT.items():
        scores = scores_of(members)
        assert (
            f"{value:g} averages {np.mean(scores):.1%} (spread {np.std(scores) * 100:.1f} "
            f"points, {len(scores)} runs)"
        ) in said
    best, gap = max(means, key=means.get), max(means.values()) - min(means.values())
    assert f"The highest mean is learning_rate = {best:g}, {gap * 100:.1f} points above" in said
    by_batch = {}
    for row in SWEEP_ROWS:
        if row["test_accuracy"] is not None:
            by_batch.setdefault(row["batch_size"], []).append(row["test_accuracy"])
    batch_gap = np.ptp([np.mean(scores) for scores in by_batch.values()])
    assert batch_gap < gap
    assert said.endswith(
        f"of the 2 settings varied, learning_rate mattered most (next: batch_size, "
        f"{batch_gap * 100:.1f} points apart)."
    )
    rows = table("sweep.grouped_results_figure")
    assert [r["test accuracy"] for r in rows] == [m[2] for ms in SWEPT.values() for m in ms]


def test_group_curves_say_where_each_group_and_its_runs_end():
    said = summary("sweep.group_curves_figure")
    ends = {}
    for value, members in SWEPT.items():
        curves = [curve for *_, curve in members if curve]
        longest = max(map(len, curves))
        ends[value] = np.mean([c[-1] for c in curves if len(c) == longest])
        finals = [c[-1] for c in curves]
        assert f"{value:g} {ends[value]:.1%} at epoch {longest}" in said
        assert f"its {len(curves)} runs end from {min(finals):.1%} to {max(finals):.1%}" in said
    assert said.endswith(f"the best: learning_rate = {max(ends, key=ends.get):g}.")
    rows = table("sweep.group_curves_figure")
    high = [r["mean validation accuracy"] for r in rows if r["learning_rate"] == "0.01"]
    assert high == close([0.6, (0.9 + 0.88) / 2, 0.95])


def test_parallel_coordinates_name_the_best_runs_settings_and_accuracy():
    said = summary("parallel.parallel_coordinates_figure")
    scored = [row for row in SWEEP_ROWS if row["test_accuracy"] is not None]
    scores = [row["test_accuracy"] for row in scored]
    best = scored[int(np.argmax(scores))]
    assert said.startswith(
        f"{len(scored)} runs over learning_rate, batch_size: test accuracy from "
        f"{min(scores):.1%} to {max(scores):.1%}"
    )
    assert (
        f"the best run, {best['label']} ({best['test_accuracy']:.1%}), had learning_rate = "
        f"{best['learning_rate']:g}, batch_size = {best['batch_size']}"
    ) in said
    assert said.endswith(f"{len(SWEEP_ROWS) - len(scored)} run not tested yet.")
    rows = table("parallel.parallel_coordinates_figure")
    assert [r["run"] for r in rows] == [row["run_id"] for row in SWEEP_ROWS]
    assert [r["test accuracy"] for r in rows] == [row["test_accuracy"] for row in SWEEP_ROWS]


def test_the_concepts_diagrams_name_the_step_and_its_value():
    padded = np.pad(GRID, 1)
    row, col = divmod(5, 4)
    window = padded[row : row + 3, col : col + 3]
    value = int((window * KERNEL).sum())
    said = summary("concepts.convolution_figure")
    # the page's tests find each diagram by its name up to ", step N"
    assert said.startswith("convolution, step 6 of 16: the 3×3 window on rows 1 to 3, columns")
    assert f"gives {value} at row {row}, column {col} of the 4×4 output" in said
    rows = table("concepts.convolution_figure")
    assert len(rows) == 6 and rows[-1]["value"] == value
    said = summary("concepts.arithmetic_figure")
    assert said.startswith("convolution arithmetic, step 6: ")
    assert f"products that sum to {value}" in said
    assert [r["product"] for r in table("concepts.arithmetic_figure")] == (
        window * KERNEL
    ).ravel().tolist()
    said = summary("concepts.pooling_figure")
    assert said.startswith("pooling, step 3 of 4: ")
    block = GRID[2:4, 0:2]  # step 2 of a 2x2 output: row 1, column 0
    assert f"gives max {block.max()} and average {block.mean():g}" in said
    said = summary("concepts.transformer_text")
    assert "feature map 22×18" in said and "to 11×9" in said
    edges = concepts.transform_image(np.eye(12) * 255, concepts.KERNELS["vertical edges"])
    from cnnviz.figures.concepts import transformer_text

    share = (edges.feature_map < 0).mean()
    said, rows = transformer_text(edges)
    assert f"ReLU sets its negative values ({share:.1%} of it) to 0" in said
    assert rows[1]["lowest"] == edges.feature_map.min() and rows[3]["shape"] == "5×5"


def test_numbers_are_written_as_a_sentence_writes_them():
    from cnnviz.figures.alt import count, number, percent, plain

    assert [number(v) for v in (2.3, 0.08, -3.1, 1234.4, 0.0012, 0)] == [
        "2.30",
        "0.08",
        "-3.10",
        "1,234",
        "0.0012",
        "0",
    ]
    assert number(float("nan")) == "not a number" and number(float("-inf")) == "minus infinity"
    assert percent(0.875) == "87.5%" and count(1, "epoch") == "1 epoch"
    assert count(1200, "class", "classes") == "1,200 classes"
    assert plain("<b>a</b><br>&lt;b&gt; &amp;amp;") == "a <b> &amp;"


# --- nothing told by colour alone -------------------------------------------------------------


def test_right_and_wrong_answers_carry_a_mark_beside_their_colour():
    texts = notes(build("mistakes.mistakes_figure"))
    assert texts.count("✗") == 2  # one per image drawn
    texts = notes(build("mistakes.cell_images_figure"))
    in_cell = Y_TRUE == 2
    assert texts.count("✓ right") == int((Y_PRED[in_cell] == 2).sum())
    assert texts.count("✗ wrong") == int((Y_PRED[in_cell] != 2).sum())
    captions = notes(build("disagreements.disagreements_figure"))
    assert sum(c.endswith(("✓", "✗")) for c in captions) == 2 * len(DISAGREE)
    bars = build("predictions.prediction_bars").data[0]
    assert [t.endswith("answer") for t in bars.text] == [False, False, True]  # b, on top
    assert "<b>dog</b> ◀ answer" in notes(build("overview.network_overview"))
