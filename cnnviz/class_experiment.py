"""The teacher's class experiment: one sweep spread over the desks, one combination each.

`start_class_experiment(sweep, base)` keeps a `cnnviz.sweep.Sweep` and the experiment
every desk starts from (a `cnnviz.links` token) in the class state
(`cnnviz.classstate.ClassExperiment`), so every replica on the runs folder sees it.
`take_combination(desk)`, asked by a desk at its next page change, gives the desk the
next slot of the rotation the first time (its place in the state's ordered list of
desks, appended under the state's lock, so two desks asking at once get two places) and
the same slot every time after: `cnnviz.sweep_desks.assignment`, the experiment to open
and the record its run carries. A desk that joins late gets the next slot.
`end_class_experiment` stops handing out combinations; the runs and their answer stay.
TensorFlow is not imported.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace

from cnnviz import checks
from cnnviz.classstate import ClassExperiment, ClassState, change_class_state, read_class_state
from cnnviz.links import Experiment, decode, encode
from cnnviz.sweep import Sweep
from cnnviz.sweep_desks import Assignment, assignment

__all__ = [
    "end_class_experiment",
    "opened",
    "start_class_experiment",
    "take_combination",
]


def opened(experiment: ClassExperiment) -> tuple[Sweep, Experiment]:
    """The class experiment's sweep and base experiment, read back and checked.

    Raises:
        CnnvizError: a base that is not an experiment link, or a sweep that does not
            fit its model.
    """
    base = decode(experiment.base)
    return Sweep.from_dict(experiment.sweep, base.spec), base


def start_class_experiment(
    sweep: Sweep, base: Experiment | str, *, runs_dir: str | os.PathLike | None = None
) -> ClassExperiment:
    """Start a class experiment (in place of the one before, open or ended): no desk
    has a combination yet.

    Args:
        sweep: what varies, over which values, how many times.
        base: the experiment every desk starts from (or its `cnnviz.links` token).

    Raises:
        CnnvizError: a base that is not an experiment, a sweep that does not fit its
            model, or a runs folder that cannot be written.
    """
    token = base if isinstance(base, str) else encode(base)
    started = ClassExperiment(sweep.to_dict(), token, (), time.time(), None)
    opened(started)  # the sweep read back from the state fits the base's model
    state = change_class_state(lambda now: replace(now, experiment=started), runs_dir)
    return state.experiment


def end_class_experiment(*, runs_dir: str | os.PathLike | None = None) -> ClassExperiment | None:
    """End the class experiment: desks take no more combinations; its results stay.
    Returns it (None when there is none)."""

    def end(state: ClassState) -> ClassState:
        if state.experiment is None or not state.experiment.open:
            return state
        return replace(state, experiment=replace(state.experiment, ended=time.time()))

    return change_class_state(end, runs_dir).experiment


def take_combination(
    desk: str, *, runs_dir: str | os.PathLike | None = None
) -> tuple[Assignment, bool] | None:
    """This desk's combination in the open class experiment: the next slot of the
    rotation the first time it asks, the same one after.

    Args:
        desk: a verified desk name (`cnnviz.desks.desk_of`).

    Returns:
        (its `Assignment`, whether it was taken by this call), or None when there is no
        open class experiment.

    Raises:
        CnnvizError: `desk` is not a desk name, the experiment in the state cannot be
            opened (`opened`), or the runs folder cannot be written.
    """
    desk = checks.desk_name(desk)
    now = read_class_state(runs_dir).experiment
    if now is None or not now.open:
        return None
    taken = []
    if desk not in now.desks:

        def take(state: ClassState) -> ClassState:
            held = state.experiment
            if held is None or not held.open or held.id != now.id or desk in held.desks:
                return state  # ended, another started, or this desk's other tab took it
            taken.append(desk)
            return replace(state, experiment=replace(held, desks=(*held.desks, desk)))

        now = change_class_state(take, runs_dir).experiment
        if now is None or not now.open or desk not in now.desks:
            return None
    sweep, base = opened(now)
    return assignment(sweep, base, desk, now.desks.index(desk)), bool(taken)
