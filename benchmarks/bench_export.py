"""The digits default exported to LiteRT with its check, beside the bare `model.export`.

A run of the default preset (`digits-small` on `digits`, trained here for a few epochs) is
exported as `python -m cnnviz export RUN --format litert` does it (`cnnviz.export.
export_run`: the model read from the run, its test images loaded, the raw-pixel model
written, run by tf.lite.Interpreter on 256 test images and compared with Keras, labels and
README written, the folder put in place). Beside it: the one call a script would make
without any check, `model.export(path, format="litert")` on the already loaded model.
Alternated, so both see the same machine; the first of each pays the converter's start-up.

Goal: the export with its check in at most 5 s.
Run: python benchmarks/bench_export.py [--repeat N]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from cnnviz import presets, rundir  # noqa: E402
from cnnviz.data import load_dataset  # noqa: E402
from cnnviz.export import export_run  # noqa: E402
from cnnviz.jobs import TrainRequest  # noqa: E402
from cnnviz.plan import TrainConfig  # noqa: E402
from cnnviz.runs import Run  # noqa: E402
from cnnviz.train import train  # noqa: E402

GOAL_SECONDS = 5.0


def trained_default(root: Path) -> Run:
    """The default preset trained on digits for 3 epochs, as the CLI trains it."""
    name = presets.DEFAULT_PRESET
    spec, config = presets.get(name), TrainConfig(epochs=3)
    request = TrainRequest(spec, "digits", config)
    run_dir = rundir.create(spec.to_dict(), request.source(), runs_dir=root)
    result = train(spec, load_dataset("digits"), config, run_dir=run_dir)
    print(f"run {run_dir.name}: {result.status}, test accuracy {result.test_accuracy:.2%}")
    return Run.read(run_dir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="exports of each kind")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        run = trained_default(root / "runs")
        model = run.model()
        checked, bare = [], []
        for i in range(args.repeat):
            start = time.perf_counter()
            result = export_run(run, "litert", root / f"checked{i}")
            checked.append(time.perf_counter() - start)
            start = time.perf_counter()
            model.export(str(root / f"bare{i}.tflite"), format="litert", verbose=False)
            bare.append(time.perf_counter() - start)
        print(
            f"checked on {result.images_checked} test images: max |diff| "
            f"{result.max_abs_diff:.1e}, same answer for {result.argmax_agreement:.0%}; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
    print(f"{'':34} {'first':>8} {'median of the rest':>20}")
    for label, times in [
        ("export_run (with its check)", checked),
        ("model.export (no check)", bare),
    ]:
        rest = statistics.median(times[1:]) if len(times) > 1 else times[0]
        print(f"{label:34} {times[0]:7.2f}s {rest:19.2f}s")
    first, rest = checked[0], statistics.median(checked[1:] or checked)
    ratio = rest / statistics.median(bare[1:] or bare)
    verdict = "ok" if max(first, rest) <= GOAL_SECONDS else "OVER GOAL"
    print(
        f"the check and the files around the model cost x{ratio:.1f} the bare call; "
        f"goal <= {GOAL_SECONDS:.0f} s with the check: {verdict}"
    )


if __name__ == "__main__":
    main()
