"""What the teacher changes while the class runs, seen by every replica: `ClassState`.

One small document in the shared runs folder, written atomically (`cnnviz.files`)::

    <runs root>/_class/state.json
        {"v": 1, "paused": false, "hide_names": false, "job_minutes": null,
         "desk_quota_mb": null, "updated": "2026-11-29T19:30:00+01:00",
         "sent": {"seq": 1764441000123, "experiment": "eJy...", "lesson": null,
                  "at": 1764441000.1} or null,
         "experiment": {"sweep": {...Sweep.to_dict()...}, "base": "eJy...",
                        "desks": ["ada", "bob"], "started": 1764441000.1,
                        "ended": null} or null}

`read_class_state` is cheap: one `stat` per call, the document parsed again only when
the file changed (a new inode, size or mtime); a missing or damaged file reads as the
defaults. `update_class_state` changes some fields under a lock file, and
`change_class_state` reads, changes and writes the document under it. **Send to every
desk** (`Sent`) is sent and taken by `cnnviz.class_send`. `job_minutes` and
`desk_quota_mb` are the limits in force: the teacher's, else the server's settings. The
teacher's class experiment (`ClassExperiment`: the sweep, the experiment the desks start
from, the desks in the order they took a combination) is started, taken and ended by
`cnnviz.class_experiment`.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
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
    "ClassExperiment",
    "ClassState",
    "Sent",
    "change_class_state",
    "class_folder",
    "desk_quota_mb",
    "job_minutes",
    "read_class_state",
    "update_class_state",
]

CLASS_DIR = "_class"  # under the runs root
STATE_FILE, LOCK_FILE = "state.json", ".lock"
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
class ClassExperiment:
    """The teacher's class experiment (`cnnviz.class_experiment`).

    Attributes:
        sweep: the `cnnviz.sweep.Sweep`, as `Sweep.to_dict()` writes it.
        base: the experiment every desk starts from, a `cnnviz.links` token.
        desks: the desks that have taken a combination, in the order they took it: the
            k-th has slot k of the rotation (`cnnviz.sweep_desks`).
        started: when the teacher started it (seconds since 1970).
        ended: when the teacher ended it (no desk takes a combination from then on; its
            results stay), or None.
    """

    sweep: dict[str, Any]
    base: str
    desks: tuple[str, ...] = ()
    started: float = 0.0
    ended: float | None = None

    @property
    def id(self) -> str:
        """The sweep's id, which its runs record."""
        return str(self.sweep.get("id", ""))

    @property
    def open(self) -> bool:
        """Desks still take combinations."""
        return self.ended is None

    @classmethod
    def from_dict(cls, data: Any) -> ClassExperiment:
        """The state document's "experiment", checked (the sweep itself is checked
        against its model where it is opened, `cnnviz.class_experiment.opened`).

        Raises:
            CnnvizError: a field of the wrong kind.
        """
        if not isinstance(data, dict) or not isinstance(data.get("sweep"), dict):
            raise CnnvizError("the class state's 'experiment' must be an object with a sweep")
        desks, ended = data.get("desks", []), data.get("ended")
        if not isinstance(desks, (list, tuple)):
            raise checks.fail("desks", "a list of desk names", desks, CnnvizError)
        return cls(
            sweep=data["sweep"],
            base=_text_or_none(data.get("base"), "base") or "",
            desks=tuple(checks.desk_name(desk) for desk in desks),
            started=checks.number(data.get("started", 0.0), "started"),
            ended=None if ended is None else checks.number(ended, "ended"),
        )


@dataclass(frozen=True)
class ClassState:
    """The classroom settings of the moment.

    Attributes:
        paused: the queue starts no new job (running ones go on).
        hide_names: the projected pages show no desk name.
        job_minutes: the per-job time limit the teacher set; None: the server's.
        desk_quota_mb: the per-desk disk quota the teacher set; None: the server's.
        sent: the latest **Send to every desk**, or None.
        experiment: the teacher's class experiment (open or ended), or None.
        updated: when the teacher last changed something (ISO time), "" never.
    """

    paused: bool = False
    hide_names: bool = False
    job_minutes: float | None = None
    desk_quota_mb: int | None = None
    sent: Sent | None = None
    experiment: ClassExperiment | None = None
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
        experiment = data.get("experiment")
        if experiment is not None:
            experiment = ClassExperiment.from_dict(experiment)
        updated = str(data.get("updated", ""))
        return cls(**values, sent=sent, experiment=experiment, updated=updated)


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


def class_folder(runs_dir: str | os.PathLike | None = None) -> Path:
    """`_class/` under the runs root (not created)."""
    return runs_root(runs_dir) / CLASS_DIR


_CACHE: dict[Path, tuple[tuple[int, int, int], ClassState]] = {}


def read_class_state(runs_dir: str | os.PathLike | None = None) -> ClassState:
    """The class state every replica on the runs folder sees; the defaults when there is
    none yet or it is damaged. Parsed again only when the file changed."""
    path = (class_folder(runs_dir) / STATE_FILE).absolute()
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


def change_class_state(
    change: Callable[[ClassState], ClassState], runs_dir: str | os.PathLike | None = None
) -> ClassState:
    """Read the class state, change it and write it, under the lock (no other process on
    this machine changes it in between); returns the state as written. When `change`
    returns the very state it was given, nothing is written.

    Raises:
        CnnvizError: a runs folder that cannot be written (or what `change` raises).
    """
    with _locked(runs_dir) as folder:
        state = read_class_state(runs_dir)
        changed = change(state)
        return state if changed is state else _write(folder, changed)


def update_class_state(runs_dir: str | os.PathLike | None = None, **changes: Any) -> ClassState:
    """Change some of `paused`, `hide_names`, `job_minutes`, `desk_quota_mb` (None: back
    to the server's setting) for every replica; returns the new state.

    Raises:
        CnnvizError: an unknown setting or a value that does not fit, or a runs folder
            that cannot be written.
    """
    values = _checked(changes)
    return change_class_state(lambda state: replace(state, **values), runs_dir)


def job_minutes(runs_dir: str | os.PathLike | None = None) -> float | None:
    """The per-job time limit in force: the teacher's, else `settings().job_minutes`."""
    minutes = read_class_state(runs_dir).job_minutes
    return settings().job_minutes if minutes is None else minutes


def desk_quota_mb(runs_dir: str | os.PathLike | None = None) -> int | None:
    """The per-desk disk quota in force: the teacher's, else `settings().desk_quota_mb`."""
    quota = read_class_state(runs_dir).desk_quota_mb
    return settings().desk_quota_mb if quota is None else quota
