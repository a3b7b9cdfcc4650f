"""This process's one connection to a Ray cluster, shared by its Ray job runners.

`connect()` joins the cluster `$CNNVIZ_RAY_ADDRESS` names (e.g. "10.0.0.5:6379", from
`ray start --head`), else starts a local cluster with this machine's cores (always a new
one: `address="local"`, since a bare `ray.init()` would join any `ray start` cluster of
the machine); the last `disconnect()` shuts it down again. When the process called
`ray.init` itself before, that connection is used and left alone.

`ray.init` runs in a long-lived thread of its own: Ray ties the processes it starts to
the thread that started them (PR_SET_PDEATHSIG), and a Streamlit script thread ends
after every rerun. Ray is quiet: no dashboard, no worker logs, no usage statistics,
errors only; workers get this `cnnviz` package through `runtime_env["py_modules"]`.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path
from typing import Any

from cnnviz.errors import CnnvizError
from cnnviz.settings import ENV, quiet_tensorflow, settings

__all__ = ["ADDRESS_ENV", "INSTALL_HINT", "connect", "disconnect"]

ADDRESS_ENV = ENV["ray_address"]
INSTALL_HINT = 'pip install "ray[default]"'


class _Session:
    """Who made the connection, and the thread that holds it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0
        self.release: threading.Event | None = None
        self.ended: threading.Event | None = None

    def open(self) -> None:
        try:
            import ray
        except ImportError:
            raise CnnvizError(
                f"the ray runner needs Ray, which is not installed: {INSTALL_HINT} "
                "(or choose the thread or process runner)"
            ) from None
        with self.lock:
            if self.users == 0 and not ray.is_initialized():
                self._start(_init_arguments())
            self.users += 1
        _quiet_driver()

    def _start(self, kwargs: dict[str, Any]) -> None:
        import ray

        _probe(kwargs["address"])  # ray.init would wait for minutes on a wrong address

        started, release, ended = threading.Event(), threading.Event(), threading.Event()
        box: dict[str, BaseException] = {}

        def own() -> None:
            try:
                ray.init(**kwargs)
            except BaseException as err:  # handed to the runner being made
                box["error"] = err
                started.set()
                return
            started.set()
            release.wait()
            ray.shutdown()
            ended.set()

        threading.Thread(target=own, name="cnnviz-ray-owner", daemon=True).start()
        started.wait()
        if "error" in box:
            raise _connect_error(box["error"], kwargs["address"]) from None
        self.release, self.ended = release, ended

    def close(self) -> None:
        with self.lock:
            self.users -= 1
            if self.users == 0 and self.release is not None:
                self.release.set()
                self.ended.wait(timeout=60)
                self.release = self.ended = None


_SESSION = _Session()


def connect() -> None:
    """Join or start the cluster (once per process; every call needs a `disconnect`).

    Raises:
        CnnvizError: Ray is not installed, or the cluster cannot be joined or started
            (the message says how to fix it).
    """
    _SESSION.open()


def disconnect() -> None:
    """One user fewer; the last one shuts down the connection `connect` made."""
    _SESSION.close()


def _init_arguments() -> dict[str, Any]:
    import cnnviz

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    runtime_env = {  # workers import this cnnviz, on any machine
        "py_modules": [str(Path(cnnviz.__file__).resolve().parent)],
        "env_vars": {"TF_CPP_MIN_LOG_LEVEL": quiet_tensorflow()},
    }
    quiet = {"include_dashboard": False, "log_to_driver": False, "logging_level": "ERROR"}
    address = settings().ray_address
    if address:
        return {"address": address, "runtime_env": runtime_env, **quiet}
    cores = os.cpu_count() or 1
    return {"address": "local", "num_cpus": cores, "runtime_env": runtime_env, **quiet}


def _probe(address: str) -> None:
    """A HOST:PORT address must answer a connection within a few seconds."""
    host, _, port = address.rpartition(":")
    if "://" in address or not host or not port.isdigit():
        return
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as err:
        raise CnnvizError(
            f"could not join the Ray cluster at {address} (${ADDRESS_ENV}): nothing answers "
            f"there ({err.strerror or err}); start it with `ray start --head --port={port}`, "
            f"or unset ${ADDRESS_ENV} for a local cluster"
        ) from None


def _quiet_driver() -> None:
    """Ray prints a dead worker's notice on stdout ("(raylet) A worker died ..."), past
    log_to_driver=False; the runner says it in the run instead, and a `--json` stdout
    stays one document."""
    import ray._private.worker as ray_worker

    if hasattr(ray_worker, "_worker_logs_enabled"):
        ray_worker._worker_logs_enabled = False


def _connect_error(err: BaseException, address: str) -> CnnvizError:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    if address == "local":
        return CnnvizError(f"could not start a local Ray cluster: {text}")
    hint = ""
    if not settings().ray_token_auth:
        hint = (
            "; if it uses token authentication (the default of `ray start`), set "
            "RAY_AUTH_MODE=token (the token is the head's ~/.ray/auth_token, or $RAY_AUTH_TOKEN)"
        )
    return CnnvizError(
        f"could not join the Ray cluster at {address} (${ADDRESS_ENV}): {text}{hint}; "
        f"start it with `ray start --head`, or unset ${ADDRESS_ENV} for a local cluster"
    )
