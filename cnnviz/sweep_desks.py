"""A class experiment over the desks: each desk is given one combination, in turn.

Desks take the slots of a `cnnviz.sweep.Sweep` in the order they joined: the k-th desk
gets combination k mod C (C combinations) and repeat k div C, so every combination has
as many desks as any other, give or take one, and a desk that joins late gets the next
slot of the rotation without changing anyone else's. A desk is given its slot as a
`links.Experiment` to open (the base experiment with the slot's values and seed) and
the record its run carries (`TrainRequest(..., experiment=assignment.record)`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cnnviz.links import Experiment
from cnnviz.sweep import Slot, Sweep

__all__ = ["Assignment", "assign", "assignment", "assignments"]


@dataclass(frozen=True)
class Assignment:
    """What one desk is given.

    Attributes:
        desk: the desk's name.
        slot: its place in the rotation (combination, repeat, settings).
        experiment: the experiment to open: the base with the slot's values and seed.
        record: the config.json entry its run must carry (`TrainRequest.experiment`).
    """

    desk: str
    slot: Slot
    experiment: Experiment
    record: dict[str, Any]


def assign(sweep: Sweep, desks: Sequence[str]) -> dict[str, Slot]:
    """Each desk's slot, the desks in the order they joined (a desk named twice keeps
    its first place)."""
    order = list(dict.fromkeys(desks))
    return {desk: sweep.slot(k) for k, desk in enumerate(order)}


def assignment(sweep: Sweep, base: Experiment, desk: str, number: int) -> Assignment:
    """What the `number`-th desk to join (from 0) is given."""
    slot = sweep.slot(number)
    spec, config, augment = sweep.parts(base.spec, base.training, base.augment, slot)
    source = {
        "dataset": base.dataset,
        "image_size": None if base.image_size is None else list(base.image_size),
        "training": base.training.to_dict(),
        "augment": None if base.augment.is_identity else base.augment.to_dict(),
    }
    experiment = dataclasses.replace(base, spec=spec, training=config, augment=augment)
    return Assignment(desk, slot, experiment, sweep.record(slot, source, base.spec))


def assignments(sweep: Sweep, base: Experiment, desks: Sequence[str]) -> list[Assignment]:
    """Every desk's assignment, the desks in the order they joined (see `assign`)."""
    order = list(dict.fromkeys(desks))
    return [assignment(sweep, base, desk, k) for k, desk in enumerate(order)]
