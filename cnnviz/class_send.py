"""**Send to every desk**: the teacher's experiment or a lesson, taken once by each desk.

`send_to_desks` stores the teacher's experiment (a `cnnviz.links` token) or a lesson id
in the class state (`cnnviz.classstate.Sent`) with a new sequence number; `take_sent(desk)`
hands it to each desk once (the number a desk took is kept in `_class/seen/<desk>.json`,
so a refresh does not apply it again), for `SENT_HOURS`.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import replace
from pathlib import Path

from cnnviz import checks
from cnnviz.classstate import ClassState, Sent, change_class_state, class_folder, read_class_state
from cnnviz.errors import CnnvizError
from cnnviz.files import write_json

__all__ = ["SENT_HOURS", "forget_desk", "send_to_desks", "take_sent"]

SEEN_DIR = "seen"  # under the class folder: the send each desk took
SENT_HOURS = 12.0  # a send older than this is not offered (last week's lesson stays there)


def send_to_desks(
    *,
    experiment: str | None = None,
    lesson: str | None = None,
    runs_dir: str | os.PathLike | None = None,
) -> Sent:
    """**Send to every desk**: the teacher's experiment (a `cnnviz.links` token) or a
    lesson id, offered to each desk once (`take_sent`).

    Raises:
        CnnvizError: neither or both given, a token that is not an experiment link, a
            lesson that does not exist, or a runs folder that cannot be written.
    """
    if (experiment is None) == (lesson is None):
        raise CnnvizError(
            "send either an experiment or a lesson to the desks. "
            f"Received: experiment={experiment is not None}, lesson={lesson!r}"
        )
    from cnnviz import lessons, links

    if experiment is not None:
        links.decode(experiment)
    else:
        lesson = lessons.get_lesson(lesson).id

    def send(state: ClassState) -> ClassState:
        last = state.sent.seq if state.sent else 0
        seq = max(last + 1, time.time_ns() // 1_000_000)
        return replace(state, sent=Sent(seq, experiment, lesson, time.time()))

    return change_class_state(send, runs_dir).sent


def _seen_file(desk: str, runs_dir: str | os.PathLike | None) -> Path:
    return class_folder(runs_dir) / SEEN_DIR / f"{checks.desk_name(desk)}.json"


def take_sent(desk: str, *, runs_dir: str | os.PathLike | None = None) -> Sent | None:
    """What the teacher sent, the first time this desk asks (then None until the next
    send); None too when nothing was sent in the last `SENT_HOURS`, or when the runs
    folder cannot record that the desk took it (so it is never applied twice).

    Args:
        desk: a verified desk name (`cnnviz.desks.desk_of`).

    Raises:
        CnnvizError: `desk` is not a desk name.
    """
    path = _seen_file(desk, runs_dir)
    sent = read_class_state(runs_dir).sent
    if sent is None or time.time() - sent.at > SENT_HOURS * 3600:
        return None
    try:
        seen = json.loads(path.read_text(encoding="utf-8")).get("seq")
    except (OSError, ValueError, AttributeError):
        seen = None
    if checks.is_whole(seen) and seen >= sent.seq:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json(path, {"seq": sent.seq})
    except OSError:
        return None
    return sent


def forget_desk(desk: str, *, runs_dir: str | os.PathLike | None = None) -> None:
    """Forget what a desk took (a reset desk's new laptop gets the latest send)."""
    with contextlib.suppress(OSError):
        _seen_file(desk, runs_dir).unlink(missing_ok=True)
