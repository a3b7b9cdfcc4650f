"""Lessons: a guided walk through the app, one JSON file each in `assets/lessons/`.

A lesson starts from an experiment (as a link does, see `cnnviz.links`), may lock or
hide some controls so a class stays on the topic, and has steps. A step has text, the
page it happens on, an optional "predict first" question whose answer is revealed on
request, notes for the teacher, and facts: the numbers the step states (an output size,
a layer's shape and parameters, a model's total), as data, so a test can check each of
them against the engine::

    {"id": "pooling", "title": "Pooling: max or average", "intro": "...",
     "experiment": {"dataset": "digits", "model": "digits-small"},
     "locked": ["build_preset"], "hidden": [],
     "steps": [{"title": "...", "text": "...", "page": "concepts",
                "question": "...", "answer": "...", "teacher_notes": "...",
                "facts": [{"kind": "output_size", "size": 6, "kernel": 2, "stride": 2,
                           "padding": "valid", "equals": 3}]}]}

Lesson files are read like anything a user supplies (`json_input.read_json_file`) and every
field is checked, with messages naming the file, the step and the field. The id is the
file's name, so `?lesson=ID` opens `ID.json` and nothing else.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnnviz import checks, json_input
from cnnviz.errors import CnnvizError, did_you_mean
from cnnviz.links import Experiment
from cnnviz.settings import settings
from cnnviz.spec import ModelSpec

__all__ = [
    "CONTROLS",
    "PAGES",
    "Fact",
    "Lesson",
    "Step",
    "get_lesson",
    "lessons_dir",
    "read_lesson",
    "read_lessons",
]

# What a lesson may lock (drawn but disabled) or hide (not drawn): the pages ask per key.
CONTROLS: dict[str, str] = {
    "build_preset": "Build: the preset picker and Load preset",
    "build_layers": "Build: changing, moving and removing layers",
    "build_add": "Build: adding a layer",
    "build_import": "Build: importing a spec file",
    "train_epochs": "Train: Epochs",
    "train_batch_size": "Train: Batch size",
    "train_optimizer": "Train: Optimizer",
    "train_lr": "Train: Learning rate",
    "train_val_split": "Train: Validation split",
    "train_seed": "Train: Seed",
    "train_use_augment": "Train: Augment training images",
}
PAGES = (
    "concepts", "lessons", "data", "build", "augment", "train", "inspect", "compare", "predict"
)  # fmt: skip
FACTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # kind: (inputs, claims)
    "output_size": (("size", "kernel", "stride", "padding"), ("equals",)),
    "layer": (
        ("model", "input_shape", "num_classes", "layer"),
        ("output_shape", "params", "trainable", "non_trainable"),
    ),
    "model": (
        ("model", "input_shape", "num_classes"),
        ("output_shape", "total_params", "trainable_params"),
    ),
}
LESSON_KEYS = ("id", "title", "order", "intro", "experiment", "locked", "hidden", "steps")
STEP_KEYS = ("title", "text", "page", "question", "answer", "teacher_notes", "facts")
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,47}")
MAX_STEPS, MAX_FACTS = 40, 20
ROOT = Path(__file__).resolve().parent.parent


def lessons_dir() -> Path:
    """Where lessons are read from: $CNNVIZ_LESSONS_DIR, else the repository's
    `assets/lessons/` (next to the `cnnviz` package)."""
    return settings().lessons_dir or ROOT / "assets" / "lessons"


@dataclass(frozen=True)
class Fact:
    """A number a step states, checkable against the engine.

    Attributes:
        kind: "output_size" (`concepts.output_size` of size, kernel, stride, padding),
            "layer" (one layer of a model: its output shape, its parameters) or "model"
            (its output shape, its total parameters).
        inputs: what it is computed from; "model" is a `ModelSpec` (the lesson's own when
            the file leaves it out), "input_shape" a (height, width, channels) tuple.
        claims: the numbers stated: "equals" (output_size); "output_shape" (without the
            batch axis), "params", "trainable", "non_trainable" (layer); "output_shape",
            "total_params", "trainable_params" (model).
    """

    kind: str
    inputs: dict[str, Any]
    claims: dict[str, Any]


@dataclass(frozen=True)
class Step:
    """One step: `text` (Markdown without links, images or HTML), on `page`, with an
    optional question and its answer, notes for the teacher, and the facts it states."""

    title: str
    text: str
    page: str | None = None
    question: str | None = None
    answer: str | None = None
    teacher_notes: str = ""
    facts: tuple[Fact, ...] = ()


@dataclass(frozen=True)
class Lesson:
    """A lesson: its experiment, the controls it locks or hides, its steps."""

    id: str
    title: str
    intro: str
    experiment: Experiment
    locked: frozenset[str]
    hidden: frozenset[str]
    steps: tuple[Step, ...]
    order: int = 100  # lessons are listed by order, then id

    def summary(self) -> dict[str, Any]:
        """One entry of `lessons --json`: {"id", "title", "steps"} (steps: how many)."""
        return {"id": self.id, "title": self.title, "steps": len(self.steps)}


def _keys(data: Any, allowed: tuple[str, ...], what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise checks.fail(what, "an object", data, CnnvizError)
    checks.known_keys(data, allowed, where=f"{what}: ")
    return data


def _text(data: dict, key: str, what: str, *, limit: int, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise checks.fail(
            f"{what} {key}", f"a non-empty text of at most {limit:,} characters", value
        )
    return value.strip()


def _names(data: dict, key: str, options: dict | tuple, what: str) -> frozenset[str]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise checks.fail(f"{what} {key}", "a list of control names", value, CnnvizError)
    return frozenset(checks.one_of(name, f"{what} {key}", list(options)) for name in value)


def _read_fact(data: Any, lesson_model: ModelSpec, what: str) -> Fact:
    if not isinstance(data, dict):
        raise checks.fail(what, 'an object with "kind"', data, CnnvizError)
    kind = checks.one_of(data.get("kind"), f"{what} kind", list(FACTS))
    needs, claim_keys = FACTS[kind]
    _keys(data, ("kind", *needs, *claim_keys), what)
    inputs: dict[str, Any] = {}
    if kind == "output_size":
        for key in ("size", "kernel", "stride"):
            inputs[key] = checks.whole(data.get(key), f"{what} {key}", low=1, high=4096)
        inputs["padding"] = checks.one_of(data.get("padding"), f"{what} padding", ("valid", "same"))
    else:
        model = data.get("model")
        inputs["model"] = lesson_model if model is None else _spec(model, f"{what} model")
        inputs["input_shape"] = checks.input_shape(data.get("input_shape"), f"{what} input_shape")
        inputs["num_classes"] = checks.whole(
            data.get("num_classes"), f"{what} num_classes", low=1, high=100_000
        )
        if kind == "layer":
            inputs["layer"] = checks.whole(data.get("layer"), f"{what} layer", low=1, high=200)
    claims = {key: data[key] for key in claim_keys if key in data}
    if not claims:
        raise CnnvizError(f"{what} states nothing: give {' or '.join(claim_keys)}")
    for key, value in claims.items():
        if key == "output_shape":
            ok = isinstance(value, list) and value and all(checks.is_whole(v) for v in value)
            if not ok:
                raise checks.fail(f"{what} {key}", "a list of whole numbers", value, CnnvizError)
            claims[key] = tuple(value)
        else:
            claims[key] = checks.whole(value, f"{what} {key}", low=0)
    return Fact(kind, inputs, claims)


def _spec(value: Any, what: str) -> ModelSpec:
    return Experiment.from_dict({"model": value}, what).spec


def _read_step(data: Any, lesson_model: ModelSpec, what: str) -> Step:
    _keys(data, STEP_KEYS, what)
    question = _text(data, "question", what, limit=1000, required=False)
    answer = _text(data, "answer", what, limit=2000, required=False)
    if (question is None) != (answer is None):
        raise CnnvizError(f'{what}: a "question" needs an "answer" to reveal, and the reverse')
    page = data.get("page")
    facts = data.get("facts", [])
    if not isinstance(facts, list) or len(facts) > MAX_FACTS:
        raise checks.fail(f"{what} facts", f"a list of at most {MAX_FACTS} facts", facts)
    return Step(
        title=_text(data, "title", what, limit=120),
        text=_text(data, "text", what, limit=4000),
        page=None if page is None else checks.one_of(page, f"{what} page", PAGES),
        question=question,
        answer=answer,
        teacher_notes=_text(data, "teacher_notes", what, limit=4000, required=False) or "",
        facts=tuple(
            _read_fact(f, lesson_model, f"{what} fact {i}") for i, f in enumerate(facts, 1)
        ),
    )


def _read(data: Any, expected_id: str) -> Lesson:
    _keys(data, LESSON_KEYS, "the lesson")
    lesson_id = data.get("id")
    if lesson_id != expected_id:
        raise checks.fail("id", f"the file's name, {expected_id!r}", lesson_id, CnnvizError)
    if "experiment" not in data:
        raise CnnvizError('the lesson has no "experiment" to start from')
    experiment = Experiment.from_dict(data["experiment"], "the lesson's experiment")
    locked = _names(data, "locked", CONTROLS, "the lesson's")
    hidden = _names(data, "hidden", CONTROLS, "the lesson's")
    if both := sorted(locked & hidden):
        raise CnnvizError(f"{both[0]!r} is both locked and hidden: choose one")
    steps = data.get("steps")
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
        raise checks.fail("steps", f"a list of 1 to {MAX_STEPS} steps", steps, CnnvizError)
    return Lesson(
        id=lesson_id,
        title=_text(data, "title", "the lesson", limit=120),
        intro=_text(data, "intro", "the lesson", limit=2000),
        experiment=experiment,
        locked=locked,
        hidden=hidden,
        steps=tuple(_read_step(s, experiment.spec, f"step {i}") for i, s in enumerate(steps, 1)),
        order=checks.whole(data.get("order", 100), "order", low=0, high=999),
    )


def read_lesson(path: str | os.PathLike) -> Lesson:
    """Read and check one lesson file; its id must be its file name without `.json`.

    Raises:
        CnnvizError: "<path>: <the problem>" (not JSON, a missing or wrong field...).
    """
    path = Path(path)
    data = json_input.read_json_file(path, "lesson file")
    try:
        return _read(data, path.stem)
    except CnnvizError as err:
        raise CnnvizError(f"{path}: {err}") from None


def read_lessons(folder: str | os.PathLike | None = None) -> tuple[list[Lesson], list[str]]:
    """Every lesson of a folder (default `lessons_dir()`), by id.

    Returns:
        (the lessons that check, by order then id; a message per file that does not).
    """
    folder = Path(folder) if folder is not None else lessons_dir()
    lessons, problems = [], []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            lessons.append(read_lesson(path))
        except CnnvizError as err:
            problems.append(str(err))
    return sorted(lessons, key=lambda lesson: (lesson.order, lesson.id)), problems


def get_lesson(lesson_id: Any, folder: str | os.PathLike | None = None) -> Lesson:
    """The lesson `lesson_id` (read from `<folder>/<id>.json`).

    Raises:
        CnnvizError: no such lesson (with the ids there are), or the file does not check.
    """
    folder = Path(folder) if folder is not None else lessons_dir()
    known = sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []
    if not isinstance(lesson_id, str) or not _ID.fullmatch(lesson_id) or lesson_id not in known:
        hint = did_you_mean(lesson_id, known)
        raise CnnvizError(
            f"there is no lesson {str(lesson_id)[:60]!r}.{hint} Lessons: {', '.join(known)}"
        )
    return read_lesson(folder / f"{lesson_id}.json")
