"""The teacher: signing a browser in with `settings().teacher_code`, and out.

`sign_in_teacher(code, client=...)` compares the code in constant time and returns a
random teacher token for an HttpOnly cookie (`TEACHER_COOKIE`; its value is the token
itself, 43 URL-safe characters). The code is never stored, nor put in a cookie: each
token's HMAC-SHA256, keyed with the teacher code, is kept in the shared runs folder, so
every replica recognises the token, and a new teacher code ends every old sign-in::

    <runs root>/_teacher/<first 32 hex digits of the HMAC>.json
        {"v": 1, "token_hmac": "...", "signed_in": "2026-11-29T19:30:00+01:00",
         "expires": 1764484200.0}

A token lasts `TEACHER_HOURS`. Wrong codes slow down: each client (the caller's key,
e.g. the remote address) waits `Throttle.first` seconds after a wrong code, twice as
long after each further one, at most `Throttle.cap`; while it waits every code is
refused, the right one too. The waits are kept in memory, per process (`THROTTLE`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cnnviz.errors import CnnvizError
from cnnviz.files import create_new, now_iso
from cnnviz.rundir import cannot_write, checked_root, runs_root
from cnnviz.settings import MIN_TEACHER_CODE, settings

__all__ = [
    "TEACHER_COOKIE",
    "TEACHER_DIR",
    "THROTTLE",
    "Throttle",
    "is_teacher",
    "sign_in_teacher",
    "sign_out_teacher",
]

TEACHER_DIR = "_teacher"  # under the runs root: one file per signed-in browser
TEACHER_COOKIE = "cnnviz_teacher"  # the cookie holding the token
TEACHER_HOURS = 12.0  # a sign-in lasts a school day
TOKEN_BYTES = 32
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
MAX_TOKEN_FILE_BYTES = 4096


class Throttle:
    """How long each client must wait before its next code, after wrong ones.

    Args:
        first: seconds to wait after the first wrong code.
        cap: the longest wait, in seconds.
        clock: seconds, monotonic (a test passes a fake one).
        forget_after: seconds after which a client's wrong codes are forgotten.
    """

    def __init__(
        self,
        *,
        first: float = 1.0,
        cap: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        forget_after: float = 3600.0,
    ):
        self.first, self.cap, self.clock, self.forget_after = first, cap, clock, forget_after
        self._clients: dict[str, tuple[int, float]] = {}  # client -> (wrong codes, until)
        self._lock = threading.Lock()

    def wait(self, client: str) -> float:
        """Seconds `client` must still wait before a code is looked at (0: none)."""
        with self._lock:
            _, until = self._clients.get(client, (0, 0.0))
        return max(0.0, until - self.clock())

    def failed(self, client: str) -> float:
        """Count a wrong code of `client`; returns its wait now."""
        now = self.clock()
        with self._lock:
            if len(self._clients) > 10_000:  # forget clients long quiet
                old = now - self.forget_after
                self._clients = {c: v for c, v in self._clients.items() if v[1] > old}
            wrong, until = self._clients.get(client, (0, 0.0))
            if until and now - until > self.forget_after:
                wrong = 0
            delay = min(self.cap, self.first * 2.0**wrong)
            self._clients[client] = (wrong + 1, now + delay)
        return delay

    def succeeded(self, client: str) -> None:
        """Forget `client`'s wrong codes."""
        with self._lock:
            self._clients.pop(client, None)


THROTTLE = Throttle()  # this process's


def _token_hmac(code: str, token: str) -> str:
    return hmac.new(code.encode("utf-8"), token.encode("ascii"), hashlib.sha256).hexdigest()


def _seconds(wait: float) -> str:
    return f"{max(1, round(wait))} second{'s' if round(wait) > 1 else ''}"


