"""What a training run will do, checked before it starts: hyper-parameters, optimizer, plan.

`TrainConfig` holds the hyper-parameters (checked on construction); `OPTIMIZERS` is the
one table of optimizers (the Keras class and the settings it takes), read by training,
by the generated Keras code and by every menu that offers a choice; `plan_training`
checks a spec, a dataset and a config together (the memory the run needs included,
before any Keras model is built) and says how the images are split.
A new optimizer is one entry of `OPTIMIZERS` (plus its test).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from cnnviz import backbones, checks, memory
from cnnviz.errors import CnnvizError
from cnnviz.head import Head, head_of
from cnnviz.spec import ModelSpec, Report, validate

__all__ = [
    "OPTIMIZERS",
    "Optimizer",
    "TrainConfig",
    "TrainingCheck",
    "TrainingPlan",
    "check_training",
    "make_optimizer",
    "optimizer_settings",
    "plan_training",
    "training_memory",
]

MAX_EPOCHS = 10_000
MAX_VALIDATION_SPLIT = 0.5


@dataclass(frozen=True)
class Optimizer:
    """One optimizer a learner may choose.

    Attributes:
        keras_class: its class in `keras.optimizers`, e.g. "Adam".
        settings: the `TrainConfig` fields it takes, by their Keras keyword names.
        state_slots: values it keeps per trainable weight (Adam: two moments).
    """

    keras_class: str
    settings: tuple[str, ...] = ("learning_rate",)
    state_slots: int = 1


OPTIMIZERS: dict[str, Optimizer] = {
    "adam": Optimizer("Adam", state_slots=2),
    "rmsprop": Optimizer("RMSprop"),
    "sgd": Optimizer("SGD", ("learning_rate", "momentum")),
}


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of one training run, checked on construction.

    Raises:
        CnnvizError: a value out of range, with what was received and what fits.
    """

    epochs: int = 10  # passes over the training images
    batch_size: int = 32  # images per gradient step
    optimizer: str = "adam"  # a key of OPTIMIZERS
    learning_rate: float = 0.001  # size of each optimizer step
    momentum: float = 0.9  # sgd only: share of the previous step carried into the next
    validation_split: float = 0.1  # share of training images held out to validate, 0-0.5
    seed: int = 0  # initial weights, shuffling, the validation split, the `limit` subset
    early_stopping_patience: int | None = None  # epochs without better val_loss; None: off
    devices: int = 1  # devices each batch is split over (tf.distribute.MirroredStrategy)

    def __post_init__(self) -> None:
        checks.whole(
            self.epochs,
            "epochs",
            low=1,
            high=MAX_EPOCHS,
            what="passes over the training images, e.g. 10",
        )
        checks.whole(
            self.batch_size, "batch_size", low=1, high=1 << 16, what="images per step, e.g. 32"
        )
        name = self.optimizer.lower().strip() if isinstance(self.optimizer, str) else None
        if name not in OPTIMIZERS:
            raise checks.fail("optimizer", f"one of {', '.join(OPTIMIZERS)}", self.optimizer)
        rate = checks.between(
            self.learning_rate, "learning_rate", 0, 10, low_open=True, what="e.g. 0.001"
        )
        momentum = checks.between(
            self.momentum, "momentum", 0, 1, high_open=True, what="for sgd, e.g. 0.9"
        )
        split = checks.number(self.validation_split, "validation_split", what="a share, e.g. 0.1")
        if not 0 <= split <= MAX_VALIDATION_SPLIT:
            raise checks.fail(
                "validation_split",
                f"from 0 (no validation) to {MAX_VALIDATION_SPLIT:g} (half of the training "
                "images), e.g. 0.1",
                self.validation_split,
            )
        checks.whole(
            self.seed,
            "seed",
            low=0,
            high=2**31 - 1,
            what="any whole number; the same seed repeats a run",
        )
        if self.early_stopping_patience is not None:
            checks.whole(
                self.early_stopping_patience,
                "early_stopping_patience",
                low=1,
                high=MAX_EPOCHS,
                what="epochs without improvement before stopping, or None for no early stop",
            )
        checks.devices(self.devices)
        for key, value in (
            ("optimizer", name),
            ("learning_rate", rate),
            ("momentum", momentum),
            ("validation_split", split),
        ):
            object.__setattr__(self, key, value)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Read `to_dict` output; unknown keys are refused, missing ones default."""
        if not isinstance(data, dict):
            raise checks.fail("training", "an object of settings", data, CnnvizError)
        known = [f.name for f in fields(cls)]
        unknown = [k for k in data if k not in known]
        if unknown:
            raise CnnvizError(
                f"unknown training setting {unknown[0]!r}; known settings: {', '.join(known)}"
            )
        return cls(**data)

    @classmethod
    def suggested(cls, model: str | None = None, **overrides: Any) -> TrainConfig:
        """The preset's suggested epochs, batch size and learning rate (defaults for a
        spec file), with `overrides` whose value is not None on top."""
        from cnnviz.presets import preset_for

        preset = preset_for(model) if model else None
        values = dict(preset.training) if preset else {}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.from_dict(values)


def optimizer_settings(config: TrainConfig) -> dict[str, float]:
    """The keyword arguments of the chosen optimizer, e.g. {"learning_rate": 0.001}."""
    return {name: getattr(config, name) for name in OPTIMIZERS[config.optimizer].settings}


def make_optimizer(config: TrainConfig):
    """The chosen Keras optimizer with its settings (imports Keras)."""
    import keras

    cls = getattr(keras.optimizers, OPTIMIZERS[config.optimizer].keras_class)
    return cls(**optimizer_settings(config))


@dataclass(frozen=True)
class TrainingPlan:
    """What `train` will do, checked: the model, its head, and the splits.

    Attributes:
        report: the spec validated against the dataset.
        head: binary or multiclass, which decides the loss.
        train, validation: the training images and the held-out ones (None with
            validation_split 0); `cnnviz.data.Split`s.
        test: the dataset's test split.
        memory: what the run needs (`cnnviz.memory.MemoryEstimate`).
    """

    report: Report
    head: Head
    train: Any
    validation: Any = field(default=None)
    test: Any = field(default=None)
    memory: memory.MemoryEstimate | None = field(default=None)


def training_memory(
    report: Report, config: TrainConfig, *, images: int = 0
) -> memory.MemoryEstimate:
    """The memory a run of a checked spec needs at the config's batch size and
    optimizer, with `images` training and validation images in its pipeline."""
    pixels = images * memory.values_in(report.input_shape or ())
    slots = OPTIMIZERS[config.optimizer].state_slots
    if config.optimizer == "sgd" and config.momentum == 0:
        slots = 0
    return memory.training_memory(
        report, batch_size=config.batch_size, optimizer_slots=slots, data_pixels=pixels
    )


@dataclass(frozen=True)
class TrainingCheck:
    """A training run checked from what the dataset says of itself (no image read).

    Attributes:
        report: the spec validated against the dataset.
        head: binary or multiclass, which decides the loss.
        train_images, validation_images: how many images train and validate.
        memory: what the run needs (`cnnviz.memory.MemoryEstimate`).
    """

    report: Report
    head: Head
    train_images: int
    validation_images: int
    memory: memory.MemoryEstimate


def check_training(
    spec: ModelSpec,
    info,
    config: TrainConfig,
    *,
    per_class: list[int] | None = None,
    free_memory: int | None = None,
) -> TrainingCheck:
    """Check a training run before it is queued, from the dataset's `DatasetInfo` alone
    (shapes, classes, counts per class): nothing is copied and no model is built, so a
    server checks a Start click at once and the worker that trains does the rest.

    Args:
        per_class: training images per class (default: what `info` says).
        free_memory: bytes free for the run (default: what `cnnviz.memory.free_memory`
            reads from the system).

    Raises:
        CnnvizError: the spec does not fit the dataset (shapes, a head that does not
            fit its classes), a pretrained backbone's weights are not here, the batch
            size is larger than the training images, or the run needs more memory than
            is free (with the estimate and a fix), or it does not divide by the devices
            that share each batch.
    """
    from cnnviz.data.splits import held_out

    report = validate(spec, input_shape=info.image_shape, num_classes=info.num_classes)
    head = head_of(report, info.num_classes)
    backbones.require_weights(report.rows)
    per_class = info.per_class["train"] if per_class is None else per_class
    fraction = config.validation_split
    held = sum(held_out(n, fraction) for n in per_class) if fraction > 0 else 0
    if fraction > 0 and held == 0:
        raise CnnvizError(
            f"{info.counts['train']} images are too few to hold out {fraction:.0%} for "
            "validation; use more images or a larger fraction"
        )
    train_images = info.counts["train"] - held
    if config.batch_size > train_images:
        after = f" after holding out {fraction:.0%} for validation" if held else ""
        raise CnnvizError(
            f"batch_size {config.batch_size} is larger than the {train_images} "
            f"training images{after}; choose a batch size of at most {train_images}"
        )
    if config.batch_size % config.devices:
        lower = config.batch_size - config.batch_size % config.devices
        fits = ", ".join(str(b) for b in (lower, lower + config.devices) if b > 0)
        raise CnnvizError(
            f"batch_size {config.batch_size} does not divide by the {config.devices} devices "
            f"that share each batch (every device takes an equal part); choose a multiple "
            f"of {config.devices}, e.g. {fits}"
        )
    if info.counts["test"] == 0:
        raise CnnvizError(f"the dataset {info.id!r} has no test images to evaluate on")
    needed = training_memory(report, config, images=info.counts["train"])
    memory.check_fits(needed, memory.free_memory() if free_memory is None else free_memory)
    return TrainingCheck(report, head, train_images, held, needed)


def plan_training(
    spec: ModelSpec, dataset, config: TrainConfig, *, free_memory: int | None = None
) -> TrainingPlan:
    """Check a training run (`check_training`) and split its images: what `train` does.

    Raises:
        CnnvizError: see `check_training`.
    """
    import numpy as np

    from cnnviz.data import split_validation

    counts = np.bincount(dataset.train.labels, minlength=dataset.info.num_classes)
    checked = check_training(
        spec, dataset.info, config, per_class=counts.tolist(), free_memory=free_memory
    )
    train_split, val_split = dataset.train, None
    if config.validation_split > 0:
        train_split, val_split = split_validation(
            dataset.train, config.validation_split, seed=config.seed
        )
    return TrainingPlan(
        checked.report, checked.head, train_split, val_split, dataset.test, checked.memory
    )
