"""What every page shares: session defaults, cached engine objects, error display.

Streamlit-side only (caching wrappers live here, never in `cnnviz`). Shared state keys
start with `cnnviz_`; widget keys start with their page's name. Widget keys are cleared
by Streamlit when a page is left, so pages copy widget values into the shared keys in
`on_change` callbacks.
"""

from __future__ import annotations

import copy
import gc
import hashlib
import io
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from cnnviz import presets
from cnnviz.errors import CnnvizError

DEFAULTS: dict[str, Any] = {
    "cnnviz_dataset": "digits",
    "cnnviz_data_dir": os.environ.get("TFDS_DATA_DIR", ""),
    "cnnviz_image_size": None,  # (height, width) to resize TFDS and folder sets to, or None
    "cnnviz_preset": presets.DEFAULT_PRESET,
    "cnnviz_spec": presets.PRESETS[presets.DEFAULT_PRESET].spec.to_dict(),
    "cnnviz_augment": {},
    "cnnviz_run": None,
}


def init_state() -> None:
    """Put the defaults into session state: digits, the default preset, no run."""
    keep_keras_session()
    settle_imports()
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = copy.deepcopy(value)
            if key == "cnnviz_run":  # a new session (or a refresh): the newest trained run
                st.session_state[key] = next(iter(finished_runs()), None)


_settled_modules = 0  # len(sys.modules) at the last gc.freeze


def _keep_session(*args: Any, **kwargs: Any) -> None:
    """Stands in for `keras.backend.clear_session` in the app process."""


def keep_keras_session() -> None:
    """Stop Streamlit from resetting Keras after every rerun.

    Streamlit's script runner calls `keras.backend.clear_session()` after each run
    once Keras is imported. That replaces Keras's global state for every thread of the
    process and clears TensorFlow's kernel cache, while the training thread is in the
    middle of `fit` (the Train page reruns every second while it polls). The app caches
    its models, so there is nothing for it to free: in this process it does nothing.
    """
    keras = sys.modules.get("keras")
    backend = getattr(keras, "backend", None)
    if backend is not None and backend.clear_session is not _keep_session:
        backend.clear_session = _keep_session


def settle_imports() -> None:
    """Keep Streamlit's garbage collections between reruns cheap once TensorFlow is in.

    After every run Streamlit collects garbage twice (`runner.postScriptGC`, and the
    `keras.backend.clear_session()` it calls once Keras is imported). With TensorFlow
    loaded each full collection walks ~400,000 objects: most of a second per rerun on two
    busy cores. `gc.freeze` moves what exists after the big imports into the permanent
    generation, which collections skip (reference counting still frees those objects;
    only cyclic garbage among them stays). Freezes again after many more imports.
    """
    global _settled_modules
    if "tensorflow" in sys.modules and len(sys.modules) > _settled_modules + 100:
        _settled_modules = len(sys.modules)
        gc.collect()
        gc.freeze()


def runs_dir() -> str:
    return os.environ.get("CNNVIZ_RUNS_DIR", "runs")


@st.cache_resource(show_spinner="Loading the dataset...", max_entries=3)
def _load(dataset_id: str, data_dir: str, size: tuple[int, int] | None,
          _download: bool | None = None):
    from cnnviz.data import load_dataset

    return load_dataset(dataset_id, data_dir=data_dir or None, image_size=size,
                        download=_download)


def load_cached(dataset_id: str, data_dir: str = "", image_size: Any = None, *,
                download: bool | None = None):
    """A dataset through the shared cache; raises CnnvizError when it cannot be loaded.

    `image_size` is (height, width) or None for the set's own size (folders: 64x64).
    `download` (True, False, or None: only when the TFDS server answers) applies to a
    TFDS set missing from `data_dir`; it is not part of the cache key.
    """
    size = None if image_size is None else tuple(image_size)
    return _load(dataset_id, data_dir, size, download)


def switch_dataset(
    dataset_id: str,
    *,
    data_dir: str | None = None,
    image_size: Any = None,
    download: bool | None = None,
) -> str | None:
    """Make `dataset_id` (resized to `image_size`, if given) the app's dataset if it
    loads, else keep the old one.

    Returns None on success, or the engine's message saying why it cannot be loaded.
    """
    state = st.session_state
    data_dir = state.cnnviz_data_dir if data_dir is None else data_dir
    size = None if image_size is None else tuple(image_size)
    try:
        load_cached(dataset_id, data_dir, size, download=download)
    except CnnvizError as err:
        return str(err)
    state.cnnviz_dataset, state.cnnviz_data_dir, state.cnnviz_image_size = (
        dataset_id, data_dir, size)
    return None


