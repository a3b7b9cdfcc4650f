"""Two runs side by side: what was changed between them, and what it changed.

`compare_runs` answers the learner's question after a second try: which settings differ
(hyper-parameters, augmentation, data), how the layer stacks differ layer by layer (with
Keras's own parameter counts, from `cnnviz.spec.validate`, no TensorFlow needed), how
the test accuracies differ, and, when both runs were tested on the same images, how
every class and every confusion-matrix cell moved and which test images the two answer
differently. The `compare --json` document of issue 17 is `Comparison.to_dict()`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from difflib import SequenceMatcher
from typing import Any

import numpy as np

from cnnviz.augment import AugmentSpec
from cnnviz.metrics import ClassScore
from cnnviz.origins import canonical
from cnnviz.plan import TrainConfig
from cnnviz.spec import LayerRow, Report
from cnnviz.uploads import dataset_label

__all__ = [
    "CHANGES",
    "DATA_SETTINGS",
    "Comparison",
    "Disagreement",
    "LayerChange",
    "compare_runs",
    "layers_diff",
    "run_settings",
    "settings_diff",
]

CHANGES = ("same", "changed", "added", "removed")
DATA_SETTINGS = ("dataset", "image_size", "limit")  # config.json entries naming the data
TRAINING_SETTINGS = tuple(f.name for f in fields(TrainConfig))
AUGMENT_SETTINGS = tuple(f.name for f in fields(AugmentSpec))
START_SETTINGS = ("init_from",)  # the run whose weights it started from ("fine-tune")


def _plain(value: Any) -> Any:
    """A value as plain JSON types (tuples become lists), for equal-means-equal."""
    return json.loads(json.dumps(value))


def run_settings(config: dict[str, Any]) -> dict[str, Any]:
    """Every setting of a run by its field name, in the order of `settings_diff`.

    Args:
        config: a run's config.json.

    Returns:
        The data settings (dataset, image_size, limit), the `TrainConfig` fields (None
        where an old run did not record one) and the `AugmentSpec` fields (the identity
        for a run without augmentation), then the run it started from (`init_from`), as
        plain JSON values.
    """
    training = config.get("training") or {}
    augment = {**AugmentSpec().to_dict(), **(config.get("augment") or {})}
    values = {name: config.get(name) for name in DATA_SETTINGS}
    values["dataset"] = canonical(values.get("dataset"))  # an old upload's id: its new one
    values.update({name: training.get(name) for name in TRAINING_SETTINGS})
    values.update({name: augment.get(name) for name in AUGMENT_SETTINGS})
    values.update({name: config.get(name) for name in START_SETTINGS})
    return _plain(values)


def settings_diff(config_a: dict[str, Any], config_b: dict[str, Any]) -> dict[str, list[Any]]:
    """The settings whose values differ: {"learning_rate": [0.003, 0.001], ...}."""
    a, b = run_settings(config_a), run_settings(config_b)
    return {name: [a[name], b[name]] for name in a if a[name] != b[name]}


# --- the layer stacks -------------------------------------------------------------------


@dataclass(frozen=True)
class LayerChange:
    """One row of the aligned layer stacks.

    Attributes:
        index: the row, from 0.
        change: "same" (type and settings equal), "changed" (same type, other
            settings), "added" (only in B) or "removed" (only in A).
        a, b: the layer as written in each spec ({"type": ..., **params}), None
            where it is missing.
        params: weights of the layer in each run (None where missing). A "same"
            layer's count still differs when its input changed shape.
        numbers: its 1-based position in each stack (None where missing).
        differences: setting -> [value in A, value in B], defaults filled in.
        output_shapes: its output shape in each run, without the batch axis.
    """

    index: int
    change: str
    a: dict[str, Any] | None
    b: dict[str, Any] | None
    params: tuple[int | None, int | None]
    numbers: tuple[int | None, int | None] = (None, None)
    differences: dict[str, list[Any]] = field(default_factory=dict)
    output_shapes: tuple[tuple[int, ...] | None, tuple[int, ...] | None] = (None, None)

    def to_dict(self) -> dict[str, Any]:
        """One `layers_diff` entry of the `compare --json` document."""
        return {
            "index": self.index,
            "change": self.change,
            "a": self.a,
            "b": self.b,
            "params": list(self.params),
        }


def _key(row: LayerRow) -> str:
    return json.dumps([row.type, _plain(row.params)], sort_keys=True)


def _pairs(rows_a, rows_b):
    """(row of A or None, row of B or None) in stack order: layers equal in type and
    settings are matched first, then, between them, layers of the same type."""
    whole = SequenceMatcher(None, [_key(r) for r in rows_a], [_key(r) for r in rows_b], False)
    for tag, i1, i2, j1, j2 in whole.get_opcodes():
        if tag == "equal":
            yield from zip(rows_a[i1:i2], rows_b[j1:j2])
            continue
        part_a, part_b = rows_a[i1:i2], rows_b[j1:j2]
        types = SequenceMatcher(None, [r.type for r in part_a], [r.type for r in part_b], False)
        for tag2, k1, k2, l1, l2 in types.get_opcodes():
            if tag2 == "equal":
                yield from zip(part_a[k1:k2], part_b[l1:l2])
            else:
                yield from ((row, None) for row in part_a[k1:k2])
                yield from ((None, row) for row in part_b[l1:l2])


def _differences(a: LayerRow, b: LayerRow) -> dict[str, list[Any]]:
    pa, pb = _plain(a.params), _plain(b.params)
    return {k: [pa.get(k), pb.get(k)] for k in dict.fromkeys([*pa, *pb]) if pa.get(k) != pb.get(k)}


def layers_diff(report_a: Report, report_b: Report) -> list[LayerChange]:
    """The two layer stacks aligned row by row (difflib's SequenceMatcher).

    Args:
        report_a, report_b: `cnnviz.spec.Report`s of the two specs, validated against
            their runs' data (shapes and parameter counts resolved).
    """
    spec_a, spec_b = report_a.spec.layers, report_b.spec.layers
    changes = []
    for index, (a, b) in enumerate(_pairs(report_a.rows, report_b.rows)):
        differences = _differences(a, b) if a and b else {}
        change = "removed" if b is None else "added" if a is None else "same"
        if a and b and (differences or a.type != b.type):
            change = "changed"
        changes.append(
            LayerChange(
                index,
                change,
                spec_a[a.number - 1].to_dict() if a else None,
                spec_b[b.number - 1].to_dict() if b else None,
                (a.total if a else None, b.total if b else None),
                (a.number if a else None, b.number if b else None),
                differences,
                (a.output_shape if a else None, b.output_shape if b else None),
            )
        )
    return changes


# --- the answers on the test images -----------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    """A test image the two runs answer differently.

    Attributes:
        index: its position in the test split.
        image: its pixels, uint8 of shape (H, W, C).
        true_name: its class.
        a, b: each run's answer and the probability it gave it.
    """

    index: int
    image: np.ndarray
    true_name: str
    a: ClassScore
    b: ClassScore


@dataclass(frozen=True, eq=False)
class Comparison:
    """Two runs compared (`compare_runs`).

    Attributes:
        runs: the two run ids, A first.
        test_accuracy: each run's accuracy on its own test split (None untested).
        settings_diff: setting -> [value in A, value in B], only those that differ.
        layers: the aligned layer stacks.
        total_params: each model's weight count.
        histories: each run's per-epoch history (`Run.history()`).
        same_test_split: whether both answered the same test images, so that the
            fields below exist.
        reason: why they cannot be compared image by image ("" when they can).
        class_names: the classes (of A).
        per_class_accuracy: float ndarray of shape (2, n_classes): each class's share
            of test images answered right, A's row first (None unless same split).
        confusion_diff: int ndarray of shape (n_classes, n_classes), B's confusion
            matrix minus A's, rows are true classes (None unless same split).
        disagreeing: int ndarray of the test images the two answer differently.
    """

    runs: tuple[str, str]
    test_accuracy: tuple[float | None, float | None]
    settings_diff: dict[str, list[Any]]
    layers: tuple[LayerChange, ...]
    total_params: tuple[int, int]
    histories: tuple[dict[str, list[float]], dict[str, list[float]]]
    same_test_split: bool
    reason: str
    class_names: tuple[str, ...]
    per_class_accuracy: np.ndarray | None = None
    confusion_diff: np.ndarray | None = None
    disagreeing: np.ndarray | None = None
    _answers: Any = None  # (test split, Evaluation of A, Evaluation of B) on one split

    @property
    def disagreements_count(self) -> int | None:
        return None if self.disagreeing is None else int(len(self.disagreeing))

    def disagreements(self, *, limit: int | None = None) -> list[Disagreement]:
        """The test images answered differently: first those only B gets right, then
        those only A gets right, then those both get wrong (each in test order)."""
        if self._answers is None:
            return []
        test, eval_a, eval_b = self._answers
        labels, names = test.labels, self.class_names
        rows = self.disagreeing
        b_right = eval_b.predicted[rows] == labels[rows]
        a_right = eval_a.predicted[rows] == labels[rows]
        order = rows[np.argsort(np.where(b_right, 0, np.where(a_right, 1, 2)), kind="stable")]

        def answer(evaluation, i):
            k = int(evaluation.predicted[i])
            return ClassScore(k, names[k], float(evaluation.probabilities[i, k]))

        return [
            Disagreement(
                int(i), test.images[i], names[labels[i]], answer(eval_a, i), answer(eval_b, i)
            )
            for i in order[:limit]
        ]

    def to_dict(self) -> dict[str, Any]:
        """The `compare --json` document of issue 17."""
        document = {
            "runs": list(self.runs),
            "test_accuracy": list(self.test_accuracy),
            "settings_diff": self.settings_diff,
            "layers_diff": [change.to_dict() for change in self.layers],
        }
        if self.same_test_split:
            document["per_class_accuracy"] = self.per_class_accuracy.tolist()
            document["confusion_diff"] = self.confusion_diff.astype(int).tolist()
            document["disagreements"] = self.disagreements_count
        return document


def _same_split(run_a, run_b, answers) -> str:
    """Why the two runs' test images differ, or "" when they are the same."""
    names = [r.config.get("class_names") for r in (run_a, run_b)]
    data_a, data_b = run_settings(run_a.config), run_settings(run_b.config)
    if data_a["dataset"] != data_b["dataset"]:
        return (
            f"A was tested on {dataset_label(data_a['dataset'])} and B on "
            f"{dataset_label(data_b['dataset'])}: "
            "class by class they can be compared only on the same test images"
        )
    if names[0] != names[1]:
        return "the two runs have different classes, so their answers cannot be compared"
    missing = [run.id for run, ans in zip((run_a, run_b), answers, strict=True) if ans is None]
    if missing:
        return f"run {missing[0]} has no trained model to answer the test images"
    (test_a, _), (test_b, _) = answers
    same = test_a.images.shape == test_b.images.shape and np.array_equal(
        test_a.labels, test_b.labels
    )
    if same and np.array_equal(test_a.images, test_b.images):
        return ""
    data = {k: [data_a[k], data_b[k]] for k in ("image_size", "limit") if data_a[k] != data_b[k]}
    seeds = [r.config.get("seed") for r in (run_a, run_b)]
    if seeds[0] != seeds[1] and data_a["limit"] is not None:
        data["seed"] = seeds
    settings = ", ".join(f"{k} {a} vs {b}" for k, (a, b) in data.items())
    return "their test images differ" + (f" ({settings})" if settings else "")


def compare_runs(
    run_a,
    run_b,
    *,
    evaluations: tuple | None = None,
    data_dir: str | None = None,
    viewer=None,
) -> Comparison:
    """Compare two runs: settings, layers, curves and, on the same test split, answers.

    Args:
        run_a, run_b: `cnnviz.runs.Run`s; B is the new try, A what it is compared to.
        evaluations: each run's (test split, Evaluation) when already computed, e.g.
            cached by the app; None entries (or None) are computed with
            `cnnviz.evaluate.evaluate_run` for runs that have a trained model.
        data_dir: TFDS cache directory for the runs' test splits.
        viewer: who looks (`cnnviz.viewers.Viewer`; None: the command line): a run
            whose images are not theirs to see is compared by its settings, layers and
            curves only.

    Raises:
        CnnvizError: a run never read its dataset, its spec no longer validates, or its
            test split cannot be reloaded.
    """
    from cnnviz.evaluate import evaluate_run
    from cnnviz.viewers import images_hidden

    given = list(evaluations or (None, None))
    answers, hidden = [], ""
    for run, known in zip((run_a, run_b), given, strict=True):
        run.data_config("compare")  # its layers have no shapes before it read its data
        hidden = hidden or (images_hidden(run, viewer) or "")
        if known is None and run.has_model and not images_hidden(run, viewer):
            known = evaluate_run(run, data_dir=data_dir, viewer=viewer)
        answers.append(known)
    report_a, report_b = run_a.report(), run_b.report()
    accuracy = tuple(
        float(ans[1].metrics.accuracy) if ans else run.test_accuracy
        for run, ans in zip((run_a, run_b), answers, strict=True)
    )
    reason = hidden or _same_split(run_a, run_b, answers)
    extra: dict[str, Any] = {}
    if not reason:
        (test, eval_a), (_, eval_b) = answers
        extra = {
            "per_class_accuracy": np.stack([eval_a.metrics.recall, eval_b.metrics.recall]),
            "confusion_diff": eval_b.metrics.confusion_matrix.astype(np.int64)
            - eval_a.metrics.confusion_matrix.astype(np.int64),
            "disagreeing": np.flatnonzero(eval_a.predicted != eval_b.predicted),
            "_answers": (test, eval_a, eval_b),
        }
    return Comparison(
        runs=(run_a.id, run_b.id),
        test_accuracy=accuracy,
        settings_diff=settings_diff(run_a.config, run_b.config),
        layers=tuple(layers_diff(report_a, report_b)),
        total_params=(report_a.total_params, report_b.total_params),
        histories=(run_a.history(), run_b.history()),
        same_test_split=not reason,
        reason=reason,
        class_names=tuple(str(n) for n in run_a.config.get("class_names") or ()),
        **extra,
    )
