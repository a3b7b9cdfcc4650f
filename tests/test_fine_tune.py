"""A training request that starts from another run's weights ("unfreeze and fine-tune"):
recorded in config.json, the second run starts from the first one's weights, and weights
of other layers are refused with a message.

Oracle: the first run's own saved weights, read back by Keras.
"""

import numpy as np
import pytest

from cnnviz import presets, rundir
from cnnviz.plan import TrainConfig
from cnnviz.request import TrainRequest, run_job
from cnnviz.runs import Run
from cnnviz.spec import ModelSpec
from tests.helpers_runs import colour_folder, train_run


def with_blocks(k: int, **change) -> ModelSpec:
    spec = presets.get("squeezenet-head").to_dict()
    spec["layers"][0]["trainable_blocks"] = k
    spec.update(change)
    return ModelSpec.from_dict(spec)


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """A frozen squeezenet head trained for an epoch on red, green and blue photos."""
    root = tmp_path_factory.mktemp("finetune")
    data = colour_folder(root / "photos", 3, 8)
    run = train_run(root / "runs", "squeezenet-head", data, epochs=1, batch_size=8)
    return run, data, root / "runs"


def start_from(first, spec: ModelSpec, **settings) -> Run:
    run, data, runs = first
    request = TrainRequest(
        spec, data, TrainConfig(epochs=1, batch_size=8, **settings), init_from=run.id, runs_dir=runs
    )
    run_dir = rundir.create(spec.to_dict(), request.source(), runs_dir=runs)
    run_job(request, run_dir=run_dir)
    return Run.read(run_dir)


def test_a_second_run_with_more_blocks_unfrozen_starts_from_the_first_ones_weights(first):
    run, _, _ = first
    second = start_from(first, with_blocks(2), learning_rate=1e-9)  # steps too small to move
    assert second.state == "completed", second.status.get("message")
    assert second.config["init_from"] == run.id
    assert second.report().trainable_params == 386_176 + 512 * 3 + 3
    before, after = run.model(), second.model()
    for ours, theirs in zip(after.get_layer("dense").weights, before.get_layer("dense").weights):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-5)
    inner_after, inner_before = after.get_layer("backbone"), before.get_layer("backbone")
    for name in ("fire9_expand3x3", "conv1"):  # ImageNet's, kept by the first run
        np.testing.assert_allclose(
            inner_after.get_layer(name).kernel.numpy(),
            inner_before.get_layer(name).kernel.numpy(),
            atol=1e-5,
        )


def test_weights_of_other_layers_are_refused_with_a_message(first):
    spec = presets.get("squeezenet-head").to_dict()
    spec["layers"].insert(2, {"type": "Dense", "units": 8, "activation": "relu"})
    other = start_from(first, ModelSpec.from_dict(spec))
    assert other.state == "failed"
    assert "the weights of the run to start from do not fit this model" in other.status["message"]


def test_init_from_travels_with_the_request():
    request = TrainRequest(with_blocks(1), "digits", init_from="20260101-000000-x-abcd")
    again = TrainRequest.from_dict(request.to_dict())
    assert again == request and again.source()["init_from"] == "20260101-000000-x-abcd"
