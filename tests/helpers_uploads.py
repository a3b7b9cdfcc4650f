"""Shared pieces of the upload and isolation tests: a zip of class folders, kept as a
desk's upload, and a run trained on it for real."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

from cnnviz import rundir, uploads
from cnnviz.data import load_dataset
from cnnviz.plan import TrainConfig
from cnnviz.request import TrainRequest
from cnnviz.runs import Run
from cnnviz.train import train
from tests.helpers_runs import SPEC

SIZE = (12, 12)  # the images are resized to this: quick to train


def pets_zip(cats: int = 6, dogs: int = 6, *, seed: int = 0, pad: int = 0) -> bytes:
    """A zip of class folders pets/cats and pets/dogs of random PNGs (`pad` bytes of a
    stored, ignored file make it larger)."""
    rng = np.random.default_rng(seed)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, count in (("cats", cats), ("dogs", dogs)):
            for i in range(count):
                pixels = rng.integers(0, 256, (10, 10, 3), dtype=np.uint8)
                png = io.BytesIO()
                Image.fromarray(pixels).save(png, format="PNG")
                archive.writestr(f"pets/{name}/{i}.png", png.getvalue())
        if pad:
            archive.writestr("pets/notes.txt", rng.bytes(pad))  # random: does not shrink
    return buffer.getvalue()


def stored_upload(runs_dir: Path, owner: str | None, name: str = "pets.zip", **zip_args) -> str:
    """A zip stored as `owner`'s upload; returns its dataset id ("upload:...")."""
    path = uploads.store(pets_zip(**zip_args), name, runs_dir=runs_dir, owner=owner)
    return uploads.upload_id(path)


def upload_run(runs_dir: Path, owner: str | None, dataset_id: str | None = None) -> Run:
    """A run of desk `owner` trained for one epoch on its upload (stored if not given),
    as a job trains one (TrainRequest, rundir, train)."""
    dataset_id = dataset_id or stored_upload(runs_dir, owner)
    request = TrainRequest(
        SPEC,
        dataset_id,
        TrainConfig(epochs=1, batch_size=4),
        image_size=SIZE,
        runs_dir=str(runs_dir),
        owner=owner,
    )
    data = load_dataset(
        request.dataset, image_size=SIZE, desk=request.owner, runs_dir=str(runs_dir)
    )
    run_dir = rundir.create(SPEC.to_dict(), request.source(), runs_dir=runs_dir)
    result = train(SPEC, data, request.config, run_dir=run_dir)
    assert result.status == "completed", result.message
    return Run.read(run_dir)
