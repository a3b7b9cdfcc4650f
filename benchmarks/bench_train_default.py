"""The app's default: the `digits-small` preset with its suggested hyper-parameters on
`digits`, trained the way the Train page and `python -m cnnviz train` train it.

Goal: at least 95% test accuracy in under 20 s on two CPU cores. The time is the wall
time of `cnnviz.train.train` (build, fit with validation, save, test), after TensorFlow
is imported and the data loaded. Timings depend on what else the machine runs, so the
load average and the process's CPU time (all threads) are printed too.
Run: python benchmarks/bench_train_default.py [--repeat N]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from cnnviz import presets  # noqa: E402
from cnnviz.data import load_dataset  # noqa: E402
from cnnviz.plan import TrainConfig
from cnnviz.train import train  # noqa: E402

GOAL_ACCURACY, GOAL_SECONDS = 0.95, 20.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs with seeds 0, 1, ...")
    args = parser.parse_args()
    import keras  # noqa: F401  (imported before timing)

    dataset = load_dataset("digits")
    name = presets.DEFAULT_PRESET
    spec = presets.get(name)
    print(
        f"preset {name}: {presets.PRESETS[name].training}; digits "
        f"{dataset.info.counts}; cpus {os.cpu_count()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.repeat):
            config = TrainConfig.suggested(name, seed=seed)
            start, cpu = time.perf_counter(), time.process_time()
            result = train(spec, dataset, config, run_dir=Path(tmp) / f"run{seed}")
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            ok = result.test_accuracy >= GOAL_ACCURACY and wall < GOAL_SECONDS
            print(
                f"seed {seed}: {result.status}, test accuracy {result.test_accuracy:.2%}, "
                f"wall {wall:.1f} s (fit {result.fit_seconds:.1f} s, "
                f"{result.images_per_second:,.0f} images/s, cpu {cpu:.1f} s), load average "
                f"{os.getloadavg()[0]:.1f}  (goal >= {GOAL_ACCURACY:.0%} in < "
                f"{GOAL_SECONDS:.0f} s: {'ok' if ok else 'missed'})"
            )


if __name__ == "__main__":
    main()
