"""What the teacher changes while the class runs, seen by every replica: `ClassState`.

One small document in the shared runs folder, written atomically (`cnnviz.files`)::

    <runs root>/_class/state.json
        {"v": 1, "paused": false, "hide_names": false, "job_minutes": null,
         "desk_quota_mb": null, "updated": "2026-11-29T19:30:00+01:00",
         "sent": {"seq": 1764441000123, "experiment": "eJy...", "lesson": null,
                  "at": 1764441000.1} or null}

`read_class_state` is cheap: one `stat` per call, the document parsed again only when
the file changed (a new inode, size or mtime); a missing or damaged file reads as the
defaults. `update_class_state` changes some fields under a lock file. **Send to every
desk** (`send_to_desks`) stores the teacher's experiment (a `cnnviz.links` token) or a
lesson id with a new sequence number; `take_sent(desk)` hands it to each desk once (the
number a desk took is kept in `_class/seen/<desk>.json`, so a refresh does not apply it
again), for `SENT_HOURS`. `job_minutes` and `desk_quota_mb` are the limits in force: the
teacher's, else the server's settings.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from cnnviz import checks
from cnnviz.errors import CnnvizError
from cnnviz.files import now_iso, write_json
from cnnviz.rundir import cannot_write, checked_root, runs_root
from cnnviz.settings import settings

try:
    import fcntl
except ImportError:  # Windows: one process per runs folder there
    fcntl = None

__all__ = [
    "CLASS_DIR",
    "ClassState",
    "Sent",
    "desk_quota_mb",
    "forget_desk",
    "job_minutes",
    "read_class_state",
    "send_to_desks",
    "take_sent",
    "update_class_state",
]

CLASS_DIR = "_class"  # under the runs root
STATE_FILE, LOCK_FILE, SEEN_DIR = "state.json", ".lock", "seen"
SENT_HOURS = 12.0  # a send older than this is not offered (last week's lesson stays there)
MAX_MINUTES = 10_000.0
SETTINGS = ("paused", "hide_names", "job_minutes", "desk_quota_mb")


@dataclass(frozen=True)
class Sent:
    """What the teacher sent to every desk: an experiment token or a lesson id.

    Attributes:
        seq: grows with every send (milliseconds since 1970, or one more than the last).
        experiment: a `cnnviz.links` token (`?experiment=`), or None.
        lesson: a lesson id (`?lesson=`), or None.
        at: when it was sent (seconds since 1970).
    """

    seq: int
    experiment: str | None = None
    lesson: str | None = None
    at: float = 0.0


@dataclass(frozen=True)
class ClassState:
    """The classroom settings of the moment.

    Attributes:
        paused: the queue starts no new job (running ones go on).
        hide_names: the projected pages show no desk name.
        job_minutes: the per-job time limit the teacher set; None: the server's.
        desk_quota_mb: the per-desk disk quota the teacher set; None: the server's.
        sent: the latest **Send to every desk**, or None.
        updated: when the teacher last changed something (ISO time), "" never.
    """

    paused: bool = False
    hide_names: bool = False
    job_minutes: float | None = None
    desk_quota_mb: int | None = None
    sent: Sent | None = None
    updated: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"v": 1, **asdict(self)}

    @classmethod
    def from_dict(cls, data: Any) -> ClassState:
        """A state document read back, checked.

        Raises:
            CnnvizError: not a state document, or a field of the wrong kind.
        """
        if not isinstance(data, dict):
            raise CnnvizError("the class state must be a JSON object")
        values = _checked({k: data[k] for k in SETTINGS if k in data})
        sent = data.get("sent")
        if sent is not None:
            if not isinstance(sent, dict):
                raise CnnvizError("the class state's 'sent' must be an object")
            sent = Sent(
                seq=checks.whole(sent.get("seq"), "seq", low=1),
                experiment=_text_or_none(sent.get("experiment"), "experiment"),
                lesson=_text_or_none(sent.get("lesson"), "lesson"),
                at=checks.number(sent.get("at", 0.0), "at"),
            )
        return cls(**values, sent=sent, updated=str(data.get("updated", "")))


def _text_or_none(value: Any, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise checks.fail(name, "a text or null", value)
    return value


def _checked(changes: dict[str, Any]) -> dict[str, Any]:
    """The teacher's settings checked (each a learner-readable message)."""
    checks.known_keys(changes, SETTINGS, key="class setting")
    out = {}
    for name, value in changes.items():
        if name in ("paused", "hide_names"):
            out[name] = checks.boolean(value, name)
        elif value is None:
            out[name] = None
        elif name == "job_minutes":
            what = "minutes a job may train before it stops, e.g. 10"
            out[name] = checks.between(value, name, 0, MAX_MINUTES, low_open=True, what=what)
        else:
            out[name] = checks.whole(value, name, low=1, what="megabytes of runs and uploads")
    return out


