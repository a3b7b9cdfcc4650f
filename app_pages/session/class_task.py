"""The teacher's class experiment at a desk: its combination, and the record its run keeps.

At the desk's next page change, never under a running job (as `app_pages.session.sent`),
the desk takes its combination of the open class experiment
(`cnnviz.class_experiment.take_combination`): the first time, the session opens the
assigned experiment and says "Your teacher's experiment: you try ... — press Start
training"; after a refresh it only holds the record again. **Start training** attaches
the record (`task_record`) while the class experiment is open and the run still has the
combination's values: a desk that changed another setting too is shown apart by the
answer (`cnnviz.grouping`); one that changed a varied setting is no longer trying its
combination, and its run is not part of the experiment.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages.frame.desk import current_desk
from app_pages.frame.feedback import notify, plain
from app_pages.server.runner import job_runner
from app_pages.session.links import apply_experiment
from cnnviz.classstate import read_class_state
from cnnviz.errors import CnnvizError

TASK = "cnnviz_class_task"  # session state: {"id", "record", "token", "text", "question"}
TASK_ERROR = "cnnviz_class_task_error"  # the last problem said, so it is said once


def combination_words(settings: dict[str, Any]) -> str:
    """A combination as a learner reads it: "learning rate 0.01 and batch size 16"."""
    from cnnviz.sweep_settings import get, value_label

    return " and ".join(f"{get(name).label} {value_label(v)}" for name, v in settings.items())


def task_notice(task: dict[str, Any]) -> str:
    """ "Your teacher's experiment: you try ... — press **Start training**." (Markdown)."""
    said = f"Your teacher's experiment: you try {plain(task['text'])} — press **Start training**."
    if task["question"]:
        said += f" The question: {plain(task['question'])}"
    return said


def take_class_task(arrived: bool) -> None:
    """The router, each run: on arriving at a page, take this desk's combination of the
    open class experiment (the first time: open it and say so)."""
    from cnnviz.class_experiment import take_combination
    from cnnviz.links import encode

    desk, state = current_desk(), st.session_state
    if not arrived or desk is None or job_runner().active_job(desk) is not None:
        return
    try:
        taken = take_combination(desk)
    except CnnvizError as err:
        if state.get(TASK_ERROR) != str(err):
            notify("error", f"Your teacher's experiment cannot be opened here: {plain(err)}")
        state[TASK_ERROR] = str(err)
        return
    if taken is None:
        return
    assignment, new = taken
    held = state.get(TASK)
    if held is not None and held["id"] == assignment.record["id"]:
        return
    task = {
        "id": assignment.record["id"],
        "record": assignment.record,
        "token": encode(assignment.experiment),
        "text": combination_words(assignment.slot.settings),
        "question": assignment.record.get("question") or "",
    }
    state[TASK] = task
    if new:  # a refresh of a desk that took it before keeps what the address holds
        open_task(task)
        notify("success", task_notice(task))


def open_task(task: dict[str, Any]) -> None:
    """Make the desk's combination the session's experiment (a notice per value that
    could not be taken over)."""
    from cnnviz.links import decode

    for note in apply_experiment(decode(task["token"])):
        notify("warning", note)


def current_task() -> dict[str, Any] | None:
    """This desk's combination while its class experiment is open, else None."""
    task = st.session_state.get(TASK)
    if task is None or current_desk() is None:
        return None
    experiment = read_class_state().experiment
    if experiment is None or not experiment.open or experiment.id != task["id"]:
        return None
    return task


def keeps_task(task: dict[str, Any], source: dict[str, Any], spec) -> bool:
    """Whether a run of `source` (config.json entries) and `spec` still tries the
    combination: its varied settings have the combination's values."""
    from cnnviz.sweep_record import keeps_settings

    return keeps_settings(task["record"], source, spec)


def task_record(request) -> dict[str, Any] | None:
    """The record a run of `request` carries: the desk's combination's, while the class
    experiment is open and the request has the combination's values; else None."""
    task = current_task()
    if task is None or not keeps_task(task, request.source(), request.spec):
        return None
    return task["record"]
