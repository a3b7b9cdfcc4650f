"""TensorFlow's start-up lines kept off the command line's stderr, real errors kept on it.

While `tensorflow` is first imported, C++ static initialisers write lines such as
"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
and "I0000 ... cudart_stub.cc:31] Could not find cuda drivers on your machine" straight
to file descriptor 2, before TF_CPP_MIN_LOG_LEVEL is read, so no setting hides them.
`quiet_tensorflow_import` installs an import hook: the first import of `tensorflow`, by
whatever route (keras, tensorflow_datasets, ...), runs with descriptor 2 sent to a
temporary file; afterwards everything written there goes back to stderr except those
start-up lines (absl's banner and its I and W lines), so an import that fails, or an
error TensorFlow logs, is still shown. Nothing changes after that import.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import os
import re
import sys
import tempfile
from collections.abc import Iterator

__all__ = ["LITERT_NOTE", "START_UP_LINE", "filtered_stderr", "quiet_tensorflow_import"]

START_UP_LINE = re.compile(
    rb"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to "
    rb"STDERR|[IW]\d{4} [\d:.]+ +\d+ [\w.]+:\d+\] .*)$"
)
# What the LiteRT interpreter prints on descriptor 2 when it starts, whatever the log level.
LITERT_NOTE = re.compile(rb"^INFO: (Created|Initialized) TensorFlow Lite .*$")


@contextlib.contextmanager
def filtered_stderr(*dropped: re.Pattern) -> Iterator[None]:
    """Descriptor 2 into a temporary file; on the way out, its lines back to stderr
    except those a pattern of `dropped` matches (TensorFlow's start-up lines unless told)."""
    dropped = dropped or (START_UP_LINE,)
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with tempfile.TemporaryFile() as caught:
            os.dup2(caught.fileno(), 2)
            try:
                yield
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
                caught.seek(0)
                kept = [
                    line
                    for line in caught.read().splitlines(keepends=True)
                    if not any(p.match(line.rstrip(b"\r\n")) for p in dropped)
                ]
                if kept:
                    os.write(2, b"".join(kept))
    finally:
        os.close(saved)


class _QuietFirstImport:
    """A meta path finder that only wraps the loading of one top-level module."""

    def __init__(self, name: str):
        self.name = name

    def find_spec(self, fullname: str, path=None, target=None):
        if fullname != self.name:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        original = loader.exec_module

        def exec_module(module) -> None:
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(self)  # once: later imports are ordinary
            with filtered_stderr():
                original(module)

        loader.exec_module = exec_module  # this loader instance only
        return spec


def quiet_tensorflow_import() -> None:
    """Make the first import of tensorflow in this process quiet (see the module)."""
    if "tensorflow" not in sys.modules and not any(
        isinstance(finder, _QuietFirstImport) for finder in sys.meta_path
    ):
        sys.meta_path.insert(0, _QuietFirstImport("tensorflow"))
