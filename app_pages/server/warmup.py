"""TensorFlow warmed up in the background, so no click waits for its import.

Streamlit-side only, but it never calls Streamlit: `start_warmup()` (from the router,
after the first page is drawn) starts, `DELAY_S` later, one daemon thread per server
process that imports Keras and TensorFlow, the augmentation layers and the modules the
other pages use, runs one small augmentation preview (TensorFlow's first ops and
kernels), guards Keras's global state (`process.keep_keras_session`) and settles the
collector (`process.settle_imports`). A page that needs TensorFlow before it is done
just waits for the import it would have done itself. `CNNVIZ_WARMUP=0` turns it off.
"""

from __future__ import annotations

import importlib
import threading
import time

import numpy as np

from app_pages.server.process import keep_keras_session, settle_imports
from cnnviz.settings import settings

MODULES = (  # what the pages after Concepts import: the first click on them is then quick
    "cnnviz.build",
    "cnnviz.forward",
    "cnnviz.features",
    "cnnviz.evaluate",
    "cnnviz.figures.training",
    "cnnviz.figures.maps",
    "cnnviz.figures.datasets",
)
# The import holds the interpreter for seconds: begun at once, it slowed the browser's
# fetches of the first page's pictures (whole page drawn 2.8 s -> 4.5 s, bench_ui), so
# it waits until the first page has been fetched.
DELAY_S = 2.0
_started = threading.Event()
done = threading.Event()  # set when the warm-up has finished (or failed)


def start_warmup() -> bool:
    """Start the warm-up thread, once per process ($CNNVIZ_WARMUP=0: never).

    Returns:
        True when this call started it.
    """
    if not settings().warmup or _started.is_set():
        return False
    _started.set()
    warmup = threading.Timer(DELAY_S, _warm)
    warmup.name, warmup.daemon = "cnnviz-warmup", True
    warmup.start()
    return True


def _warm() -> None:
    began = time.perf_counter()
    try:
        import keras  # noqa: F401  (TensorFlow with it)

        keep_keras_session()  # before Streamlit's next rerun can reset Keras
        from cnnviz.augment import AugmentSpec
        from cnnviz.augment_layers import preview

        every = AugmentSpec(  # every layer the Augment page's sliders can add
            rotation_degrees=10,
            width_shift=0.1,
            height_shift=0.1,
            brightness=(0.9, 1.1),
            shear_degrees=5,
            zoom=(0.9, 1.1),
            flip_left_right=True,
            flip_up_down=True,
        )
        preview(np.zeros((8, 8, 1), np.uint8), every, n=2, seed=0)
        for module in MODULES:
            importlib.import_module(module)
        settle_imports()
        # One line for whoever runs the server (benchmarks read it in the server's log).
        print(f"cnnviz: TensorFlow warmed up in {time.perf_counter() - began:.1f} s", flush=True)
    except Exception:  # a warm-up never breaks the app: pages import what they need
        pass
    finally:
        done.set()
