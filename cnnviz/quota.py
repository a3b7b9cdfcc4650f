"""A desk's room on disk: its runs and its uploads together, within a quota.

The quota in force is the teacher's (`cnnviz.classstate.desk_quota_mb`), else
$CNNVIZ_DESK_QUOTA_MB, else none. `check_quota` refuses, with the numbers, what would
pass it: a new training of a desk already at its quota (checked when the job is
submitted) and an upload whose bytes would not fit (checked before it is kept). A desk
makes room by deleting its own runs (`cnnviz.runs.delete_run(..., owner=desk)`) or
uploads (`cnnviz.desk_uploads.remove_upload`). Sizes are those of the files on disk, counted
without following symbolic links.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cnnviz.classstate import desk_quota_mb
from cnnviz.errors import CnnvizError
from cnnviz.memory import format_bytes
from cnnviz.rundir import UPLOADS_DIR, runs_root

__all__ = ["DiskUse", "check_quota", "desk_use", "folder_bytes"]


@dataclass(frozen=True)
class DiskUse:
    """What a desk keeps on disk.

    Attributes:
        runs: bytes of the desk's run folders.
        uploads: bytes of the desk's uploads.
        quota: bytes the desk may keep, or None (no quota).
    """

    runs: int
    uploads: int
    quota: int | None

    @property
    def total(self) -> int:
        return self.runs + self.uploads

    def words(self) -> str:
        """E.g. "512 MB of its 500 MB quota (runs 480 MB, uploads 32 MB)"."""
        of = f" of its {format_bytes(self.quota)} quota" if self.quota is not None else ""
        return (
            f"{format_bytes(self.total)}{of} (runs {format_bytes(self.runs)}, "
            f"uploads {format_bytes(self.uploads)})"
        )


def folder_bytes(path: str | os.PathLike) -> int:
    """The bytes of a file, or of every file under a folder (links not followed)."""
    path = Path(path)
    try:
        if not path.is_dir() or path.is_symlink():
            return path.lstat().st_size
    except OSError:
        return 0
    total = 0
    for folder, _, names in os.walk(path):  # symlinked folders are not entered
        for name in names:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return total


def _runs_bytes(desk: str, runs_dir: str | os.PathLike | None) -> int:
    from cnnviz.runs import list_runs

    return sum(folder_bytes(run.dir) for run in list_runs(runs_dir, owner=desk))


def desk_use(
    desk: str, *, runs_dir: str | os.PathLike | None = None, uploads: int | None = None
) -> DiskUse:
    """What `desk` keeps on disk now, and its quota.

    Args:
        uploads: the bytes of its uploads when the caller has just counted them.
    """
    if uploads is None:
        uploads = folder_bytes(runs_root(runs_dir) / UPLOADS_DIR / desk)
    quota = desk_quota_mb(runs_dir)
    return DiskUse(_runs_bytes(desk, runs_dir), uploads, None if quota is None else quota * 10**6)


def check_quota(
    desk: str | None,
    *,
    runs_dir: str | os.PathLike | None = None,
    adding: int = 0,
    uploads: int | None = None,
    doing: str = "start a training",
) -> DiskUse | None:
    """Refuse what would take `desk` past its disk quota: `adding` more bytes (an
    upload), or, with `adding` 0, anything at all once the desk is at its quota (a new
    training, whose size is not known before it runs).

    Args:
        desk: the desk; None (the command line's runs) has no quota.
        adding: the bytes about to be written.
        uploads: the bytes of the desk's uploads, when just counted.
        doing: what is refused, for the message: "start a training" or an upload's name.

    Returns:
        The desk's use (None without a desk or a quota).

    Raises:
        CnnvizError: over the quota, with the numbers and what to delete.
    """
    if not desk or desk_quota_mb(runs_dir) is None:
        return None
    use = desk_use(desk, runs_dir=runs_dir, uploads=uploads)
    over = use.total + adding > use.quota if adding else use.total >= use.quota
    if over:
        what = f"keep {doing} ({format_bytes(adding)})" if adding else doing
        raise CnnvizError(
            f"desk {desk} keeps {use.words()} on disk, so it cannot {what}; delete some of "
            "its runs (Train or Inspect) or uploads first, or ask the teacher for more room. "
            f"Received: used={format_bytes(use.total)}, quota={format_bytes(use.quota)}"
        )
    return use
