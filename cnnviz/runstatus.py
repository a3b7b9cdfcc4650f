"""status.json: a run's status word, the process behind it, and what a dead run kept.

A run is `queued` or `running` only while the process that wrote its status lives
(its pid, host and start time are recorded with every write); once that process is
gone it reads as `interrupted`, and keeps the weights of its last finished epoch: a
killed process loses at most the epoch in progress. `kept_words` says what a run that
ended with its process kept, in the words every runner's message uses.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

from cnnviz.errors import CnnvizError
from cnnviz.events import ACTIVE, STATUSES
from cnnviz.files import now_iso, write_json

__all__ = [
    "STATUS_FILE",
    "epochs_completed",
    "kept_words",
    "process_alive",
    "process_identity",
    "read_status",
    "write_status",
]

STATUS_FILE = "status.json"


def _process_start(pid: int) -> str | None:
    """The start time of a process (Linux /proc), to tell a reused pid apart."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[-1].split()[19]


def process_identity() -> dict[str, Any]:
    """This process as files record it: {"pid", "host", "proc_start"}."""
    pid = os.getpid()
    return {"pid": pid, "host": socket.gethostname(), "proc_start": _process_start(pid)}


def process_alive(status: dict[str, Any]) -> bool:
    """Whether the process a document names (its "pid", "host", "proc_start", as
    `process_identity` wrote them) still runs: True when unknown (another host)."""
    pid = status.get("pid")
    if not isinstance(pid, int) or status.get("host") not in (None, socket.gethostname()):
        return True
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    started = status.get("proc_start")
    return started is None or _process_start(pid) in (None, started)


def write_status(
    run_dir: str | os.PathLike, status: str, message: str = "", **fields: Any
) -> dict[str, Any]:
    """Update status.json: the new status and message, this process as owner, and any
    extra fields (kept from earlier writes unless overwritten).

    Returns:
        The status document written.
    """
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}. Received: status={status!r}")
    path = Path(run_dir) / STATUS_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        document = {}
    document.update(fields)
    document.update(status=status, message=message, updated=now_iso(), **process_identity())
    write_json(path, document)
    return document


def read_status(run_dir: str | os.PathLike) -> dict[str, Any]:
    """status.json of a run; an active run whose process died reads as "interrupted"
    (and is saved so, when the folder is writable)."""
    path = Path(run_dir) / STATUS_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CnnvizError(f"{path} is missing; {path.parent} is not a run folder") from None
    except (OSError, ValueError):
        document = None
    if not isinstance(document, dict) or document.get("status") not in STATUSES:
        return {"status": "failed", "message": f"{path} is not a valid status file"}
    if document["status"] in ACTIVE and not process_alive(document):
        document["message"] = _interrupted(document)
        document["status"] = "interrupted"
        try:
            write_json(path, document)
        except OSError:
            pass
    return document


def _interrupted(status: dict[str, Any]) -> str:
    """What an `interrupted` run says: when its process ended, and what it kept."""
    who = f"the process that was training it (pid {status.get('pid')}) ended"
    done, planned = status.get("epochs_completed") or 0, status.get("epochs")
    if status.get("status") == "queued":
        return f"{who} before the run started"
    of = f" of {planned}" if planned else ""
    if not done:
        return f"{who} during epoch 1{of}, before any epoch finished: nothing was kept"
    return (
        f"{who} during epoch {done + 1}{of}; the weights after epoch {done} are kept "
        "(open it in Inspect or Predict, or train it again)"
    )


def epochs_completed(run_dir: str | os.PathLike) -> int:
    """The epochs status.json says finished (0 when unreadable)."""
    try:
        status = json.loads((Path(run_dir) / STATUS_FILE).read_text(encoding="utf-8"))
        return int(status.get("epochs_completed") or 0)
    except (OSError, ValueError, TypeError, AttributeError):
        return 0


def kept_words(run_dir: str | os.PathLike) -> str:
    """ "; the weights after epoch k are kept", or "; nothing was kept"."""
    done = epochs_completed(run_dir)
    return f"; the weights after epoch {done} are kept" if done else "; nothing was kept"
