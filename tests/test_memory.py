"""The memory a training run needs, what is free, and the refusal before training."""

import math

import pytest

from cnnviz import memory, runstatus
from cnnviz.errors import CnnvizError
from cnnviz.plan import TrainConfig, plan_training, training_memory
from cnnviz.spec import ModelSpec, validate

SMALL = {
    "name": "small",
    "layers": [
        {"type": "Conv2D", "filters": 6, "kernel_size": 3, "activation": "relu"},
        {"type": "BatchNormalization"},
        {"type": "MaxPooling2D", "pool_size": 2},
        {"type": "Flatten"},
        {"type": "Dense", "units": "num_classes", "activation": "softmax"},
    ],
}
HUGE = {  # 1e9 filters: Keras asks for 22 GB for the first layer's weights alone
    "name": "huge",
    "layers": [
        {"type": "Conv2D", "filters": 10**9, "kernel_size": 3, "padding": "same"},
        {"type": "Flatten"},
        {"type": "Dense", "units": "num_classes", "activation": "softmax"},
    ],
}


def test_the_estimate_counts_what_keras_builds(keras):
    """Keras's own model is the oracle: its weight counts and its layers' output shapes."""
    report = validate(ModelSpec.from_dict(SMALL), input_shape=(12, 12, 3), num_classes=4)
    from cnnviz.build import build_model

    model = build_model(report)
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    frozen = sum(math.prod(w.shape) for w in model.non_trainable_weights)
    outputs = sum(math.prod(layer.output.shape[1:]) for layer in model.layers)  # input too
    estimate = memory.training_memory(report, batch_size=16, optimizer_slots=2, data_pixels=100)
    assert estimate.weights == 4 * (5 * trainable + 2 * frozen)  # 3 copies + Adam's 2 slots
    assert estimate.activations == 4 * 2 * 16 * outputs
    assert estimate.data == 500
    assert estimate.total == estimate.weights + estimate.activations + estimate.data
    assert estimate.largest == "layer 1 Conv2D"


def test_the_optimizer_and_the_images_count():
    report = validate(ModelSpec.from_dict(SMALL), input_shape=(12, 12, 3), num_classes=4)
    params = report.trainable_params
    adam = training_memory(report, TrainConfig(optimizer="adam"), images=10)
    sgd = training_memory(report, TrainConfig(optimizer="sgd"), images=10)
    plain = training_memory(report, TrainConfig(optimizer="sgd", momentum=0), images=10)
    assert adam.weights - sgd.weights == 4 * params == sgd.weights - plain.weights
    assert adam.data == 5 * 10 * 12 * 12 * 3
    double = training_memory(report, TrainConfig(batch_size=64))
    assert double.activations == 2 * training_memory(report, TrainConfig(batch_size=32)).activations


@pytest.mark.parametrize(
    "count, text",
    [(36e9, "36 GB"), (2.25e9, "2.2 GB"), (350e6, "350 MB"), (12_000, "12 kB"), (3.2e13, "32 TB")],
)
def test_format_bytes(count, text):
    assert memory.format_bytes(count) == text


def test_too_much_is_refused_with_the_estimate_and_a_fix(digits):
    spec = ModelSpec.from_dict(SMALL)
    plan = plan_training(spec, digits, TrainConfig(), free_memory=10**12)
    assert plan.memory.total > 0
    with pytest.raises(CnnvizError) as caught:
        plan_training(spec, digits, TrainConfig(), free_memory=plan.memory.total - 1)
    text = str(caught.value)
    assert text.startswith(
        f"training this model needs about {memory.format_bytes(plan.memory.total)}"
    )
    assert "of memory are free. Use fewer filters or units (layer" in text
    assert "a smaller batch size, or smaller images" in text


def test_a_billion_filters_is_refused_before_any_keras_model_is_built(digits, monkeypatch):
    import cnnviz.build

    def no_building(*args, **kwargs):
        raise AssertionError("a Keras model was built")

    monkeypatch.setattr(cnnviz.build, "build_model", no_building)
    with pytest.raises(CnnvizError, match=r"needs about [\d.,]+ TB .* of memory are free"):
        plan_training(ModelSpec.from_dict(HUGE), digits, TrainConfig())


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_free_memory_reads_meminfo_and_a_cgroup_v2_limit(tmp_path):
    meminfo = write(tmp_path / "meminfo", "MemTotal: 100 kB\nMemAvailable:  8000000 kB\n")
    cgroup = write(tmp_path / "cgroup", "0::/box\n")
    root = tmp_path / "fs"
    assert memory.free_memory(meminfo=meminfo, cgroup=cgroup, cgroup_root=root) == 8_192_000_000
    write(root / "box" / "memory.max", "4000000000\n")
    write(root / "box" / "memory.current", "3000000000\n")
    write(root / "box" / "memory.stat", "anon 1\ninactive_file 500000000\n")
    left = memory.free_memory(meminfo=meminfo, cgroup=cgroup, cgroup_root=root)
    assert left == 4_000_000_000 - (3_000_000_000 - 500_000_000)
    write(root / "box" / "memory.max", "max\n")
    assert memory.free_memory(meminfo=meminfo, cgroup=cgroup, cgroup_root=root) == 8_192_000_000


