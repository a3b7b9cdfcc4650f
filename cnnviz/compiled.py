"""The model a job trains: built from a checked spec, compiled, and reused by a warm process.

Building a small CNN and tracing its training step cost about a CPU-second, more than
the digits default's whole training; so a process that trains one job after another (a
warm worker) keeps the compiled model of each kind it trained: same spec, input shape,
loss, optimizer and optimizer settings other than the learning rate, and steps per
execution. The next job of that kind takes the model with the state a fresh one would
have: the values of every variable (weights, batch-norm statistics, dropout's
seed-generator state) of a model built right after `keras.utils.set_random_seed(seed)`,
recorded once per seed, and the optimizer's state as it was before its first step
(iterations 0, its moments zero), with the job's learning rate. So a reused model's run
is the run a fresh model would make (`tests/test_compiled.py` compares the histories).
Keras's traced train function, and `cnnviz.forward`'s graph functions, stay with the
model, so a job of a kind seen before traces nothing.

Several batches run per execution (`steps_per_execution`) for models whose step is a
few milliseconds of arithmetic: Keras then calls the callbacks, the live stream and the
stop flag after every few batches instead of every batch. Runs split over several
devices (`TrainConfig.devices`) are built afresh under their `MirroredStrategy`, one
batch per execution (Keras 3.15's loop of several steps fails under that strategy).
"""

from __future__ import annotations

import collections
import contextlib
import json
import math
import threading
import weakref
from collections.abc import Iterator
from typing import Any

from cnnviz.errors import CnnvizError
from cnnviz.plan import TrainConfig, make_optimizer, optimizer_settings

__all__ = ["compiled_model", "forget_models", "multiply_adds", "steps_per_execution"]

REUSE = True  # keep compiled models for the next job of their kind (benchmarks turn it off)
MAX_IDLE = 3  # compiled models a process keeps waiting (the least recently used goes first)
MAX_INITIAL = 8  # kinds and seeds whose initial values a process keeps
MAX_STEPS_PER_EXECUTION = 8  # batches per execution at most: Stop waits for at most these
EXECUTION_MULTIPLY_ADDS = 6e8  # forward and backward work of one execution: ~10-30 ms a core

_lock = threading.Lock()
_idle: collections.OrderedDict[str, list] = collections.OrderedDict()  # kind -> models
_initial: collections.OrderedDict[tuple[str, int], list] = collections.OrderedDict()
_optimizer_start: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> values
_STRATEGIES: dict[int, Any] = {}  # one per device count and process (a second breaks the first)


def multiply_adds(report) -> int:
    """About how many multiply-adds one image's forward pass takes: each layer's
    weights once per position of its output (a conv's kernel slides over every output
    position; a dense layer's weights are used once).

    Args:
        report: a checked spec (`cnnviz.spec.Report`).
    """
    total = 0
    for row in report.rows:
        shape = tuple(row.output_shape)
        positions = math.prod(shape[:-1]) if len(shape) > 1 else 1
        total += row.total * positions
    return total


