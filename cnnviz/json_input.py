"""JSON a user supplies, read one way: checked before and while it is parsed.

`parse_json` is how a document from outside (a model spec, an augmentation spec, a
bundle's config, a link, a layer's value) is read: at most `MAX_JSON_BYTES`, nested at
most `MAX_JSON_DEPTH` deep, numbers of sane magnitude, each problem a `CnnvizError` that
names the document. `read_json_file` checks a file's size and kind before reading it.
Only the standard library and numpy are imported here.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from pathlib import Path
from typing import Any

import numpy as np

from cnnviz.errors import CnnvizError, ParamError

__all__ = ["MAX_JSON_BYTES", "MAX_JSON_DEPTH", "parse_json", "read_json_file"]

MAX_JSON_BYTES = 1_000_000  # every JSON document a user supplies: 1 MB
MAX_JSON_DEPTH = 32  # nesting of [ and {: a spec needs 4
MAX_INT_DIGITS = 18  # beyond this an integer is a typo or an attack, never a setting

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


def _depth(text: str) -> int:
    """The deepest nesting of [ and { outside strings (numpy, so 1 MB takes ~10 ms)."""
    bare = _STRING.sub("", text).encode("utf-8", "ignore")
    codes = np.frombuffer(bare, dtype=np.uint8)
    step = np.zeros(256, dtype=np.int64)
    step[[ord("["), ord("{")]] = 1
    step[[ord("]"), ord("}")]] = -1
    levels = np.cumsum(step[codes])
    return int(levels.max(initial=0))


def _int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise ParamError(
            f"a number of {digits:,} digits; settings are far smaller (e.g. 32). "
            f"Received: {text[:20]}..."
        )
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ParamError(f"a number too large to hold. Received: {text[:40]}")
    return value


def _constant(text: str) -> float:
    raise ParamError(f"{text} is not a number JSON allows; write a plain number")


def parse_json(text: str | bytes, what: str, error: type[CnnvizError] = CnnvizError) -> Any:
    """A JSON document a user supplied, checked before it is parsed.

    Args:
        text: the document (bytes are decoded as UTF-8).
        what: what it is, e.g. "the model spec", named in every message.
        error: the CnnvizError subclass to raise.

    Raises:
        error: larger than MAX_JSON_BYTES, nested deeper than MAX_JSON_DEPTH, not JSON
            (line and column named), not UTF-8, or holding a huge or non-finite number.
    """
    size = len(text)
    if size > MAX_JSON_BYTES:
        raise error(
            f"{what} is {size / 1e6:.1f} MB; a JSON document here is at most "
            f"{MAX_JSON_BYTES / 1e6:.0f} MB (a model spec is a few kB)"
        )
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise error(f"{what} is not a text (UTF-8 JSON) file") from None
    depth = _depth(text)
    if depth > MAX_JSON_DEPTH:
        raise error(
            f"{what} nests [ and {{ {depth:,} levels deep; at most {MAX_JSON_DEPTH} are "
            "allowed (a model spec needs 4)"
        )
    try:
        return json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as err:
        raise error(
            f"{what} is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}"
        ) from None
    except ParamError as err:
        raise error(f"{what} holds {err}") from None
    except (ValueError, RecursionError) as err:
        raise error(f"{what} cannot be read: {err}") from None


def read_json_file(
    path: str | os.PathLike, what: str, error: type[CnnvizError] = CnnvizError
) -> Any:
    """`parse_json` of a file, whose size is checked before it is read.

    Args:
        path: the file.
        what: what kind of file it is, without an article: "augmentation spec file".
        error: the CnnvizError subclass to raise.

    Raises:
        error: missing, a folder, too large, or what `parse_json` refuses; the
            message names the file.
    """
    path = Path(path)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(info.st_mode):  # /dev/zero, a pipe: would never end
            raise error(f"{path} is not a regular file, so it cannot be the {what}")
        if info.st_size > MAX_JSON_BYTES:
            raise error(
                f"{path} is {info.st_size / 1e6:.1f} MB; the {what} is at most "
                f"{MAX_JSON_BYTES / 1e6:.0f} MB of JSON"
            )
        with open(path, "rb") as f:
            data = f.read(MAX_JSON_BYTES + 1)  # a file growing meanwhile: still bounded
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except IsADirectoryError:
        raise error(f"{path} is a folder, not a {what}") from None
    except PermissionError:
        raise error(f"{path} cannot be read (permission denied)") from None
    try:
        return parse_json(data, f"the {what}", error)
    except CnnvizError as err:
        raise error(f"{path}: {err}") from None
