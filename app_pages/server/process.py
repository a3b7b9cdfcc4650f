"""Guards for the app's one Python process: Keras's global state and the collector.

Streamlit-side only. The router settles the collector each run; whatever imports Keras
in this process guards its session (the job runner, the warm-up).
"""

from __future__ import annotations

import gc
import sys
from typing import Any

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
