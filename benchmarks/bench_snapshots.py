"""What keeping every epoch costs: training time with per-epoch snapshots (the weights in
epochs/ and each class's validation accuracy) beside the same training without them, in
alternating rounds; and the snapshot size of the lab's CIFAR-10 model.

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

from cnnviz import callbacks, presets  # noqa: E402
from cnnviz.build import build_model  # noqa: E402
from cnnviz.data import load_dataset  # noqa: E402
from cnnviz.plan import TrainConfig  # noqa: E402
from cnnviz.spec import validate  # noqa: E402
from cnnviz.train import SNAPSHOT_BUDGET, snapshot_every, train  # noqa: E402


def timed_run(dataset, config: TrainConfig, root: Path, *, snapshots: bool) -> float:
    keep = callbacks.EpochSnapshots.on_epoch_end, callbacks.ClassAccuracy.on_epoch_end
    if not snapshots:
        callbacks.EpochSnapshots.on_epoch_end = lambda *a, **k: None
        callbacks.ClassAccuracy.on_epoch_end = lambda *a, **k: None
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
        callbacks.EpochSnapshots.on_epoch_end, callbacks.ClassAccuracy.on_epoch_end = keep
    assert result.status == "completed", result.message
    return elapsed


def snapshot_size(name: str) -> tuple[int, int, int]:
    """(parameters, bytes of one snapshot, epochs the preset trains) of a preset."""
    preset = presets.PRESETS[name]
    report = validate(preset.spec, input_shape=preset.input_shape, num_classes=preset.num_classes)
    model = build_model(report)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "w.weights.h5")
        model.save_weights(path)
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
        timed_run(dataset, config, Path(tmp), snapshots=True)  # warm-up: imports, traces
        for _ in range(args.rounds):
            without.append(timed_run(dataset, config, Path(tmp), snapshots=False))
            with_.append(timed_run(dataset, config, Path(tmp), snapshots=True))
    ratios = [a / b for a, b in zip(with_, without)]
    print(f"digits-small on digits, {args.epochs} epochs, {args.rounds} alternating rounds")
    print(f"  without snapshots: median {statistics.median(without):.2f} s")
    print(f"  with snapshots:    median {statistics.median(with_):.2f} s")
    print(
        f"  with / without: median {statistics.median(ratios):.3f} "
        f"(min {min(ratios):.3f}, max {max(ratios):.3f})"
    )
    params, size, epochs = snapshot_size("lab-cifar10")
    every = snapshot_every(params, epochs)
    kept = epochs // every + (epochs % every > 0)
    print(
        f"lab-cifar10: {params:,} weights, one snapshot {size / 2**20:.1f} MiB; "
        f"{epochs} epochs keep every {every} -> {kept} snapshots, "
        f"{kept * size / 2**20:.0f} MiB (budget {SNAPSHOT_BUDGET / 2**20:.0f} MiB)"
    )
    long_every = snapshot_every(params, 200)
    print(
        f"lab-cifar10 for 200 epochs: every {long_every}th epoch kept, "
        f"{(200 // long_every) * size / 2**20:.0f} MiB"
    )


if __name__ == "__main__":
    main()
