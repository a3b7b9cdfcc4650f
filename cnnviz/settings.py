"""Every environment variable cnnviz reads, read here and nowhere else.

`settings()` returns one frozen `Settings`, parsed from the environment as it is now and
parsed again only when one of the variables changes (a test's `monkeypatch.setenv`, a
server started with other values). Each field says its variable, its default and why.
A malformed value is a `CnnvizError` that names the variable and ends
``Received: NAME=value``, as every checker's message does.

`quiet_tensorflow()` is the one place TensorFlow's log level is set (the command line,
the app's server, its worker processes and Ray's workers all call it).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from cnnviz.errors import CnnvizError

__all__ = ["ENV", "Settings", "quiet_tensorflow", "settings"]

TF_LOG_LEVEL = "3"  # fatal errors only: TensorFlow's start-up notes are not for learners
MIN_TEACHER_CODE = 12  # characters: a class guessing the teacher's code must not be easy


@dataclass(frozen=True)
class Settings:
    """What the environment says, parsed. The variable of each field is in `ENV`."""

    runs_dir: Path = Path("runs")  # runs, uploads and desk keys; shared by replicas
    runner: str | None = None  # thread, process or ray; None: the caller's default
    max_jobs: int | None = None  # trainings at once; None: the runner's own default
    uploads_mb: int = 500  # every desk's uploads together, in MB (oldest go first)
    desk_uploads_mb: int = 100  # one desk's uploads, in MB (its own oldest go first)
    desk_quota_mb: int | None = None  # one desk's runs and uploads on disk; None: no quota
    max_job_minutes: float | None = None  # a job stops after the batch past this
    warmup: bool = True  # import TensorFlow in the background after the first page
    ray_address: str = ""  # HOST:PORT of a Ray cluster; "": a private local one
    ray_token_auth: bool = False  # the cluster asks for Ray's token (for a hint only)
    lessons_dir: Path | None = None  # lesson files; None: assets/lessons/
    tfds_data_dir: str | None = None  # the TFDS cache; None: ~/tensorflow_datasets
    keras_home: Path = Path("~/.keras").expanduser()  # Keras's own folder (Keras reads it
    # too): pretrained weights are looked for in its models/, never downloaded
    class_code: str | None = None  # set: classroom mode, newcomers join with this code
    teacher_code: str | None = None  # signs the teacher in (12 characters or more)

    @property
    def classroom(self) -> bool:
        """Classroom mode: a class code is set."""
        return self.class_code is not None

    @property
    def job_minutes(self) -> float | None:
        """The per-job time limit in force: the variable's, else 30 minutes in classroom
        mode (one desk must not hold a slot for a lesson), else none."""
        if self.max_job_minutes is not None:
            return self.max_job_minutes
        return CLASSROOM_JOB_MINUTES if self.classroom else None


CLASSROOM_JOB_MINUTES = 30.0

ENV = {  # field -> its variable
    "runs_dir": "CNNVIZ_RUNS_DIR",
    "runner": "CNNVIZ_RUNNER",
    "max_jobs": "CNNVIZ_MAX_JOBS",
    "uploads_mb": "CNNVIZ_UPLOADS_MB",
    "desk_uploads_mb": "CNNVIZ_DESK_UPLOADS_MB",
    "desk_quota_mb": "CNNVIZ_DESK_QUOTA_MB",
    "max_job_minutes": "CNNVIZ_MAX_JOB_MINUTES",
    "warmup": "CNNVIZ_WARMUP",
    "ray_address": "CNNVIZ_RAY_ADDRESS",
    "ray_token_auth": "RAY_AUTH_MODE",
    "lessons_dir": "CNNVIZ_LESSONS_DIR",
    "tfds_data_dir": "TFDS_DATA_DIR",
    "keras_home": "KERAS_HOME",
    "class_code": "CNNVIZ_CLASS_CODE",
    "teacher_code": "CNNVIZ_TEACHER_CODE",
}


def settings() -> Settings:
    """The settings the environment holds now (parsed once per set of values).

    Raises:
        CnnvizError: a variable holds a value that cannot be used, named.
    """
    return _parse(tuple(os.environ.get(name) for name in ENV.values()))


def _bad(name: str, what: str, text: str) -> CnnvizError:
    return CnnvizError(f"${name} must be {what}. Received: {name}={text!r}")


def _whole(name: str, text: str, *, low: int, what: str) -> int:
    if not text.isdigit() or int(text) < low:
        raise _bad(name, f"a whole number of at least {low} ({what})", text)
    return int(text)


def _minutes(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 10_000:
        raise _bad(name, "a number of minutes above 0, e.g. 10 or 0.5", text)
    return value


def _code(name: str, text: str, *, at_least: int) -> str:
    if len(text) < at_least or any(c.isspace() for c in text):
        raise _bad(name, f"at least {at_least} characters without spaces", "*" * len(text))
    return text


@functools.lru_cache(maxsize=8)
def _parse(raw: tuple[str | None, ...]) -> Settings:
    values = {}
    for (field, name), value in zip(ENV.items(), raw):
        text = (value or "").strip()
        if not text:
            continue
        if field in ("runs_dir", "lessons_dir", "keras_home"):
            values[field] = Path(text).expanduser()
        elif field == "tfds_data_dir":
            values[field] = str(Path(text).expanduser())
        elif field in ("runner", "ray_address"):
            values[field] = text
        elif field == "max_jobs":
            values[field] = _whole(name, text, low=1, what="the trainings run at once")
        elif field in ("uploads_mb", "desk_uploads_mb", "desk_quota_mb"):
            values[field] = _whole(name, text, low=1, what="megabytes")
        elif field == "max_job_minutes":
            values[field] = _minutes(name, text)
        elif field == "warmup":
            values[field] = text != "0"
        elif field == "ray_token_auth":
            values[field] = text.lower() == "token"
        elif field == "class_code":
            values[field] = _code(name, text, at_least=1)
        elif field == "teacher_code":
            values[field] = _code(name, text, at_least=MIN_TEACHER_CODE)
    return Settings(**values)


def quiet_tensorflow() -> str:
    """TensorFlow's C++ log level for this process and the processes it starts (kept
    when the environment already sets one); returns the level in force."""
    return os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", TF_LOG_LEVEL)
