"""Files written so that no reader ever sees half of one, and JSON read back.

Every file cnnviz keeps (a run's, an upload, a desk's key) is written to a temporary
file beside it and renamed over it: a process killed while writing leaves the old file
whole. `create_new` writes a file only where none is (a desk's claim: of two processes
on one shared folder, exactly one creates it). `read_json` names the file in its message
when it is missing or unreadable.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from cnnviz.errors import CnnvizError

__all__ = ["atomically", "create_new", "now_iso", "read_json", "write_bytes", "write_json"]

# what os.link raises on a filesystem without hard links (some FUSE and SMB mounts)
NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EXDEV}


def now_iso() -> str:
    """The local time with its UTC offset, e.g. "2026-11-29T19:30:00+01:00"."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def atomically(path: Path, write: Callable[[Path], Any], suffix: str = ".tmp") -> Path:
    """`write(temp)` to a temp file beside `path`, then rename it to `path`: a reader
    never sees half a file, and a process killed while writing leaves the old one whole.

    Raises:
        OSError: the file could not be written (e.g. errno.ENOSPC on a full disk).
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}{suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_json(path: str | os.PathLike, data: Any) -> None:
    """Write `data` as JSON atomically (a temp file in the same folder, then rename).

    Raises:
        OSError: the file could not be written (e.g. errno.ENOSPC on a full disk).
    """

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.write("\n")

    atomically(Path(path), write)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """`data` as the file at `path`, written atomically."""
    return atomically(Path(path), lambda tmp: tmp.write_bytes(data))


def create_new(path: str | os.PathLike, data: bytes, *, mode: int = 0o600) -> bool:
    """`data` as a new file at `path`, whole, only if no file is there; True when this
    call created it, False when `path` existed already.

    The file is written beside `path`, then hard-linked to it: `link` fails when the
    name exists, atomically (also over NFS), so of two processes creating one path
    exactly one gets True, and nobody ever reads half the file. On a filesystem without
    hard links it falls back to `open(O_CREAT | O_EXCL)` and one write.

    Raises:
        OSError: the file could not be written (read-only folder, full disk).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.new")
    try:
        _write_exclusive(tmp, data, mode)
        try:
            os.link(tmp, path)
            return True
        except FileExistsError:
            return False
        except OSError as err:
            if err.errno not in NO_HARD_LINKS:
                raise
    finally:
        tmp.unlink(missing_ok=True)
    try:
        _write_exclusive(path, data, mode)
    except FileExistsError:
        return False
    return True


def _write_exclusive(path: Path, data: bytes, mode: int) -> None:
    """`data` to a new file (O_CREAT | O_EXCL: FileExistsError when it exists), synced;
    a write that fails removes the file it created."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(path)
        raise
    os.close(fd)


def read_json(path: Path) -> Any:
    """A JSON file of a run; CnnvizError naming the file when missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CnnvizError(f"{path} is missing; the run directory is incomplete") from None
    except (OSError, ValueError) as err:
        raise CnnvizError(f"cannot read {path}: {err}") from None
