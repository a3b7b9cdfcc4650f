"""Classroom identity: the class code, and desks that each belong to one laptop.

In classroom mode (`settings().class_code` set) a newcomer types the class code and a
desk name (`join`). The first laptop to claim a name gets a random desk key; only the
key's SHA-256 is kept, in the shared runs folder, so every replica on that folder knows
the desk and nothing on disk lets anyone act as it::

    <runs root>/_desks/alice.json   {"v": 1, "name": "alice", "key_sha256": "...",
                                     "claimed": "2026-11-29T19:30:00+01:00"}

The file is created whole and only where none is (`cnnviz.files.create_new`): of two
laptops claiming one name, on one replica or two, exactly one wins. The key lives in the
browser as the cookie `DESK_COOKIE`, whose value is ``NAME.KEY`` (`DeskKey.cookie`):
the desk's canonical name, a dot, the 43-character URL-safe key, e.g.
``alice.kq3J...``. `desk_of(cookie)` gives that cookie's desk back, verified, or None
for anything else (forged, malformed, another runs folder's, a reset desk's key); it
never raises. `reset_desk` frees a name for a new laptop (the teacher's **Reset desk**);
the desk's runs stay. Keys are compared in constant time (`hmac.compare_digest`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnnviz.checks import DESK_NAME, desk_name, received
from cnnviz.class_send import forget_desk
from cnnviz.errors import CnnvizError
from cnnviz.files import create_new, now_iso
from cnnviz.rundir import cannot_write, checked_root, runs_root
from cnnviz.settings import settings

__all__ = [
    "DESKS_DIR",
    "DESK_COOKIE",
    "TAKEN",
    "DeskKey",
    "check_class_code",
    "claim_desk",
    "claimed_desks",
    "desk_of",
    "join",
    "reset_desk",
]

DESKS_DIR = "_desks"  # under the runs root: one claim file per desk
DESK_COOKIE = "cnnviz_desk"  # the cookie holding DeskKey.cookie
TAKEN = "this desk belongs to another laptop: ask your teacher"
KEY_BYTES = 32  # secrets.token_urlsafe(32): 43 characters, 256 random bits
_KEY = re.compile(r"[A-Za-z0-9_-]{43}")
MAX_COOKIE = 100  # characters: a name (32), a dot and a key (43), with room to spare
MAX_CLAIM_BYTES = 4096  # a claim file is ~150 bytes; anything larger is not one


@dataclass(frozen=True)
class DeskKey:
    """A desk just claimed: its name and its key (shown to no one; the app puts
    `cookie` in an HttpOnly cookie and forgets it).

    Attributes:
        name: the desk's canonical name, e.g. "alice-smith".
        key: 43 URL-safe characters; only their SHA-256 is on disk.
    """

    name: str
    key: str

    @property
    def cookie(self) -> str:
        """The value of the `DESK_COOKIE` cookie: ``NAME.KEY``."""
        return f"{self.name}.{self.key}"

    def __repr__(self) -> str:  # never a key in a log or a traceback
        return f"DeskKey(name={self.name!r}, key='...')"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def _same(typed: str, expected: str) -> bool:
    """Constant-time equality of two texts (any characters)."""
    return hmac.compare_digest(typed.encode("utf-8"), expected.encode("utf-8"))


def check_class_code(code: Any) -> None:
    """`code` is this class's code (`settings().class_code`), compared in constant time.

    Raises:
        CnnvizError: the server is not in classroom mode, or the code is empty or wrong
            (the message never repeats a code).
    """
    expected = settings().class_code
    if expected is None:
        raise CnnvizError(
            "this server has no class code, so there is no class to join; open the app "
            "without one, or ask your teacher to start it with CNNVIZ_CLASS_CODE"
        )
    typed = code.strip() if isinstance(code, str) else ""
    if not typed:
        raise CnnvizError('type the class code your teacher shows. Received: class_code=""')
    if not _same(typed, expected):
        raise CnnvizError(
            "that is not this class's code; check it with your teacher. "
            f"Received: class_code=({len(typed)} characters, not shown)"
        )


def _desks_dir(runs_dir: str | os.PathLike | None) -> Path:
    return runs_root(runs_dir) / DESKS_DIR


def claim_desk(name: Any, *, runs_dir: str | os.PathLike | None = None) -> DeskKey:
    """Give the desk `name` (slugged: "Alice Smith" -> "alice-smith") to this laptop: a
    new random key, whose hash is written where every replica on the runs folder sees it.

    Raises:
        CnnvizError: a name that cannot be a desk's, a name already claimed ("this desk
            belongs to another laptop: ask your teacher"), or a runs folder that cannot
            be written.
    """
    name = desk_name(name)
    folder = checked_root(runs_dir, create=True) / DESKS_DIR
    key = secrets.token_urlsafe(KEY_BYTES)
    claim = {"v": 1, "name": name, "key_sha256": _digest(key), "claimed": now_iso()}
    path = folder / f"{name}.json"
    try:
        folder.mkdir(exist_ok=True)
        created = create_new(path, (json.dumps(claim, indent=2) + "\n").encode("utf-8"))
    except OSError as err:
        raise CnnvizError(cannot_write(err, path)) from None
    if not created:
        raise CnnvizError(f"{TAKEN}, or choose another name. {received('desk', name)}")
    return DeskKey(name, key)


def join(code: Any, name: Any, *, runs_dir: str | os.PathLike | None = None) -> DeskKey:
    """A newcomer's **Join**: the class code checked, then the desk claimed.

    Raises:
        CnnvizError: see `check_class_code` and `claim_desk`.
    """
    check_class_code(code)
    return claim_desk(name, runs_dir=runs_dir)


def _claim(name: str, runs_dir: str | os.PathLike | None) -> dict[str, Any] | None:
    """The claim file of a canonical desk name, or None (none, unreadable, damaged)."""
    try:
        with open(_desks_dir(runs_dir) / f"{name}.json", "rb") as f:
            raw = f.read(MAX_CLAIM_BYTES + 1)
        data = json.loads(raw) if len(raw) <= MAX_CLAIM_BYTES else None
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("key_sha256"), str):
        return None
    return data


def desk_of(cookie: Any, *, runs_dir: str | os.PathLike | None = None) -> str | None:
    """The desk whose key `cookie` holds (a `DeskKey.cookie` value), verified against
    the hash on disk; None for anything else: no cookie, garbage, a forged or stale key,
    another runs folder's, a reset desk's. Never raises."""
    if not isinstance(cookie, str) or len(cookie) > MAX_COOKIE:
        return None
    name, dot, key = cookie.partition(".")
    if not (dot and DESK_NAME.fullmatch(name) and _KEY.fullmatch(key)):
        return None
    claim = _claim(name, runs_dir)
    if claim is None or not _same(_digest(key), claim["key_sha256"]):
        return None
    return name


def reset_desk(name: Any, *, runs_dir: str | os.PathLike | None = None) -> bool:
    """Free the desk `name` for a new laptop (the teacher's **Reset desk**): its key
    stops working at once on every replica; its runs and uploads stay. True when a
    claim was removed, False when the name was not claimed.

    Raises:
        CnnvizError: not a desk name, or the runs folder cannot be written.
    """
    name = desk_name(name)
    path = _desks_dir(runs_dir) / f"{name}.json"
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as err:
        raise CnnvizError(cannot_write(err, path)) from None
    forget_desk(name, runs_dir=runs_dir)
    return True


def claimed_desks(*, runs_dir: str | os.PathLike | None = None) -> dict[str, str]:
    """Every claimed desk, by name, with when it was claimed (ISO time; "" when its
    file is unreadable), names in order."""
    folder = _desks_dir(runs_dir)
    names = sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []
    desks = {}
    for name in filter(DESK_NAME.fullmatch, names):
        claim = _claim(name, runs_dir) or {}
        desks[name] = str(claim.get("claimed", ""))
    return desks