def steps_per_execution(report, batch_size: int) -> int:
    """Batches Keras runs per call of its traced train function: as many as fit in
    EXECUTION_MULTIPLY_ADDS (forward and backward, about 3 forward passes), at most
    MAX_STEPS_PER_EXECUTION; 1 for any model whose step is more than a few milliseconds."""
    work = 3 * batch_size * max(1, multiply_adds(report))
    return int(max(1, min(MAX_STEPS_PER_EXECUTION, EXECUTION_MULTIPLY_ADDS // work)))


@contextlib.contextmanager
def compiled_model(report, head, config: TrainConfig) -> Iterator[Any]:
    """A compiled model for one job, as fresh as one built now after
    `keras.utils.set_random_seed(config.seed)`; kept for the next job of its kind when
    the block ends without an exception.

    Args:
        report: the checked spec (`cnnviz.spec.Report`).
        head: its head (`cnnviz.head.Head`), which decides the loss.
        config: the hyper-parameters (optimizer, learning rate, seed, devices).

    Yields:
        keras.Model, compiled with the loss, the optimizer and "accuracy".
    """
    import keras

    if config.devices > 1:  # one batch per execution: Keras's loop of several fails here
        strategy = _strategy(config.devices)  # first: CPUs are split before TF starts
        keras.utils.set_random_seed(config.seed)
        with strategy.scope():
            model = _compile(_build(report), head, config, 1, build_optimizer=False)
        yield model
        return
    steps = steps_per_execution(report, config.batch_size)
    kind = _kind(report, head, config, steps)
    model = _take(kind) if REUSE else None
    if model is None:
        keras.utils.set_random_seed(config.seed)
        fresh = _build(report)
        _remember(kind, config.seed, fresh)
        model = _compile(fresh, head, config, steps)
    else:
        _reset(model, _initial_values(kind, config.seed, report), config)
    keras.utils.set_random_seed(config.seed)  # either way, training starts from the seed
    yield model
    if REUSE:
        _give_back(kind, model)


def forget_models() -> None:
    """Drop every kept model and initial value (they are rebuilt when needed)."""
    with _lock:
        _idle.clear()
        _initial.clear()


def _kind(report, head, config: TrainConfig, steps: int) -> str:
    """What two jobs must share to train the same compiled model."""
    settings = {k: v for k, v in optimizer_settings(config).items() if k != "learning_rate"}
    rows = [(row.type, row.name, row.params) for row in report.rows]
    parts = [report.spec.name, report.input_shape, rows, head.loss, config.optimizer]
    return json.dumps([*parts, settings, steps], sort_keys=True, default=repr)


def _build(report):
    from cnnviz.build import build_model

    return build_model(report, pretrained=True)  # a backbone starts from its ImageNet weights


def _compile(model, head, config: TrainConfig, steps: int, *, build_optimizer: bool = True):
    model.compile(
        optimizer=make_optimizer(config),
        loss=head.loss,
        metrics=["accuracy"],
        steps_per_execution=steps,
    )
    if build_optimizer:  # now, so that its state before the first step can be recorded
        model.optimizer.build(model.trainable_variables)
        _optimizer_start[model] = [v.numpy() for v in model.optimizer.variables]
    return model


def _remember(kind: str, seed: int, model) -> list:
    values = [v.numpy() for v in model.variables]
    with _lock:
        _initial[(kind, seed)] = values
        _initial.move_to_end((kind, seed))
        while len(_initial) > MAX_INITIAL:
            _initial.popitem(last=False)
    return values


def _initial_values(kind: str, seed: int, report) -> list:
    """The variables' values of a model of this kind built after setting `seed`."""
    with _lock:
        values = _initial.get((kind, seed))
        if values is not None:
            _initial.move_to_end((kind, seed))
            return values
    import keras

    keras.utils.set_random_seed(seed)
    return _remember(kind, seed, _build(report))


def _reset(model, values: list, config: TrainConfig) -> None:
    """The model and its optimizer back to a fresh start, with the job's learning rate."""
    variables = [*model.variables, *model.optimizer.variables]
    values = [*values, *_optimizer_start[model]]
    if len(variables) != len(values):
        raise CnnvizError("a kept model does not match its kind; it cannot be reused")
    for variable, value in zip(variables, values):
        variable.assign(value)
    model.optimizer.learning_rate = config.learning_rate


def _take(kind: str):
    with _lock:
        models = _idle.get(kind)
        if not models:
            return None
        model = models.pop()
        if not models:
            del _idle[kind]
        return model


def _give_back(kind: str, model) -> None:
    with _lock:
        _idle.setdefault(kind, []).append(model)
        _idle.move_to_end(kind)
        while sum(len(m) for m in _idle.values()) > MAX_IDLE:
            oldest = next(iter(_idle))
            _idle[oldest].pop(0)
            if not _idle[oldest]:
                del _idle[oldest]


def _strategy(devices: int):
    """A `tf.distribute.MirroredStrategy` over `devices` GPUs, or, on a machine without
    GPUs, over as many logical CPUs (split from the CPU when TensorFlow has not started
    yet in this process: tests and trials; no faster)."""
    if devices in _STRATEGIES:
        return _STRATEGIES[devices]
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        try:
            tf.config.set_logical_device_configuration(
                tf.config.list_physical_devices("CPU")[0],
                [tf.config.LogicalDeviceConfiguration()] * devices,
            )
        except RuntimeError:  # TensorFlow has started: its devices are fixed
            pass
    names = [d.name for d in tf.config.list_logical_devices("GPU" if gpus else "CPU")]
    if len(names) < devices:
        kind = "GPUs" if gpus else "CPU devices (TensorFlow had started before the split)"
        raise CnnvizError(
            f"devices {devices} asks for more than the {len(names)} {kind} this process "
            f"has; choose devices {len(names)} or fewer, or train in a fresh process"
        )
    _STRATEGIES[devices] = tf.distribute.MirroredStrategy(names[:devices])
    return _STRATEGIES[devices]