def test_free_memory_reads_a_cgroup_v1_limit_and_knows_when_it_cannot(tmp_path):
    meminfo = write(tmp_path / "meminfo", "MemAvailable: 8000000 kB\n")
    cgroup = write(tmp_path / "cgroup", "5:cpu:/\n4:memory:/job\n")
    root = tmp_path / "fs"
    write(root / "memory" / "memory.limit_in_bytes", "2000000000\n")  # only the root is mounted
    write(root / "memory" / "memory.usage_in_bytes", "1500000000\n")
    found = memory.free_memory(meminfo=meminfo, cgroup=cgroup, cgroup_root=root)
    assert found == 500_000_000
    write(root / "memory" / "memory.limit_in_bytes", str(2**63 - 4096))  # v1's "no limit"
    assert memory.free_memory(meminfo=meminfo, cgroup=cgroup, cgroup_root=root) == 8_192_000_000
    missing = tmp_path / "nothing"
    assert memory.free_memory(meminfo=missing, cgroup=missing, cgroup_root=missing) is None


def test_this_machine_reports_some_free_memory():
    free = memory.free_memory()
    assert free is None or free > 0
    memory.check_fits(memory.MemoryEstimate(1, 1, 1, 1), None)  # unknown: not checked


def test_a_run_of_a_giant_model_is_refused_before_keras_allocates_it(runs_dir, monkeypatch):
    import cnnviz.build
    from cnnviz import rundir
    from cnnviz.runs import load_run

    def no_building(*args, **kwargs):
        raise AssertionError("a Keras model was built")

    monkeypatch.setattr(cnnviz.build, "build_model", no_building)
    config = {"dataset": "digits", "image_shape": [8, 8, 1], "num_classes": 10}
    run_dir = rundir.create(HUGE, {**config, "class_names": list("0123456789")})
    (run_dir / "model.keras").write_bytes(b"weights of a hand-edited run")
    runstatus.write_status(run_dir, "completed", "")
    with pytest.raises(CnnvizError, match=r"opening run .*'s model needs about [\d,.]+ TB"):
        load_run(run_dir.name).model()


def test_the_command_line_refuses_a_billion_filters_in_one_line(tmp_path, capsys):
    import json

    from cnnviz.cli import main

    spec = tmp_path / "huge.json"
    spec.write_text(json.dumps(HUGE))
    runs = tmp_path / "runs"
    assert main(["train", "--data", "digits", "--model", str(spec), "--runs-dir", str(runs)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: training this model needs about ") and err.count("\n") == 1
    assert not runs.exists()  # refused before a run folder was made


def squeezenet_block(layer: str) -> str:
    """The block of a SqueezeNet layer: the prepared image, conv1 (and its pooling),
    fire2 ... fire9 (a pooling ends fire3 and fire5)."""
    if layer in ("resize", "scale"):
        return "prepared"
    pools = {"maxpool1": "conv1", "maxpool3": "fire3", "maxpool5": "fire5"}
    return pools.get(layer, layer.split("_")[0])


@pytest.mark.parametrize("blocks", [0, 2, 9])
def test_a_backbone_counts_what_its_layers_hold_while_training(blocks, keras):
    """Keras's own layers are the oracle: unfrozen blocks keep every output for the
    backward pass, frozen ones hold only the largest (let go as the next is computed)."""
    from cnnviz import backbones

    layers = [{"type": "Backbone", "name": "squeezenet", "trainable_blocks": blocks}]
    layers += [{"type": "GlobalAveragePooling2D"}]
    layers += [{"type": "Dense", "units": "num_classes", "activation": "softmax"}]
    report = validate(
        ModelSpec.from_dict({"layers": layers}), input_shape=(16, 16, 3), num_classes=2
    )
    inner = backbones.keras_backbone("squeezenet", (16, 16, 3), blocks, pretrained=False)
    per_block: dict[str, int] = {}
    for layer in inner.layers[1:]:
        block = squeezenet_block(layer.name)
        per_block[block] = per_block.get(block, 0) + math.prod(layer.output.shape[1:])
    order = ["conv1", *(f"fire{n}" for n in range(2, 10))]
    unfrozen = set(order[len(order) - blocks :]) if blocks else set()
    held = sum(v for b, v in per_block.items() if b in unfrozen)
    held += max(v for b, v in per_block.items() if b not in unfrozen)
    estimate = memory.training_memory(report, batch_size=4, optimizer_slots=2)
    head = 16 * 16 * 3 + 512 + 2  # the image, the pooled maps, the answers
    assert estimate.activations == 4 * 2 * 4 * (held + head)
