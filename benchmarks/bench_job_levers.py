"""Each lever of a cheap digits default job, switched off alone, beside all of them on.

A warm process trains the digits default (`digits-small` on `digits`, its suggested
settings) with `cnnviz.train.train`, as a worker does: one job to warm up, then `--jobs`
measured, CPU seconds of the whole process (all threads) per job. Each variant runs in
a process of its own (TensorFlow's threads are fixed when it starts), all with one
TensorFlow thread unless the variant says otherwise:

- all on: what cnnviz does now.
- steps_per_execution 1: Keras calls back after every batch instead of every 8.
- no model reuse: a new model built, compiled and traced for every job.
- Keras's validation: `fit(validation_data=...)`, and the per-class accuracies from a
  pass of their own (as before: two passes).
- Keras's save_weights: every epoch's snapshot written by `model.save_weights`.
- clear_session between jobs: what the worker did after every job.
- eager test evaluation: the test images through `model(x)` eagerly, batch by batch.
- 2 TensorFlow threads: TensorFlow's default on this machine (one per core).

Run: python benchmarks/bench_job_levers.py [--jobs N]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

VARIANTS = {
    "all on": 1,
    "steps_per_execution 1": 1,
    "no model reuse": 1,
    "Keras's validation": 1,
    "Keras's save_weights": 1,
    "clear_session between jobs": 1,
    "eager test evaluation": 1,
    "2 TensorFlow threads": 2,
}


def switch_off(variant: str) -> None:
    """Put back how it was done before, for this one lever."""
    from cnnviz import callbacks, compiled, snapshots, train

    if variant == "steps_per_execution 1":
        compiled.MAX_STEPS_PER_EXECUTION = 1
    elif variant == "no model reuse":
        compiled.REUSE = False
    elif variant == "Keras's validation":
        import keras
        import numpy as np

        from cnnviz.forward import predict_outputs
        from cnnviz.metrics import predicted_classes

        class PerClassOnly(callbacks.Validation):  # what ClassAccuracy did: its own pass
            def on_epoch_end(self, epoch, logs=None):
                right = predicted_classes(predict_outputs(self.model, self.images)) == self.labels
                for index in range(self.num_classes):
                    logs[f"val_accuracy_class_{index}"] = float(
                        np.mean(right[self.labels == index])
                    )

        real_fit = keras.Model.fit

        def fit_with_validation(self, x, callbacks=(), **kwargs):  # Keras's own pass
            (val,) = [c for c in callbacks if isinstance(c, PerClassOnly)]
            data = (val.images, val.labels)
            return real_fit(self, x, callbacks=callbacks, validation_data=data, **kwargs)

        callbacks.Validation = PerClassOnly
        keras.Model.fit = fit_with_validation
    elif variant == "Keras's save_weights":
        snapshots.WeightsFile.capture = lambda self: None  # Keras saves the model itself
    elif variant == "eager test evaluation":

        def eager(model, plan, class_names):
            import numpy as np

            from cnnviz.data import make_pipeline
            from cnnviz.metrics import classification_metrics, predicted_classes

            test = make_pipeline(plan.test, batch_size=64, training=False, cache=False)
            outputs = np.concatenate([model(x, training=False).numpy() for x, _ in test])
            return classification_metrics(plan.test.labels, predicted_classes(outputs), class_names)

        train._evaluate = eager


def measure(variant: str, threads: int, jobs: int) -> dict:
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    import keras

    from cnnviz import presets
    from cnnviz.data.recent import load_recent
    from cnnviz.plan import TrainConfig
    from cnnviz.train import train

    switch_off(variant)
    name = presets.DEFAULT_PRESET
    spec, config = presets.get(name), TrainConfig.suggested(name)
    dataset = load_recent("digits", seed=config.seed)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(jobs + 1):
            cpu, wall = time.process_time(), time.perf_counter()
            result = train(spec, dataset, config, run_dir=Path(tmp) / str(i))
            if variant == "clear_session between jobs":
                keras.backend.clear_session()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            assert result.status == "completed", result.message
            if i:  # the first warms the process up
                rows.append({"cpu": cpu, "wall": wall, "accuracy": result.test_accuracy})
    return {
        "cpu": statistics.median(r["cpu"] for r in rows),
        "wall": statistics.median(r["wall"] for r in rows),
        "accuracy": statistics.median(r["accuracy"] for r in rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=5, help="measured jobs per variant")
    parser.add_argument("--variant", help=argparse.SUPPRESS)  # one variant, in this process
    args = parser.parse_args()
    if args.variant:
        print("RESULT " + json.dumps(measure(args.variant, VARIANTS[args.variant], args.jobs)))
        return
    print(f"{os.cpu_count()} cpus, load average {os.getloadavg()[0]:.1f}; median of {args.jobs}")
    print(f"{'':<34}{'CPU s/job':>10}{'vs all on':>11}{'wall s':>8}{'test acc':>10}")
    base = None
    for variant in VARIANTS:
        command = [sys.executable, __file__, "--variant", variant, "--jobs", str(args.jobs)]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        row = json.loads(next(x[7:] for x in out.splitlines() if x.startswith("RESULT ")))
        base = base or row
        print(
            f"{variant:<34}{row['cpu']:10.2f}{row['cpu'] - base['cpu']:+10.2f}s"
            f"{row['wall']:8.2f}{row['accuracy']:10.2%}",
            flush=True,
        )
    print(f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