def _folder(runs_dir: str | os.PathLike | None) -> Path:
    return runs_root(runs_dir) / CLASS_DIR


_CACHE: dict[Path, tuple[tuple[int, int, int], ClassState]] = {}


def read_class_state(runs_dir: str | os.PathLike | None = None) -> ClassState:
    """The class state every replica on the runs folder sees; the defaults when there is
    none yet or it is damaged. Parsed again only when the file changed."""
    path = (_folder(runs_dir) / STATE_FILE).absolute()
    try:
        info = os.stat(path)
    except OSError:
        return ClassState()
    identity = (info.st_ino, info.st_mtime_ns, info.st_size)
    cached = _CACHE.get(path)
    if cached is not None and cached[0] == identity:
        return cached[1]
    try:
        state = ClassState.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):  # CnnvizError is a ValueError
        state = ClassState()
    _CACHE[path] = (identity, state)
    return state


@contextlib.contextmanager
def _locked(runs_dir: str | os.PathLike | None) -> Iterator[Path]:
    """The class folder, created, held under an exclusive lock (every process on this
    machine; replicas on other machines rely on the teacher being one person)."""
    folder = checked_root(runs_dir, create=True) / CLASS_DIR
    try:
        folder.mkdir(exist_ok=True)
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as err:
        raise CnnvizError(cannot_write(err, folder)) from None
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield folder
    finally:
        os.close(fd)  # closing releases the lock


def _write(folder: Path, state: ClassState) -> ClassState:
    state = replace(state, updated=now_iso())
    try:
        write_json(folder / STATE_FILE, state.to_dict())
    except OSError as err:
        raise CnnvizError(cannot_write(err, folder / STATE_FILE)) from None
    return state


def update_class_state(runs_dir: str | os.PathLike | None = None, **changes: Any) -> ClassState:
    """Change some of `paused`, `hide_names`, `job_minutes`, `desk_quota_mb` (None: back
    to the server's setting) for every replica; returns the new state.

    Raises:
        CnnvizError: an unknown setting or a value that does not fit, or a runs folder
            that cannot be written.
    """
    values = _checked(changes)
    with _locked(runs_dir) as folder:
        return _write(folder, replace(read_class_state(runs_dir), **values))


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
    with _locked(runs_dir) as folder:
        state = read_class_state(runs_dir)
        last = state.sent.seq if state.sent else 0
        sent = Sent(max(last + 1, time.time_ns() // 1_000_000), experiment, lesson, time.time())
        return _write(folder, replace(state, sent=sent)).sent


def _seen_file(desk: str, runs_dir: str | os.PathLike | None) -> Path:
    return _folder(runs_dir) / SEEN_DIR / f"{checks.desk_name(desk)}.json"


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


def job_minutes(runs_dir: str | os.PathLike | None = None) -> float | None:
    """The per-job time limit in force: the teacher's, else `settings().job_minutes`."""
    minutes = read_class_state(runs_dir).job_minutes
    return settings().job_minutes if minutes is None else minutes


def desk_quota_mb(runs_dir: str | os.PathLike | None = None) -> int | None:
    """The per-desk disk quota in force: the teacher's, else `settings().desk_quota_mb`."""
    quota = read_class_state(runs_dir).desk_quota_mb
    return settings().desk_quota_mb if quota is None else quota