def current_dataset():
    """The chosen dataset (cached), or None after showing why it cannot be loaded."""
    init_state()
    try:
        state = st.session_state
        return load_cached(state.cnnviz_dataset, state.cnnviz_data_dir, state.cnnviz_image_size)
    except CnnvizError as err:
        show_error(err)
        return None


def show_error(err: Exception) -> None:
    """A learner's mistake, in the engine's own words."""
    st.error(str(err), icon=":material/error:")


def keep_upload(upload, *, suffix: str) -> Path:
    """Store an uploaded file once, as <runs dir>/_uploads/<sha256[:16]><suffix>.

    Returns the stored file's absolute path (the same bytes always give the same path).
    """
    data = upload.getvalue()
    path = Path(runs_dir(), "_uploads", hashlib.sha256(data).hexdigest()[:16] + suffix)
    path = path.resolve()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        part.write_bytes(data)
        part.replace(path)
    return path


IMAGE_TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "webp"]  # for st.file_uploader


@st.cache_data(max_entries=4, show_spinner=False)
def _read_upload(data: bytes, name: str, max_side: int) -> np.ndarray:
    from cnnviz.images import open_image, to_array

    picture = open_image(data, name=name, draft_size=(max_side, max_side))
    picture.thumbnail((max_side, max_side))
    return to_array(picture)


def uploaded_image(upload, *, max_side: int = 640) -> np.ndarray | None:
    """An uploaded image's pixels, shrunk to fit max_side x max_side (uint8, shape
    (H, W, 1 or 3)); None when nothing is uploaded or, after showing why, unreadable."""
    if upload is None:
        return None
    try:
        return _read_upload(upload.getvalue(), upload.name, max_side)
    except CnnvizError as err:
        show_error(err)
        return None


