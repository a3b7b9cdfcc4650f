"""Claims in a runs folder shared by replicas: one job per desk, and the training slots.

Every replica (an app server, a command-line `train`) that queues or runs jobs on a runs
folder holds claims in it, one small file each, made only where none is
(`cnnviz.files.create_new`: of two processes, on one machine or on two sharing the
folder, exactly one gets it)::

    <runs root>/_claims/desk-ana.json   desk ana's one queued or running job
    <runs root>/_claims/slot-0.json     a training slot: slot-0 ... slot-(N-1), N the
                                        trainings the runs folder runs at once
        {"v": 1, "job": "20261129-193000-cnn-ab12", "desk": "ana",
         "replica": "host-1234-9f3a2b", "host": "host", "pid": 1234, "proc_start": "...",
         "expires": 1764441120.5}

A claim lasts `TTL` seconds; a `Claims` keeps its own alive (`renew`, from a thread that
ticks every `TICK` seconds while it holds claims or its runner waits). The claims of a
replica that died lapse then, or at once when its process is seen gone on this machine,
and another replica may take them over (under a lock file, so two never both do).
`active_jobs` lists every replica's jobs from the claims, for the Class page.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cnnviz.errors import CnnvizError
from cnnviz.files import create_new, write_json
from cnnviz.rundir import cannot_write, checked_root
from cnnviz.runstatus import process_alive, process_identity

try:
    import fcntl
except ImportError:  # Windows: one process per runs folder there
    fcntl = None

__all__ = ["CLAIMS_DIR", "TICK", "TTL", "Claims", "active_jobs", "desk_claim", "slot_claim"]

CLAIMS_DIR = "_claims"  # under the runs root
LOCK_FILE = ".lock"
TTL = 120.0  # seconds a claim lasts unless renewed: a dead replica's jobs free their desk
TICK = 1.0  # seconds between a replica's looks at its claims and its waiting jobs
MAX_CLAIM_BYTES = 4096  # a claim is ~250 bytes; a larger file is not one
_LIVE: weakref.WeakValueDictionary[str, Claims] = weakref.WeakValueDictionary()


def desk_claim(desk: str) -> str:
    """The claim of a desk's one job: "desk-ana"."""
    return f"desk-{desk}"


def slot_claim(index: int) -> str:
    """The claim of training slot `index`: "slot-0"."""
    return f"slot-{index}"


def _folder(root: Path) -> Path:
    return root / CLAIMS_DIR