def sign_in_teacher(
    code: Any,
    *,
    client: str,
    runs_dir: str | os.PathLike | None = None,
    throttle: Throttle | None = None,
) -> str:
    """The teacher's **Sign in**: `code` checked against `settings().teacher_code` in
    constant time; returns a new teacher token (for the `TEACHER_COOKIE` cookie).

    Args:
        code: what was typed.
        client: who typed it, for the wait after wrong codes (e.g. the remote address).
        throttle: the waits (default `THROTTLE`, this process's).

    Raises:
        CnnvizError: no teacher code on this server, a wait after wrong codes not over,
            an empty or wrong code (never repeated in the message), or a runs folder
            that cannot be written.
    """
    throttle = THROTTLE if throttle is None else throttle
    expected = settings().teacher_code
    if expected is None:
        raise CnnvizError(
            "this server has no teacher code; start it with CNNVIZ_TEACHER_CODE set "
            f"({MIN_TEACHER_CODE} characters or more) to sign in as the teacher"
        )
    wait = throttle.wait(client)
    if wait > 0:
        raise CnnvizError(
            f"too many wrong teacher codes: wait {_seconds(wait)}, then try again. "
            "Received: teacher_code=(not looked at)"
        )
    typed = code.strip() if isinstance(code, str) else ""
    if not hmac.compare_digest(typed.encode("utf-8"), expected.encode("utf-8")):
        wait = throttle.failed(client)
        raise CnnvizError(
            f"that is not the teacher code; the next try is possible in {_seconds(wait)}. "
            f"Received: teacher_code=({len(typed)} characters, not shown)"
        )
    throttle.succeeded(client)
    return _new_token(expected, runs_dir)


def _new_token(code: str, runs_dir: str | os.PathLike | None) -> str:
    folder = checked_root(runs_dir, create=True) / TEACHER_DIR
    token = secrets.token_urlsafe(TOKEN_BYTES)
    digest = _token_hmac(code, token)
    record = {
        "v": 1,
        "token_hmac": digest,
        "signed_in": now_iso(),
        "expires": time.time() + TEACHER_HOURS * 3600,
    }
    try:
        folder.mkdir(exist_ok=True)
        _forget_expired(folder)
        create_new(folder / f"{digest[:32]}.json", json.dumps(record).encode("utf-8"))
    except OSError as err:
        raise CnnvizError(cannot_write(err, folder)) from None
    return token


def _forget_expired(folder: Path) -> None:
    for path in folder.glob("*.json"):
        record = _read(path)
        if record is None or record["expires"] < time.time():
            path.unlink(missing_ok=True)


def _read(path: Path) -> dict[str, Any] | None:
    """A token file, or None (missing, unreadable, damaged)."""
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_TOKEN_FILE_BYTES + 1)
        data = json.loads(raw) if len(raw) <= MAX_TOKEN_FILE_BYTES else None
    except (OSError, ValueError):
        return None
    ok = isinstance(data, dict) and isinstance(data.get("token_hmac"), str)
    return data if ok and isinstance(data.get("expires"), (int, float)) else None


def _token_file(token: Any, runs_dir: str | os.PathLike | None) -> tuple[Path, str] | None:
    """(the file a token's sign-in would be in, its HMAC), or None: not a token, or no
    teacher code on this server."""
    code = settings().teacher_code
    if code is None or not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    digest = _token_hmac(code, token)
    return runs_root(runs_dir) / TEACHER_DIR / f"{digest[:32]}.json", digest


def is_teacher(token: Any, *, runs_dir: str | os.PathLike | None = None) -> bool:
    """True when `token` (the `TEACHER_COOKIE` cookie's value) is a teacher's sign-in
    of this runs folder and this teacher code, not expired nor signed out. Never raises."""
    found = _token_file(token, runs_dir)
    record = _read(found[0]) if found else None
    if record is None or record["expires"] < time.time():
        return False
    return hmac.compare_digest(record["token_hmac"].encode("utf-8"), found[1].encode("ascii"))


def sign_out_teacher(token: Any, *, runs_dir: str | os.PathLike | None = None) -> None:
    """End the teacher sign-in `token` on every replica (nothing for any other value).

    Raises:
        CnnvizError: the runs folder cannot be written.
    """
    if not is_teacher(token, runs_dir=runs_dir):
        return
    path = _token_file(token, runs_dir)[0]
    try:
        path.unlink(missing_ok=True)
    except OSError as err:
        raise CnnvizError(cannot_write(err, path)) from None
