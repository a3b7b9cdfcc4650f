"""Shared pieces of the sweep tests: one small sweep trained for real through
`python -m cnnviz sweep` (once per test process), plus one run of it that changed its
batch size (to be shown apart), and a model with a Dropout layer."""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import functools
import io
import json
import shutil
import tempfile
from pathlib import Path

from cnnviz import presets, rundir
from cnnviz.cli import main
from cnnviz.data import load_dataset
from cnnviz.plan import TrainConfig
from cnnviz.request import TrainRequest
from cnnviz.runs import Run, list_runs
from cnnviz.spec import ModelSpec
from cnnviz.train import train

LIMIT = 300
VARY = ("--vary", "lr=0.003,0.01", "--vary", "filters=4")  # 2 x 1 values
REPEATS = 2
QUESTION = "Does the <b>learning rate</b> matter?"

DROPOUT = ModelSpec.from_dict(
    {
        "name": "with dropout",
        "layers": [
            {"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu"},
            {"type": "Flatten"},
            {"type": "Dropout", "rate": 0.2},
            {"type": "Dense", "units": 16, "activation": "relu"},
            {"type": "Dropout", "rate": 0.1},
            {"type": "Dense", "units": "num_classes", "activation": "softmax"},
        ],
    }
)


def run_main(*argv) -> tuple[int, str, str]:
    """`python -m cnnviz ARGV` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


@dataclasses.dataclass(frozen=True)
class Trained:
    """The sweep's runs folder, its `sweep --json` document, and the run shown apart."""

    root: Path
    document: dict
    apart: Run

    def runs(self) -> list[Run]:
        """The sweep's own runs, in the order the sweep trained them."""
        by_id = {run.id: run for run in list_runs(self.root)}
        return [by_id[entry["run_id"]] for entry in self.document["runs"]]


@functools.cache
def trained_sweep() -> Trained:
    """The sweep trained once per test process: digits-small, 1 epoch, 300 images."""
    root = Path(tempfile.mkdtemp(prefix="cnnviz-sweep-"))
    atexit.register(shutil.rmtree, root, True)
    code, out, err = run_main(
        "sweep", "--data", "digits", "--model", "digits-small", *VARY,
        "--repeat", REPEATS, "--epochs", 1, "--limit", LIMIT, "--question", QUESTION,
        "--runs-dir", root, "--json",
    )  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    return Trained(root, document, _changed_run(root, document))


def _changed_run(root: Path, document: dict) -> Run:
    """A run given the sweep's first slot whose desk also changed the batch size."""
    first = Run.read(root / document["runs"][0]["run_id"])
    record = first.config["experiment"]
    config = TrainConfig.from_dict({**first.config["training"], "batch_size": 16})
    request = TrainRequest(
        first.spec, "digits", config, limit=LIMIT, owner="ada", experiment=record
    )
    dataset = load_dataset("digits", limit=LIMIT, seed=config.seed)
    run_dir = rundir.create(first.spec.to_dict(), request.source(), runs_dir=root)
    result = train(first.spec, dataset, config, run_dir=run_dir)
    assert result.status == "completed", result.message
    return Run.read(run_dir)


def preset(name: str = "digits-small") -> ModelSpec:
    return presets.get(name)
