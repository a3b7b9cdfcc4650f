"""Zip archives a user gives, read safely: never extracted, every member bounded.

A .zip from a user (a dataset of class folders, a run bundle) is untrusted. It is opened
only after its end record says how many members it has; a member's path is used only
when it stays inside the archive; a member is read in chunks with a running size cap
(and its declared size, and its compression ratio, checked first), so a member that
lies about its size, or a zip bomb, is refused before it fills the memory.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from cnnviz.errors import CnnvizError

__all__ = [
    "MAX_RATIO",
    "member_count",
    "mib",
    "open_zip",
    "ratio_refusal",
    "read_member",
    "too_many",
    "safe_member_path",
]

MAX_RATIO = 200  # uncompressed / compressed size of a zip member above 1 MiB
RATIO_FLOOR = 2**20  # small members may compress well (a flat BMP icon)
CHUNK = 2**20  # bytes read at a time


def open_zip(
    source: Path | bytes,
    max_members: int,
    *,
    name: str | None = None,
    what: str = "a .zip archive",
    hint: str = "",
) -> zipfile.ZipFile:
    """A zip archive opened after its end record allowed at most `max_members` members.

    Args:
        source: the archive's path, or its bytes.
        max_members: more members than this are refused before the list is read.
        name: how to call it in messages (default: its path).
        what: what it should be, in messages ("a .zip archive").
        hint: appended to "not a .zip" messages, e.g. what layout is expected.

    Raises:
        CnnvizError: missing, empty, not a zip, damaged, or too many members.
    """
    label = name or str(source if not isinstance(source, (bytes, bytearray)) else "the file")
    if isinstance(source, (bytes, bytearray)):
        if not source:
            raise CnnvizError(f"{label} is empty, not a .zip archive{hint}")
        handle: BinaryIO = io.BytesIO(source)
    else:
        path = Path(source)
        if not path.exists():
            raise CnnvizError(f"no such folder or .zip: {str(path)!r}{hint}")
        if path.stat().st_size == 0:
            raise CnnvizError(f"{label} is an empty file, not a .zip archive{hint}")
        try:
            handle = open(path, "rb")  # noqa: SIM115 (ZipFile keeps it open, closes it)
        except OSError as err:
            raise CnnvizError(f"cannot read {label}: {err.strerror}") from None
    try:
        count = member_count(handle)
    except OSError as err:
        handle.close()
        raise CnnvizError(f"cannot read {label}: {err}") from None
    if count is None:
        handle.close()
        raise CnnvizError(f"{label} is not {what}{hint}")
    if count > max_members:
        handle.close()
        raise too_many(label, count, max_members)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        handle.close()
        raise CnnvizError(f"{label} is a damaged .zip archive ({err})") from None
    if len(archive.infolist()) > max_members:
        archive.close()
        raise too_many(label, len(archive.infolist()), max_members)
    return archive


def member_count(source: BinaryIO | bytes) -> int | None:
    """The member count a zip's end record declares (no member list is read), or None
    when it is not a zip."""
    handle = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
    end = zipfile._EndRecData(handle)
    return None if not end else end[zipfile._ECD_ENTRIES_TOTAL]


def too_many(label: str, found: int | str, max_members: int) -> CnnvizError:
    found = f"{found:,}" if isinstance(found, int) else found
    return CnnvizError(
        f"{label} holds {found} files, more than the {max_members:,} allowed; "
        "use a smaller set of files"
    )


def ratio_refusal(size: int, compressed: int | None, max_bytes: int) -> str | None:
    """Why a file of `size` bytes (`compressed` in a zip, None outside one) may not be
    read: declared too large, or a zip bomb; None when it may."""
    if size > max_bytes:
        return f"{mib(size)} uncompressed, more than {mib(max_bytes)}"
    if compressed is not None and size > RATIO_FLOOR and size > MAX_RATIO * max(compressed, 1):
        return (
            f"compressed {size // max(compressed, 1):,} to 1, more than "
            f"{MAX_RATIO} to 1 (a zip bomb?)"
        )
    return None


def read_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    *,
    max_bytes: int,
    name: str,
    into: BinaryIO | None = None,
) -> bytes | None:
    """A member's content, read in chunks, never more than `max_bytes` nor its declared size.

    Args:
        archive: the open archive.
        info: the member.
        max_bytes: the largest content accepted.
        name: how to call the member in messages.
        into: a binary file to stream the content to (then None is returned), for
            members too large to hold in memory.

    Raises:
        CnnvizError: declared too large, a zip bomb, larger than declared, or corrupt.
    """
    refusal = ratio_refusal(info.file_size, info.compress_size, max_bytes)
    if refusal:
        raise CnnvizError(f"{name} is refused: {refusal}")
    limit = min(max_bytes, info.file_size)
    parts, total = [], 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(min(CHUNK, limit + 1 - total)):
                total += len(chunk)
                if total > limit:
                    raise CnnvizError(
                        f"{name} holds more than the {mib(limit)} it declares or is allowed"
                    )
                if into is None:
                    parts.append(chunk)
                else:
                    into.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as err:
        raise CnnvizError(f"{name} is a corrupt zip member ({err})") from None
    return b"".join(parts) if into is None else None


def safe_member_path(name: str) -> PurePosixPath | None:
    """The member's path if it stays inside the archive, else None."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return PurePosixPath(*parts)


def mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"