def png_bytes(image: np.ndarray) -> bytes:
    """uint8 pixels of shape (H, W), (H, W, 1) or (H, W, 3) encoded as a PNG."""
    from PIL import Image

    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def enlarged(images: np.ndarray, *, side: int = 96) -> np.ndarray:
    """For display only: tiny images blown up into big square pixels.

    Args:
        images: uint8 ndarray of shape (..., H, W, C).
        side: the longer side to reach at least, by an integer nearest-neighbour factor.

    Returns:
        ndarray of shape (..., H * f, W * f, C), f = ceil(side / max(H, W)) or 1.
    """
    images = np.asarray(images)
    factor = max(1, -(-side // max(images.shape[-3:-1])))
    if factor == 1:
        return images
    return images.repeat(factor, axis=-3).repeat(factor, axis=-2)


# --- training ---------------------------------------------------------------------


@st.cache_resource
def job_runner():
    """The process-wide job runner: training survives page changes and refreshes."""
    import keras  # noqa: F401  (imported here so the next line can guard it at once)

    from cnnviz.jobs import default_runner

    keep_keras_session()
    return default_runner()


def current_preset() -> str | None:
    """The preset the current spec still equals, if any."""
    name = st.session_state.cnnviz_preset
    preset = presets.PRESETS.get(name)
    return name if preset and preset.spec.to_dict() == st.session_state.cnnviz_spec else None


def suggested_config():
    """The current preset's suggested hyper-parameters (defaults for an edited model)."""
    from cnnviz.train import TrainConfig

    return TrainConfig.suggested(current_preset())


def augment_changes(augment: dict[str, Any]) -> dict[str, Any]:
    """The settings of an augmentation dict that differ from no augmentation."""
    from cnnviz.augment import AugmentSpec

    try:
        given = AugmentSpec.from_dict(augment or {}).to_dict()
    except CnnvizError:
        return {}
    identity = AugmentSpec().to_dict()
    return {k: v for k, v in given.items() if v != identity[k]}


def augment_summary(augment: dict[str, Any]) -> str:
    changes = augment_changes(augment)
    if not changes:
        return "none set: choose some on the Augment page"
    return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in changes.items())


def active_job(runner) -> str | None:
    """This session's running or queued job, else any the server is running (so a
    refreshed browser finds its training again). A finished job becomes the current run."""
    state = st.session_state
    job = state.get("train_job")
    if job and runner.status(job)["status"] not in ("queued", "running"):
        state.cnnviz_run, state.train_job = job, None
    for job_id in reversed(runner.job_ids()):
        if runner.status(job_id)["status"] in ("queued", "running"):
            state.train_job = state.train_shown = job_id
            return job_id
    return None


def start_training(runner, dataset) -> str:
    """Check the model against the data, then submit it; returns the job (run) id.

    Raises:
        CnnvizError: the spec, the hyper-parameters or the data do not fit.
    """
    from cnnviz.jobs import TrainRequest
    from cnnviz.spec import ModelSpec
    from cnnviz.train import TrainConfig, plan_training

    if dataset is None:
        raise CnnvizError("choose a dataset that loads on the Data page first")
    state = st.session_state
    spec = ModelSpec.from_dict(state.cnnviz_spec)
    config = TrainConfig(
        epochs=int(state.train_epochs), batch_size=int(state.train_batch_size),
        optimizer=state.train_optimizer, learning_rate=float(state.train_lr),
        validation_split=float(state.train_val_split), seed=int(state.train_seed),
    )
    plan_training(spec, dataset, config)
    use = state.get("train_use_augment") and augment_changes(state.cnnviz_augment)
    augment = state.cnnviz_augment if use else None
    request = TrainRequest(
        spec.to_dict(), dataset.info.id, config, data_dir=state.cnnviz_data_dir or None,
        image_size=state.cnnviz_image_size,
        augment=augment or None, runs_dir=runs_dir(), model=current_preset() or spec.name,
        preloaded=dataset,
    )
    job = runner.submit(request)
    state.train_job = state.train_shown = job
    return job


def on_start_training(runner, dataset) -> None:
    """Start button callback: runs before the page redraws, so the page shows the job."""
    try:
        start_training(runner, dataset)
        st.session_state.train_error = None
    except CnnvizError as err:
        st.session_state.train_error = str(err)


def run_rows() -> list[dict[str, Any]]:
    """The runs on disk, newest first, as table rows."""
    from cnnviz.runs import list_runs

    rows = []
    for run in list_runs(runs_dir()):
        info = run.to_dict()
        accuracy = info.get("test_accuracy")
        rows.append({
            "run": info["run_id"], "model": info["model"], "dataset": info["dataset"],
            "status": info["status"],
            "test accuracy": None if accuracy is None else f"{accuracy:.1%}",
            "epochs": f"{info.get('epochs_completed') or 0}/{info.get('epochs') or '?'}",
            "message": info.get("message", ""),
        })
    return rows


# --- runs: models and evaluations, cached per run -----------------------------------


def finished_runs() -> list[str]:
    """Ids of runs with a trained model (completed or stopped), newest first."""
    return [r["run"] for r in run_rows()
            if r["status"] in ("completed", "stopped", "interrupted")
            and Path(runs_dir(), r["run"], "model.keras").is_file()]


def pick_run(key: str) -> str | None:
    """A run picker defaulting to the current run; None (with a hint) when none exists."""
    ids = finished_runs()
    if not ids:
        st.info("No trained model yet: train one on the **Train** page first.")
        return None
    current = st.session_state.cnnviz_run
    run_id = st.selectbox("Run", ids, index=ids.index(current) if current in ids else 0,
                          key=key)
    st.session_state.cnnviz_run = run_id
    return run_id


def _mtime(run_id: str) -> float:
    return Path(runs_dir(), run_id, "model.keras").stat().st_mtime


@st.cache_resource(show_spinner="Loading the trained model...", max_entries=4)
def _run_and_model(run_id: str, root: str, mtime: float):
    from cnnviz.runs import load_run

    run = load_run(run_id, root)
    return run, run.model()


def run_and_model(run_id: str):
    """The run and its trained keras.Model (rebuilt from the spec, weights loaded)."""
    return _run_and_model(run_id, runs_dir(), _mtime(run_id))


@st.cache_resource(show_spinner="Evaluating on the test images...", max_entries=4)
def _evaluation(run_id: str, root: str, mtime: float):
    from cnnviz.data import rescale
    from cnnviz.inspect import evaluate, run_test_split

    run, model = _run_and_model(run_id, root, mtime)
    test = run_test_split(run)
    return test, evaluate(model, rescale(test.images), test.labels, run.config["class_names"])


def evaluation(run_id: str):
    """(test split, `cnnviz.inspect.Evaluation`) of a run, computed once."""
    return _evaluation(run_id, runs_dir(), _mtime(run_id))