def _read(path: Path) -> tuple[dict[str, Any] | None, float]:
    """(the claim, its file's mtime); (None, mtime) for a damaged one; (None, -1) for none."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_CLAIM_BYTES + 1)
            mtime = os.fstat(f.fileno()).st_mtime
    except OSError:
        return None, -1.0
    try:
        claim = json.loads(data) if len(data) <= MAX_CLAIM_BYTES else None
    except ValueError:
        claim = None
    return (claim if isinstance(claim, dict) else None), mtime


def _lapsed(claim: dict[str, Any] | None, mtime: float, now: float) -> bool:
    """Whether a claim no longer holds: expired, or its process is gone (seen from this
    machine; in this process, a `Claims` that no longer exists)."""
    if mtime < 0:
        return True
    if claim is None:  # damaged: it holds for a TTL from its last write
        return now - mtime > TTL
    expires = claim.get("expires")
    if not isinstance(expires, (int, float)) or expires < now:
        return True
    if claim.get("host") == socket.gethostname() and claim.get("pid") == os.getpid():
        return claim.get("replica") not in _LIVE
    return not process_alive(claim)


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """The claims folder's lock, held: one process at a time takes a lapsed claim over,
    renews or releases one (flock also holds across NFS clients on Linux). The folder
    and its lock file go when the last claim does (`_tidy`), so the lock taken is checked
    to still be the lock file's: when it was removed meanwhile, it is taken again.

    Raises:
        OSError: the folder cannot be written.
    """
    folder = _folder(root)
    lock = folder / LOCK_FILE
    for _ in range(100):
        folder.mkdir(exist_ok=True)
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        except FileNotFoundError:  # the folder went between mkdir and open
            continue
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = _identity(os.stat(lock)) == _identity(os.fstat(fd))
            except FileNotFoundError:
                same = False
            if same:
                yield
                return
        finally:
            os.close(fd)  # closing releases the lock
    raise OSError(errno.EAGAIN, "the claims lock kept being removed", str(lock))


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def _tidy(root: Path) -> None:
    """With the lock held: no claim left, the folder goes (the runs folder is left as it
    was before any job); any claim or a claim being written keeps it."""
    folder = _folder(root)
    with contextlib.suppress(OSError):
        if all(p.name == LOCK_FILE for p in folder.iterdir()):
            (folder / LOCK_FILE).unlink()
            folder.rmdir()


class Claims:
    """One replica's claims, on any number of runs folders, kept alive by a thread.

    Args:
        on_tick: called every `TICK` seconds from the thread (a runner starts the jobs
            that can start now); it returns True while it wants to be called again.
    """

    def __init__(self, on_tick: Callable[[], bool] | None = None):
        self.replica = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self._on_tick = on_tick
        self._held: dict[tuple[Path, str], dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._renewed = time.monotonic()  # claims are taken fresh: renewed TTL/4 from now
        _LIVE[self.replica] = self

    # --- taking, changing, letting go -----------------------------------------------

    def take(self, root: Path, name: str, job: str | None, desk: str | None = None, *, again=False):
        """Claim `name` in the runs folder `root` for `job`.

        Args:
            again: take it over from this replica too (its runner knows that the job
                it held it for has ended, though that job's end has not released it yet).

        Returns:
            None when this replica now holds it; else the claim that holds it (its
            "job", "desk", "host"...; {} when unreadable).

        Raises:
            CnnvizError: the runs folder cannot be written.
        """
        root = Path(root).resolve()
        claim = {"v": 1, "job": job, "desk": desk, "replica": self.replica, **process_identity()}
        path = _folder(root) / f"{name}.json"
        for attempt in range(100):
            try:
                path.parent.mkdir(exist_ok=True)
                claim["expires"] = time.time() + TTL
                if not create_new(path, json.dumps(claim).encode(), mode=0o644):
                    with _locked(root):
                        held, mtime = _read(path)
                        ours = again and held is not None and held.get("replica") == self.replica
                        if not ours and not _lapsed(held, mtime, time.time()):
                            return held or {}
                        write_json(path, claim)  # a dead replica's claim, taken over
                break
            except FileNotFoundError as err:  # the emptied folder went meanwhile: again
                if attempt == 99:
                    raise CnnvizError(cannot_write(err, path.parent)) from None
            except OSError as err:
                raise CnnvizError(cannot_write(err, path.parent)) from None
        with self._lock:
            self._held[(root, name)] = claim
        self.wake()
        return None

    def take_slot(self, root: Path, slots: int, job: str) -> int | None:
        """A free training slot (0 ... slots-1) of the runs folder for `job`, claimed;
        None when every one is held (by any replica)."""
        root = Path(root).resolve()
        for index in range(slots):
            held, mtime = _read(_folder(root) / f"{slot_claim(index)}.json")
            if mtime >= 0 and not _lapsed(held, mtime, time.time()):
                continue  # taken: only a free-looking slot is tried (no file written)
            if self.take(root, slot_claim(index), job) is None:
                return index
        return None

    def relabel(self, root: Path, name: str, job: str) -> None:
        """Write the job's id into a claim taken before the job had one."""
        self._rewrite(Path(root).resolve(), name, job=job)

    def release(self, root: Path, name: str) -> None:
        """Let a claim go (only if this replica still holds it)."""
        root = Path(root).resolve()
        with self._lock:
            mine = self._held.pop((root, name), None)
        if mine is None:
            return
        path = _folder(root) / f"{name}.json"
        with contextlib.suppress(OSError), _locked(root):
            held, _ = _read(path)
            if held is not None and held.get("replica") == self.replica:
                path.unlink(missing_ok=True)
            _tidy(root)

    def release_job(self, job: str) -> None:
        """Let go every claim held for `job` (its desk's, its slot)."""
        with self._lock:
            keys = [key for key, claim in self._held.items() if claim.get("job") == job]
        for root, name in keys:
            self.release(root, name)

    def held(self) -> list[tuple[Path, str]]:
        """(runs root, claim name) of every claim this replica holds."""
        with self._lock:
            return list(self._held)

    # --- keeping them alive ----------------------------------------------------------

    def _rewrite(self, root: Path, name: str, **changes: Any) -> bool:
        """Renew a claim (and change some of its fields); False when it is no longer
        this replica's (it lapsed and another took it over): it is forgotten then."""
        path = _folder(root) / f"{name}.json"
        with self._lock:  # one change at a time: a renewal never undoes a relabel
            claim = self._held.get((root, name))
            if claim is None:
                return False
            claim = {**claim, **changes, "expires": time.time() + TTL}
            try:
                with _locked(root):
                    held, _ = _read(path)
                    if held is None or held.get("replica") != self.replica:
                        del self._held[(root, name)]
                        _tidy(root)
                        return False
                    write_json(path, claim)
            except OSError:
                return True  # the disk is full or gone for a moment: try again next time
            self._held[(root, name)] = claim
            return True

    def renew(self) -> None:
        """Push back the expiry of every claim held."""
        self._renewed = time.monotonic()
        for root, name in self.held():
            self._rewrite(root, name)

    def wake(self) -> None:
        """Make sure the thread runs (a claim taken, a job waiting for a slot); it ticks
        every `TICK` seconds from then on, for as long as it is needed."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name="cnnviz-claims", daemon=True
                )
                self._thread.start()

    def _loop(self) -> None:
        while True:
            time.sleep(TICK)
            if time.monotonic() - self._renewed > TTL / 4:
                self.renew()
            busy = False
            if self._on_tick is not None:
                try:
                    busy = self._on_tick()
                except Exception:  # a tick must never end the thread that renews claims
                    busy = True
            with self._lock:
                if not self._held and not busy:
                    self._thread = None
                    return


def active_jobs(runs_dir: str | os.PathLike | None = None) -> list[dict[str, Any]]:
    """Every replica's queued and running jobs on a runs folder, from their claims:
    running first, then waiting, each {"run_id", "desk", "status" ("running" or
    "queued"), "host"}. A waiting job of no desk (the command line's) holds no claim
    and is not listed.

    Raises:
        CnnvizError: the runs root is a file.
    """
    folder = _folder(checked_root(runs_dir))
    jobs: dict[str, dict[str, Any]] = {}
    now = time.time()
    try:
        paths = sorted(folder.glob("*.json"))
    except OSError:
        return []
    for path in paths:
        claim, mtime = _read(path)
        job = claim.get("job") if claim else None
        if not isinstance(job, str) or _lapsed(claim, mtime, now):
            continue
        row = jobs.setdefault(
            job, {"run_id": job, "desk": None, "status": "queued", "host": claim.get("host")}
        )
        if path.stem.startswith("slot-"):
            row["status"] = "running"
        if isinstance(claim.get("desk"), str):
            row["desk"] = claim["desk"]
    return sorted(jobs.values(), key=lambda r: (r["status"] != "running", r["run_id"]))
