"""Shared pieces of the run-folder tests: a tiny spec and the config of its runs, runs made
by real training (for the compare and coach tests), and folders of class images."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PIL import Image

from cnnviz import presets, rundir
from cnnviz.augment import AugmentSpec
from cnnviz.data import load_dataset
from cnnviz.events import ACTIVE
from cnnviz.jobs import TrainRequest
from cnnviz.plan import TrainConfig
from cnnviz.runs import Run
from cnnviz.spec import ModelSpec
from cnnviz.train import train

SPEC = ModelSpec.from_dict(
    {
        "name": "tiny cnn",
        "layers": [
            {"type": "Conv2D", "filters": 2, "kernel_size": 3, "activation": "relu"},
            {"type": "Flatten"},
            {"type": "Dense", "units": "num_classes", "activation": "softmax"},
        ],
    }
)


CONFIG = {
    "dataset": "digits",
    "image_shape": [8, 8, 1],
    "num_classes": 3,
    "class_names": ["a", "b", "c"],
    "training": {"epochs": 2},
}


DENSE = {
    "name": "dense",
    "layers": [
        {"type": "Flatten"},
        {"type": "Dense", "units": 256, "activation": "relu"},
        {"type": "Dense", "units": "num_classes", "activation": "softmax"},
    ],
}


def spec_of(model: str | dict) -> ModelSpec:
    """A preset by name, or a spec dict."""
    return presets.get(model) if isinstance(model, str) else ModelSpec.from_dict(model)


def train_run(
    runs_dir: Path,
    model: str | dict = "digits-small",
    dataset_id: str = "digits",
    *,
    limit: int | None = None,
    image_size: tuple[int, int] | None = None,
    augment: dict | None = None,
    owner: str | None = None,
    **settings,
) -> Run:
    """A run trained for real as the CLI trains one (TrainRequest, rundir, train), for
    the desk `owner` when given."""
    spec = spec_of(model)
    config = TrainConfig(**settings)
    dataset = load_dataset(
        dataset_id,
        limit=limit,
        image_size=image_size,
        seed=config.seed,
        desk=owner,  # an upload: looked for among this desk's
        runs_dir=runs_dir,
    )
    augmentation = AugmentSpec.from_dict(augment) if augment else None
    request = TrainRequest(
        spec,
        dataset_id,
        config,
        limit=limit,
        image_size=image_size,
        augment=augmentation,
        owner=owner,
    )
    run_dir = rundir.create(spec.to_dict(), request.source(), runs_dir=runs_dir)
    result = train(spec, dataset, config, run_dir=run_dir, augment=augmentation)
    assert result.status == "completed", result.message
    return Run.read(run_dir)


def noise_folder(root: Path, counts: tuple[int, ...], *, side: int = 8, seed: int = 0) -> str:
    """Class folders c0, c1, ... of random grey images (labels that mean nothing);
    returns the dataset id `folder:ROOT`."""
    rng = np.random.default_rng(seed)
    for label, count in enumerate(counts):
        folder = root / f"c{label}"
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(count):
            pixels = rng.integers(0, 256, (side, side), dtype=np.uint8)
            Image.fromarray(pixels).save(folder / f"{i}.png")
    return f"folder:{root}"


def as_upload(folder_id: str, runs_dir: Path, owner: str | None = None) -> str:
    """A folder dataset (`folder:ROOT`) zipped and stored as an upload of `owner` (None:
    of no desk) in `runs_dir`: the only folder a bundle or a link may name. Returns its
    `upload:` id."""
    import io
    import zipfile

    from cnnviz.uploads import store, upload_id

    root = Path(folder_id.removeprefix("folder:"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(root))
    path = store(buffer.getvalue(), f"{root.name}.zip", runs_dir=runs_dir, owner=owner)
    return upload_id(path)


def all_bytes(folder: Path) -> bytes:
    """Every file under `folder`, concatenated: what a look at the disk would find."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def colour_folder(
    root: Path, classes: int = 3, per_class: int = 10, *, side: int = 32, seed: int = 0
) -> str:
    """Class folders c0, c1, ... of noisy colour images, each class its own tint (red,
    green, blue, ...: easy to tell apart); returns the dataset id `folder:ROOT`."""
    rng = np.random.default_rng(seed)
    for label in range(classes):
        tint = np.full(3, 50.0)
        tint[label % 3] = 200.0
        folder = root / f"c{label}"
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            pixels = np.clip(rng.normal(tint, 40, (side, side, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(folder / f"{i}.png")
    return f"folder:{root}"


def wait_for(predicate, timeout: float) -> None:
    """Poll `predicate` every 50 ms until it is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def ended(runner, job_id: str) -> bool:
    """The job has ended, in any way (a runner's status is no longer queued or running)."""
    return runner.status(job_id)["status"] not in ACTIVE
