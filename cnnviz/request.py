"""What a training job needs, parsed and checked, and how any runner runs one.

A `TrainRequest` is parsed once, at the edge (the page, the command line, or `from_dict`
in another process): the `ModelSpec`, the dataset id, the `TrainConfig`, the
`AugmentSpec`, the desk that asked, its time limit. `run_job` loads the data it names and
trains it into its run folder: every job runner (`cnnviz.jobs`) calls it, in a thread, a
worker process or a Ray task. A job with a time limit stops after the batch past it (its
clock starts when `run_job` does), keeps what it learned and ends `stopped`, its message
naming the limit; `time_limited` gives a request the limit in force as it starts (the
teacher's, else $CNNVIZ_MAX_JOB_MINUTES or the classroom default, `cnnviz.classstate`).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from typing import Any

from cnnviz import checks
from cnnviz.augment import AugmentSpec
from cnnviz.errors import CnnvizError
from cnnviz.events import StatusEvent
from cnnviz.origins import canonical
from cnnviz.plan import TrainConfig
from cnnviz.settings import settings
from cnnviz.spec import ModelSpec
from cnnviz.train import TrainResult, fail_run, train

__all__ = ["TrainRequest", "run_job", "time_limited"]

MAX_MINUTES = 10_000  # the longest time limit a job may have


@dataclass(frozen=True)
class TrainRequest:
    """Everything a job needs, parsed and checked.

    Attributes:
        spec: the model spec.
        dataset: the dataset id, e.g. "digits" or "tfds:fashion_mnist"; an `upload:` id
            names an upload of `owner` (an older upload's `folder:` id is read as one).
        config: the hyper-parameters.
        data_dir, limit, image_size: passed to `cnnviz.data.load_dataset`
            (with `config.seed` as its seed); in classroom mode `data_dir` is None
            (the server's TFDS cache).
        augment: the augmentation, or None.
        runs_dir: the runs folder (None: $CNNVIZ_RUNS_DIR or ./runs).
        model: where the spec came from (a preset name or a file), for the record.
        owner: the desk that asked for it (one queued or running job per desk).
        experiment: the sweep or class experiment the run belongs to (plain JSON,
            `cnnviz.sweep.Sweep.record`), kept in config.json to group runs; or None.
        init_from: the id of a run whose weights this one starts from (the same
            layers: "unfreeze and fine-tune"), or None.
        max_minutes: the job stops after the batch past this many minutes (None: no
            limit of its own).
    """

    spec: ModelSpec
    dataset: str
    config: TrainConfig = field(default_factory=TrainConfig)
    data_dir: str | None = None
    limit: int | None = None
    image_size: tuple[int, int] | None = None
    augment: AugmentSpec | None = None
    runs_dir: str | None = None
    model: str | None = None
    owner: str | None = None
    experiment: dict[str, Any] | None = None
    init_from: str | None = None
    max_minutes: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.spec, ModelSpec):
            raise checks.fail(
                "spec",
                "a ModelSpec (parse it with ModelSpec.from_dict)",
                type(self.spec).__name__,
                CnnvizError,
            )
        if self.augment is not None and not isinstance(self.augment, AugmentSpec):
            raise checks.fail(
                "augment", "an AugmentSpec or None", type(self.augment).__name__, CnnvizError
            )
        if self.owner is not None:
            object.__setattr__(self, "owner", checks.desk_name(self.owner))
        # an older upload's `folder:` id trains as its `upload:` id, in the owner's uploads
        object.__setattr__(self, "dataset", canonical(self.dataset))
        if settings().classroom:  # the server's TFDS cache, never a folder a browser names
            object.__setattr__(self, "data_dir", None)
        if self.experiment is not None and not isinstance(self.experiment, dict):
            raise checks.fail("experiment", "a JSON object or None", self.experiment, CnnvizError)
        if self.max_minutes is not None:
            minutes = checks.between(
                self.max_minutes,
                "max_minutes",
                0,
                MAX_MINUTES,
                low_open=True,
                what="minutes a job may train, e.g. 10 or 0.5",
            )
            object.__setattr__(self, "max_minutes", float(minutes))

    def source(self) -> dict[str, Any]:
        """The config.json entries naming the data and the settings, enough to load
        the data and train again."""
        size = None if self.image_size is None else list(self.image_size)
        return {
            "dataset": self.dataset,
            "data_dir": self.data_dir,
            "limit": self.limit,
            "image_size": size,
            "seed": self.config.seed,
            "model": self.model,
            "owner": self.owner,
            "training": self.config.to_dict(),
            "augment": None if self.augment is None else self.augment.to_dict(),
            "init_from": self.init_from,
        } | ({} if self.experiment is None else {"experiment": self.experiment})

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data, e.g. to send to another process."""
        return {
            "spec": self.spec.to_dict(),
            "runs_dir": self.runs_dir,
            "max_minutes": self.max_minutes,
            **self.source(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainRequest:
        """Parse `to_dict` output: the spec, the settings and the augmentation are
        checked here, once.

        Raises:
            CnnvizError: a malformed spec, setting or augmentation.
        """
        size = data.get("image_size")
        augment = data.get("augment")
        return cls(
            spec=ModelSpec.from_dict(data.get("spec")),
            dataset=data["dataset"],
            config=TrainConfig.from_dict(data.get("training") or {}),
            data_dir=data.get("data_dir"),
            limit=data.get("limit"),
            image_size=None if size is None else tuple(size),
            augment=None if augment is None else AugmentSpec.from_dict(augment),
            runs_dir=data.get("runs_dir"),
            model=data.get("model"),
            owner=data.get("owner"),
            experiment=data.get("experiment"),
            init_from=data.get("init_from"),
            max_minutes=data.get("max_minutes"),
        )


def run_job(
    request: TrainRequest, *, run_dir: str | os.PathLike, emit=None, should_stop=None
) -> TrainResult:
    """Load the data a request names (or take this process's recent load of it,
    `cnnviz.data.recent`) and train it into `run_dir`; never raises for a failed run
    (the result and status.json say what went wrong)."""
    should_stop = _with_deadline(should_stop, request.max_minutes)
    try:
        from cnnviz.data.recent import load_recent

        if emit is not None:
            emit(StatusEvent("running", "loading the data"))
        dataset = load_recent(
            request.dataset,
            data_dir=request.data_dir,
            limit=request.limit,
            image_size=request.image_size,
            seed=request.config.seed,
            desk=request.owner,  # an upload is looked for among its desk's own
            runs_dir=request.runs_dir,
        )
        start = None
        if request.init_from is not None:
            from cnnviz.runs import load_run

            start = load_run(request.init_from, request.runs_dir).weights_file()
    except CnnvizError as err:
        return fail_run(run_dir, str(err), emit=emit)
    except Exception as err:
        return fail_run(run_dir, f"could not load the data: {type(err).__name__}: {err}", emit=emit)
    return train(
        request.spec,
        dataset,
        request.config,
        run_dir=run_dir,
        emit=emit,
        should_stop=should_stop,
        augment=request.augment,
        init_weights=start,
    )


def _limit_words(minutes: float) -> str:
    """Why a job that reached its time limit stopped, e.g. for a status message."""
    unit = "minute" if minutes == 1 else "minutes"
    return f"it reached the time limit of {minutes:g} {unit} a job may train"


def time_limited(request: TrainRequest) -> TrainRequest:
    """The request with the time limit in force where its runs are kept: the smaller of
    its own and the teacher's (`cnnviz.classstate.job_minutes`: the teacher's setting,
    else $CNNVIZ_MAX_JOB_MINUTES, else 30 minutes in classroom mode, else none)."""
    from cnnviz.classstate import job_minutes

    limit, own = job_minutes(request.runs_dir), request.max_minutes
    minutes = limit if own is None else own if limit is None else min(own, limit)
    return request if minutes == own else replace(request, max_minutes=minutes)


def _with_deadline(should_stop, minutes: float | None):
    """`should_stop`, answering also once `minutes` have passed from now (with why)."""
    if minutes is None:
        return should_stop
    deadline = time.monotonic() + 60 * minutes
    why = _limit_words(minutes)

    def stop() -> bool | str:
        asked = should_stop() if should_stop is not None else False
        return asked or (time.monotonic() >= deadline and why)

    return stop
