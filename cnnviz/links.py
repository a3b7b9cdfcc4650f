"""Experiment links: what a session has set up, as one short URL-safe token.

An experiment is the dataset (and the size its images are resized to), the model, the
augmentation and the hyper-parameters. Written as JSON::

    {"v": 1, "dataset": "digits", "model": "digits-small" or {...a model spec...},
     "image_size": [64, 64], "augment": {"rotation_degrees": 20}, "training": {"epochs": 5}}

Only `model` is required: a preset is named instead of spelled out, augmentation
settings that change nothing and hyper-parameters equal to the preset's suggestions are
left out. `encode` compresses that JSON (zlib) into URL-safe base64, for
`?experiment=TOKEN`; `decode` reads a token someone sent as warily as any document a
user supplies: at most `MAX_TOKEN_CHARS`, inflated to at most `json_input.MAX_JSON_BYTES`
(it stops there, so a small token that would unpack to gigabytes costs nothing), then
`json_input.parse_json` and the same validation as every spec input. Every problem is a
`CnnvizError` saying what is wrong with the link. The dataset of a link is one a desk may
open from outside (`cnnviz.origins.check_origin`): a built-in set, `tfds:NAME` or
`upload:NAME`, an upload looked for in the uploads of the desk that opens the link; a
link naming a folder of the server is refused, and no link the app writes names one
(an older upload's `folder:` id is written as its `upload:` id). TensorFlow is not
imported.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

from cnnviz import checks, json_input, presets
from cnnviz.augment import AugmentSpec
from cnnviz.errors import CnnvizError, did_you_mean
from cnnviz.origins import check_origin
from cnnviz.plan import TrainConfig
from cnnviz.spec import ModelSpec

__all__ = [
    "MAX_TOKEN_CHARS",
    "QUERY_KEY",
    "Experiment",
    "decode",
    "encode",
    "preset_of",
    "to_query",
]

QUERY_KEY = "experiment"  # ?experiment=TOKEN
VERSION = 1  # of the JSON inside a token
# Characters of a token; a model takes a few hundred. Streamlit's server refuses a request
# whose address is much longer ("Invalid HTTP request received": measured here, Chromium
# opens a 60,000-character token but not a 100,000 one), so a longer token never reaches
# the app. Up to there, a token too long is told why.
MAX_TOKEN_CHARS = 50_000
KEYS = ("v", "dataset", "model", "image_size", "augment", "training")
_TOKEN = re.compile(r"[A-Za-z0-9_-]+={0,2}")  # URL-safe base64
ABOUT = "the experiment link"


def preset_of(spec: ModelSpec) -> str | None:
    """The name of the preset whose spec is exactly `spec`, or None."""
    return next((name for name, p in presets.PRESETS.items() if p.spec == spec), None)


@dataclass(frozen=True)
class Experiment:
    """What a session has set up: enough to set up the same thing elsewhere.

    Attributes:
        spec: the model.
        dataset: the dataset id, e.g. "digits" or "tfds:cifar10".
        image_size: (height, width) the images are resized to, or None for their own.
        augment: the augmentation (the identity when none).
        training: the hyper-parameters.
    """

    spec: ModelSpec
    dataset: str = "digits"
    image_size: tuple[int, int] | None = None
    augment: AugmentSpec = field(default_factory=AugmentSpec)
    training: TrainConfig = field(default_factory=TrainConfig)

    @property
    def preset(self) -> str | None:
        """The preset the model is, if it is one (its name goes into links)."""
        return preset_of(self.spec)

    def describe(self, *, dataset: str | None = None) -> str:
        """One line for learners: the model, the dataset (or the name `dataset` gives it),
        the hyper-parameters."""
        t, data = self.training, dataset or self.dataset
        return (
            f"model {self.spec.name} ({len(self.spec.layers)} layers) on {data}, "
            f"{t.epochs} epochs, batch size {t.batch_size}, {t.optimizer}, learning rate "
            f"{t.learning_rate:g}" + ("" if self.augment.is_identity else ", with augmentation")
        )

    def to_dict(self) -> dict[str, Any]:
        """The compact JSON form: defaults left out, a preset named by its name.

        Raises:
            CnnvizError: the dataset is one a link may not name (a folder of the server).
        """
        preset = self.preset
        data: dict[str, Any] = {
            "v": VERSION,
            "dataset": check_origin(self.dataset, where="a link"),
            "model": preset or self.spec.to_dict(),
        }
        if self.image_size is not None:
            data["image_size"] = list(self.image_size)
        if changes := self.augment.changes():
            data["augment"] = changes
        suggested = TrainConfig.suggested(preset).to_dict()
        if training := {k: v for k, v in self.training.to_dict().items() if v != suggested[k]}:
            data["training"] = training
        return data

    @classmethod
    def from_dict(cls, data: Any, what: str = ABOUT) -> Experiment:
        """Read the JSON form, every field checked as any spec input is.

        Args:
            data: the parsed JSON.
            what: what it is, for messages, e.g. "the experiment link".

        Raises:
            CnnvizError: "<what>: <the problem>".
        """
        try:
            return _from_dict(data)
        except CnnvizError as err:
            raise CnnvizError(f"{what}: {err}") from None


def _from_dict(data: Any) -> Experiment:
    if not isinstance(data, dict):
        raise checks.fail("an experiment", 'an object with "model"', data, CnnvizError)
    checks.known_keys(data, KEYS)
    if data.get("v", VERSION) != VERSION:
        raise checks.fail("v", f"{VERSION} (made by this version of cnnviz)", data["v"])
    if "model" not in data:
        raise CnnvizError('no "model": name a preset or give a model spec')
    spec = _model(data["model"])
    size = data.get("image_size")
    training = data.get("training", {})
    if not isinstance(training, dict):
        raise checks.fail("training", "an object of settings", training, CnnvizError)
    suggested = TrainConfig.suggested(preset_of(spec)).to_dict()
    return Experiment(
        spec=spec,
        dataset=check_origin(data.get("dataset", "digits"), where="it"),
        image_size=None if size is None else checks.image_size(size),
        augment=AugmentSpec.from_dict(data.get("augment", {})),
        training=TrainConfig.from_dict({**suggested, **training}),
    )


def _model(value: Any) -> ModelSpec:
    """A preset's name (never a file: a link must not name the server's files) or a spec."""
    if isinstance(value, str):
        if value not in presets.PRESETS:
            hint = did_you_mean(value, presets.PRESETS, form=" (did you mean {}?)")
            raise CnnvizError(
                f"model {value[:80]!r} is not a preset{hint}; presets: {', '.join(presets.PRESETS)}"
            )
        return presets.PRESETS[value].spec
    return ModelSpec.from_dict(value)


def encode(experiment: Experiment) -> str:
    """The experiment as a URL-safe token (zlib-compressed JSON in base64, no padding).

    Raises:
        CnnvizError: its dataset is one a link may not name (a folder of the server).
    """
    text = json.dumps(experiment.to_dict(), separators=(",", ":"))
    packed = zlib.compress(text.encode("utf-8"), 9)
    return base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def to_query(experiment: Experiment) -> str:
    """`?experiment=TOKEN`: the query string that opens the experiment in the app."""
    return f"?{QUERY_KEY}={encode(experiment)}"


def decode(token: Any) -> Experiment:
    """The experiment a token holds.

    Raises:
        CnnvizError: the token is empty, too long, garbled, cut short, unpacks to more
            than `json_input.MAX_JSON_BYTES`, or holds an experiment that does not check.
    """
    if not isinstance(token, str) or not token.strip():
        raise CnnvizError(f"{ABOUT} is empty: copy the whole link, with what follows '='")
    token = token.strip()
    if len(token) > MAX_TOKEN_CHARS:
        raise CnnvizError(
            f"{ABOUT} is {len(token):,} characters long; a link cnnviz makes is at most "
            f"{MAX_TOKEN_CHARS:,} (a model is a few hundred)"
        )
    if not _TOKEN.fullmatch(token):
        raise CnnvizError(f"{ABOUT} holds characters a cnnviz link never has: it is garbled")
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise CnnvizError(f"{ABOUT} is garbled or cut short: copy the whole link") from None
    return Experiment.from_dict(json_input.parse_json(_inflate(packed), ABOUT), ABOUT)


def _inflate(packed: bytes) -> bytes:
    """zlib data unpacked to at most MAX_JSON_BYTES (+1, to know it is more)."""
    limit = json_input.MAX_JSON_BYTES
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(packed, limit + 1)
    except zlib.error:
        raise CnnvizError(f"{ABOUT} is garbled: it is not a link cnnviz made") from None
    if len(text) > limit or inflater.unconsumed_tail:
        raise CnnvizError(
            f"{ABOUT} unpacks to more than {limit / 1e6:.0f} MB; an experiment is a few kB"
        )
    if not inflater.eof:
        raise CnnvizError(f"{ABOUT} is cut short: part of it is missing; copy the whole link")
    if inflater.unused_data:
        raise CnnvizError(f"{ABOUT} has extra characters at its end: it is garbled")
    return text
