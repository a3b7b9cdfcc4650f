"""A sweep: one question, one or two settings with their values, repeats; its runs.

The teacher's class experiment and a learner's solo sweep are one `Sweep`: which
settings vary (`cnnviz.sweep_settings`), over which values, how many times each
combination runs. Applied to a base experiment it gives one `TrainRequest` per
combination and repeat (`requests`; the CLI's `sweep` queues them one after another);
in a class, desks take its slots in turn (`cnnviz.sweep_desks`). A repeat trains with
the next seed (base seed + repeat), so repeats differ only by chance. Each run keeps its
place in its config.json ("experiment", `cnnviz.sweep_record`), so its runs can be found,
grouped by a setting (`cnnviz.grouping`), and a run whose other settings differ from the
experiment's base shown apart.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cnnviz import checks
from cnnviz.augment import AugmentSpec
from cnnviz.errors import CnnvizError
from cnnviz.plan import TrainConfig
from cnnviz.request import TrainRequest
from cnnviz.spec import ModelSpec
from cnnviz.sweep_record import other_settings, record_of
from cnnviz.sweep_settings import Parts, get, value_label

__all__ = [
    "MAX_QUESTION",
    "MAX_RUNS",
    "MAX_SETTINGS",
    "Slot",
    "Sweep",
    "Varied",
    "parse_vary",
]

MAX_RUNS = 64  # runs of one sweep: a class of 30, twice over, or an afternoon's queue
MAX_SETTINGS = 2  # settings varied at once: a third makes groups too small to read
MAX_QUESTION = 200  # characters of the question
SEED_LIMIT = 2**31 - 1
_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")


@dataclass(frozen=True)
class Varied:
    """One setting a sweep varies and its values, checked (`Sweep.of`)."""

    setting: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Slot:
    """One place in a sweep's rotation: the k-th run, the k-th desk.

    Attributes:
        number: its place, from 0 (beyond the grid for desks that join late).
        combination: which combination of values, from 0.
        repeat: how many times this combination came before it.
        settings: the combination, {setting: value}.
    """

    number: int
    combination: int
    repeat: int
    settings: dict[str, Any]

    def describe(self) -> str:
        """e.g. "learning_rate = 0.01, dropout.rate = 0.3"."""
        return ", ".join(f"{k} = {value_label(v)}" for k, v in self.settings.items())


def _repeats(n: int) -> str:
    return f"{n} repeat{'s' if n != 1 else ''}"


def new_id() -> str:
    """A sweep's id: when it was made, and 4 random hex digits."""
    return f"{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def parse_vary(text: Any) -> tuple[str, list[str]]:
    """`SETTING=V1,V2` as (setting as typed, [value texts]).

    Raises:
        CnnvizError: no "=", no setting or no value; ends `Received: vary="..."`.
    """
    name, sep, values = str(text).partition("=")
    texts = [v.strip() for v in values.split(",")]
    if not (isinstance(text, str) and sep and name.strip() and all(texts)):
        raise checks.fail(
            "vary", "SETTING=V1,V2 (e.g. learning_rate=0.001,0.01)", text, CnnvizError
        )
    return name.strip(), texts


