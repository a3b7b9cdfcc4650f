"""What keeping every epoch costs: training time with per-epoch snapshots (the weights in
epochs/) beside the same training without them, in alternating rounds; and the snapshot
size of the lab's CIFAR-10 model with Adam's state, as the budget counts it (each class's
validation accuracy comes from the one validation pass, `cnnviz.callbacks.Validation`,
and is on in both).

Run: python benchmarks/bench_snapshots.py [--rounds 3] [--epochs 8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnviz import presets, snapshots  # noqa: E402
from cnnviz.compiled import compiled_model  # noqa: E402
from cnnviz.data import load_dataset  # noqa: E402
from cnnviz.head import head_of  # noqa: E402
from cnnviz.plan import TrainConfig  # noqa: E402
from cnnviz.snapshots import SNAPSHOT_BUDGET, keep_every, snapshot_every  # noqa: E402
from cnnviz.spec import validate  # noqa: E402
from cnnviz.train import train  # noqa: E402


def timed_run(dataset, config: TrainConfig, root: Path, *, with_snapshots: bool) -> float:
    keep = snapshots.EpochSnapshots.on_epoch_end
    if not with_snapshots:
        snapshots.EpochSnapshots.on_epoch_end = lambda *a, **k: None
    try:
        start = time.perf_counter()
        result = train(
            presets.get("digits-small"),
            dataset,
            config,
            run_dir=root / f"run-{time.monotonic_ns()}",
        )
        elapsed = time.perf_counter() - start
    finally:
        snapshots.EpochSnapshots.on_epoch_end = keep
    assert result.status == "completed", result.message
    return elapsed


def snapshot_size(name: str) -> tuple[int, int, int]:
    """(parameters, bytes of one snapshot as training writes it: the weights and the
    optimizer's state, epochs the preset trains) of a preset."""
    preset = presets.PRESETS[name]
    report = validate(preset.spec, input_shape=preset.input_shape, num_classes=preset.num_classes)
    config = TrainConfig.suggested(name)
    with compiled_model(report, head_of(report, preset.num_classes), config) as model:
        writer = snapshots.weights_file(model)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp, "w.weights.h5")
            writer.write(path, writer.capture())
            return model.count_params(), path.stat().st_size, preset.training["epochs"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=8)
    args = parser.parse_args()
    dataset = load_dataset("digits")
    config = TrainConfig.suggested("digits-small", epochs=args.epochs)
    with_, without = [], []
    with tempfile.TemporaryDirectory() as tmp:
        timed_run(dataset, config, Path(tmp), with_snapshots=True)  # warm-up: imports, traces
        for _ in range(args.rounds):
            without.append(timed_run(dataset, config, Path(tmp), with_snapshots=False))
            with_.append(timed_run(dataset, config, Path(tmp), with_snapshots=True))
    ratios = [a / b for a, b in zip(with_, without)]
    print(f"digits-small on digits, {args.epochs} epochs, {args.rounds} alternating rounds")
    print(f"  without snapshots: median {statistics.median(without):.2f} s")
    print(f"  with snapshots:    median {statistics.median(with_):.2f} s")
    print(
        f"  with / without: median {statistics.median(ratios):.3f} "
        f"(min {min(ratios):.3f}, max {max(ratios):.3f})"
    )
    params, size, epochs = snapshot_size("lab-cifar10")
    guess = snapshot_every(params, epochs)  # 4 bytes a weight: what the budget used to count
    for label, every in (("4 bytes a weight", guess), ("what is written", None)):
        every = every or keep_every(size, epochs)
        kept = epochs // every + (epochs % every > 0)
        print(
            f"lab-cifar10, {params:,} weights, one snapshot {size / 2**20:.1f} MiB with Adam's "
            f"moments; {epochs} epochs counting {label}: every {every} -> {kept} snapshots, "
            f"{kept * size / 2**20:.0f} MiB (budget {SNAPSHOT_BUDGET / 2**20:.0f} MiB)"
        )
    for label, every in (
        ("4 bytes a weight", snapshot_every(params, 200)),
        ("what is written", keep_every(size, 200)),
    ):
        kept = 200 // every + (200 % every > 0)
        print(
            f"lab-cifar10 for 200 epochs counting {label}: every {every}th epoch kept, "
            f"{kept * size / 2**20:.0f} MiB"
        )


if __name__ == "__main__":
    main()