@dataclass(frozen=True)
class Sweep:
    """Which settings vary, over which values, how often; checked on construction.

    Build one with `Sweep.of` (values as a page gives them) or `Sweep.parse` (the CLI's
    `SETTING=V1,V2`), which check the names and values against the model.

    Attributes:
        varied: one or two settings and their values.
        repeats: runs of each combination, 1 or more.
        question: what the class wants to find out (text a person typed).
        id: the sweep's id (a new one when empty).

    Raises:
        CnnvizError: no setting or more than two, one twice, a value twice, no values,
            or more than `MAX_RUNS` runs.
    """

    varied: tuple[Varied, ...]
    repeats: int = 1
    question: str = ""
    id: str = field(default="")

    def __post_init__(self) -> None:
        names = [v.setting for v in self.varied]
        if not 1 <= len(names) <= MAX_SETTINGS:
            raise checks.fail(
                "settings", f"one or {MAX_SETTINGS} settings to vary", names, CnnvizError
            )
        if len(set(names)) < len(names):
            twice = next(n for n in names if names.count(n) > 1)
            raise checks.fail("settings", f"different settings ({twice} is twice)", names)
        for varied in self.varied:
            plain = [repr(v) for v in varied.values]
            twice = [value_label(v) for v, p in zip(varied.values, plain) if plain.count(p) > 1]
            if not varied.values or twice:
                what = f"different values ({twice[0]} is twice)" if twice else "one or more values"
                raise checks.fail(varied.setting, what, list(varied.values))
        checks.whole(self.repeats, "repeats", low=1, high=MAX_RUNS, what="runs of each value")
        if self.size > MAX_RUNS:
            counts = " x ".join(str(len(v.values)) for v in self.varied)
            raise checks.fail(
                "runs",
                f"at most {MAX_RUNS} (values {counts}, {_repeats(self.repeats)}); "
                "use fewer values or repeats",
                self.size,
                CnnvizError,
            )
        if not isinstance(self.question, str) or len(self.question) > MAX_QUESTION:
            raise checks.fail(
                "question", f"a text of at most {MAX_QUESTION} characters", self.question
            )
        object.__setattr__(self, "question", self.question.strip())
        if not self.id:
            object.__setattr__(self, "id", new_id())
        elif not isinstance(self.id, str) or not _ID.fullmatch(self.id):
            raise checks.fail("id", "letters, digits, - and _ (at most 40)", self.id, CnnvizError)

    @classmethod
    def of(
        cls,
        values: Mapping[Any, Sequence[Any]],
        spec: ModelSpec,
        *,
        repeats: int = 1,
        question: str = "",
        id: str = "",
    ) -> Sweep:
        """A sweep from {setting: values} as typed on a page ({"lr": ["0.001", 0.01]}),
        every name resolved and every value checked against `spec`.

        Raises:
            CnnvizError: an unknown setting, a layer the model lacks, a value that does
                not fit, or a grid that does not fit (see the class).
        """
        varied = []
        for name, given in values.items():
            setting = get(name, spec)
            if isinstance(given, str):
                given = parse_vary(f"{name}={given}")[1]
            elif not isinstance(given, Iterable):
                given = [given]
            varied.append(Varied(setting.name, tuple(setting.value(v) for v in given)))
        return cls(tuple(varied), repeats, question, id)

    @classmethod
    def parse(
        cls, vary: Sequence[str], spec: ModelSpec, *, repeats: int = 1, question: str = ""
    ) -> Sweep:
        """A sweep from the CLI's `--vary SETTING=V1,V2` texts (see `of`)."""
        pairs = [parse_vary(text) for text in vary]
        names = [get(name, spec).name for name, _ in pairs]
        if len(set(names)) < len(names):
            twice = next(n for n in names if names.count(n) > 1)
            raise checks.fail("vary", f"each setting once ({twice} is twice)", list(vary))
        return cls.of(dict(pairs), spec, repeats=repeats, question=question)

    @property
    def settings(self) -> tuple[str, ...]:
        """The varied settings' names."""
        return tuple(v.setting for v in self.varied)

    @property
    def size(self) -> int:
        """Runs in the grid: combinations times repeats."""
        return len(self.combinations()) * self.repeats

    def combinations(self) -> list[dict[str, Any]]:
        """Every combination of values, {setting: value}, the first setting slowest."""
        names = self.settings
        return [
            dict(zip(names, combo, strict=True))
            for combo in itertools.product(*(v.values for v in self.varied))
        ]

    def slot(self, number: int) -> Slot:
        """The `number`-th place of the rotation: combination `number % C`, repeat
        `number // C` (C combinations), also beyond the grid."""
        combos = self.combinations()
        k = checks.whole(number, "number", low=0)
        return Slot(k, k % len(combos), k // len(combos), combos[k % len(combos)])

    def slots(self) -> list[Slot]:
        """The grid's runs, every combination once before any twice."""
        return [self.slot(k) for k in range(self.size)]

    def parts(
        self, spec: ModelSpec, config: TrainConfig, augment: AugmentSpec | None, slot: Slot
    ) -> Parts:
        """The model, hyper-parameters and augmentation of a slot's run: the base with
        the slot's values set and seed `config.seed + slot.repeat`."""
        parts = Parts(spec, config, augment or AugmentSpec())
        for name, value in slot.settings.items():
            parts = get(name, spec).apply(parts, value)
        seed = (config.seed + slot.repeat) % SEED_LIMIT
        return parts._replace(config=dataclasses.replace(parts.config, seed=seed))

    def record(self, slot: Slot, base_config: Mapping[str, Any], base_spec: ModelSpec) -> dict:
        """The config.json entry of a slot's run (`cnnviz.sweep_record`).

        Args:
            base_config: the base's config.json entries (`TrainRequest.source()`).
            base_spec: the base's model.
        """
        return {
            "id": self.id,
            "question": self.question,
            "settings": dict(slot.settings),
            "repeat": slot.repeat,
            "base": other_settings(dict(base_config), base_spec, self.settings),
        }

    def request_for(self, base: TrainRequest, slot: Slot) -> TrainRequest:
        """The base request with a slot's values, seed and record."""
        spec, config, augment = self.parts(base.spec, base.config, base.augment, slot)
        return dataclasses.replace(
            base,
            spec=spec,
            config=config,
            augment=None if augment.is_identity else augment,
            experiment=self.record(slot, base.source(), base.spec),
        )

    def requests(self, base: TrainRequest) -> list[TrainRequest]:
        """One request per combination and repeat (`slots` order)."""
        return [self.request_for(base, slot) for slot in self.slots()]

    def missing(self, runs: Iterable[Any]) -> list[Slot]:
        """The grid's slots no run of this sweep has taken yet (a solo sweep's queue:
        start the first, then the next when it has ended). Runs are `cnnviz.runs.Run`s;
        a run takes the slot of its record's settings and repeat."""
        taken = set()
        for run in runs:
            record = record_of(run.config)
            if record and record.get("id") == self.id:
                taken.add(repr((sorted(record["settings"].items()), record.get("repeat"))))
        return [
            slot
            for slot in self.slots()
            if repr((sorted(slot.settings.items()), slot.repeat)) not in taken
        ]

    def describe(self) -> str:
        """e.g. "learning_rate 0.001, 0.01 x dropout.rate 0, 0.3; 2 repeats: 8 runs"."""
        parts = [f"{v.setting} {', '.join(value_label(x) for x in v.values)}" for v in self.varied]
        return f"{' x '.join(parts)}; {_repeats(self.repeats)}: {self.size} runs"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON, e.g. to keep the teacher's experiment on disk."""
        return {
            "id": self.id,
            "question": self.question,
            "vary": {v.setting: list(v.values) for v in self.varied},
            "repeats": self.repeats,
        }

    @classmethod
    def from_dict(cls, data: Any, spec: ModelSpec) -> Sweep:
        """Read `to_dict` output, checked against the model as `of` checks.

        Raises:
            CnnvizError: a malformed document, or what `of` refuses.
        """
        if not isinstance(data, dict) or not isinstance(data.get("vary"), dict):
            raise checks.fail("a sweep", 'an object with "vary"', data, CnnvizError)
        checks.known_keys(data, ("id", "question", "vary", "repeats"), key="sweep key")
        return cls.of(
            data["vary"],
            spec,
            repeats=data.get("repeats", 1),
            question=data.get("question", ""),
            id=data.get("id", ""),
        )
