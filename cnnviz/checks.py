"""Every value checker of the engine, with one message form.

A checker takes a value and its name, returns the value normalised (an int, a float, a
tuple) or raises `ParamError` with a message that names the setting, says what fits
and ends ``Received: name=value``, as Keras's own errors do::

    >>> whole(0, "epochs", low=1, what="passes over the training images, e.g. 10")
    ParamError: epochs must be a whole number of at least 1 (passes over the training
    images, e.g. 10). Received: epochs=0

A document a user supplies (a model spec, a link, a lesson) is read by
`cnnviz.json_input`. Only the standard library and numpy are imported here.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from cnnviz.errors import CnnvizError, ParamError, did_you_mean

__all__ = [
    "between",
    "boolean",
    "desk_name",
    "devices",
    "fail",
    "image_size",
    "input_shape",
    "is_whole",
    "number",
    "number_range",
    "one_of",
    "optional_pair",
    "padding_amount",
    "pair",
    "received",
    "whole",
]

IMAGE_SIDE_RANGE = (8, 512)  # pixels a side when a dataset is resized
MAX_DEVICES = 64  # devices one job may split its batches over


def received(name: str, value: Any) -> str:
    """``Received: name=value``, the value as JSON when it is JSON (as the user wrote it),
    else its repr; long values are cut."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"Received: {name}={text}"


def fail(name: str, what: str, value: Any, error: type[CnnvizError] = ParamError) -> CnnvizError:
    """The error for a value that does not fit: "NAME must be WHAT. Received: NAME=VALUE"."""
    return error(f"{name} must be {what}. {received(name, value)}")


def _hint(what: str) -> str:
    return f" ({what})" if what else ""


def is_whole(value: Any) -> bool:
    """An int (numpy's too), not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def whole(
    value: Any, name: str, *, low: int | None = None, high: int | None = None, what: str = ""
) -> int:
    """A whole number (not a bool) in [low, high]."""
    ok = is_whole(value) and (low is None or value >= low) and (high is None or value <= high)
    if not ok:
        if low is not None and high is not None:
            span = f"a whole number from {low} to {high}"
        elif low == 1:
            span = "a positive whole number"
        elif low is not None:
            span = f"a whole number of at least {low}"
        else:
            span = "a whole number"
        raise fail(name, span + _hint(what), value)
    return int(value)


def number(value: Any, name: str, *, what: str = "") -> float:
    """A finite int or float (not a bool), as float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise fail(name, f"a number{_hint(what)}, not {type(value).__name__}", value)
    if not math.isfinite(value):
        raise fail(name, f"a number (a finite one{'; ' + what if what else ''})", value)
    return float(value)


def between(
    value: Any,
    name: str,
    low: float,
    high: float,
    *,
    low_open: bool = False,
    high_open: bool = False,
    what: str = "",
) -> float:
    """A number in the interval from low to high (either end open or closed)."""
    x = number(value, name, what=what)
    if (x < low or (low_open and x == low)) or (x > high or (high_open and x == high)):
        if not (low_open or high_open):
            span = f"between {low:g} and {high:g}"
        elif low_open and high_open and not math.isinf(high):
            span = f"between {low:g} and {high:g}, neither of them included"
        else:
            left = "above" if low_open else "at least"
            right = "below" if high_open else "at most"
            span = f"{left} {low:g}" + ("" if math.isinf(high) else f" and {right} {high:g}")
        raise fail(name, span + _hint(what), x)
    return x


def boolean(value: Any, name: str) -> bool:
    """true or false (a bool; 1 and "yes" are refused)."""
    if not isinstance(value, (bool, np.bool_)):
        raise fail(name, "true or false", value)
    return bool(value)


def one_of(value: Any, name: str, options: Sequence[Any]) -> Any:
    """One of `options`; a near miss gets a "did you mean" hint."""
    if isinstance(value, str) and value in options:
        return value
    if not isinstance(value, str) and any(value is o or value == o for o in options):
        return value
    hint = did_you_mean(value, options, form=" (did you mean {}?)")
    raise fail(name, f"one of {', '.join(map(str, options))}{hint}", value)


def known_keys(
    data: dict, allowed: Sequence[str], *, key: str = "key", where: str = "", error=CnnvizError
) -> None:
    """Every key of `data` is one of `allowed`, or `error`: "unknown key 'titel'; did you
    mean 'title'? known keys: ..."; `key` names them ("setting"), `where` comes first."""
    for name in (name for name in data if name not in allowed):
        hint = did_you_mean(name, allowed, form="did you mean {}? ")
        raise error(
            f"{where}unknown {key} {str(name)[:80]!r}; {hint}known {key}s: " + ", ".join(allowed)
        )


def number_range(value: Any, name: str, *, what: str = "") -> tuple[float, float]:
    """A range [low, high] of two numbers with low <= high, or one number meaning [x, x]."""
    pair_of = f"a range [low, high] of two numbers{_hint(what)}"
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise fail(name, f"{pair_of}, not {len(value)} values", value)
        low, high = (number(v, name, what=what) for v in value)
        if low > high:
            raise fail(name, "[low, high] with low <= high; swap the two numbers", value)
        return low, high
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        x = number(value, name, what=what)
        return x, x
    raise fail(name, f"{pair_of}, not {type(value).__name__}", value)


def image_size(value: Any, name: str = "image_size") -> tuple[int, int]:
    """(height, width) in pixels, each within IMAGE_SIDE_RANGE."""
    low, high = IMAGE_SIDE_RANGE
    try:
        height, width = value
        ok = all(is_whole(v) and low <= v <= high for v in (height, width))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise fail(
            name,
            f"(height, width) in pixels, each from {low} to {high}, e.g. (64, 64)",
            value,
            CnnvizError,
        )
    return int(height), int(width)


def pair(value: Any, name: str) -> tuple[int, int]:
    """An int or two ints, as Keras takes `kernel_size=3` or `kernel_size=(3, 5)`."""
    if is_whole(value) and value > 0:
        return (int(value), int(value))
    if (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(is_whole(v) and v > 0 for v in value)
    ):
        return (int(value[0]), int(value[1]))
    raise fail(name, "a positive whole number or a pair of them like [3, 3]", value)


def optional_pair(value: Any, name: str) -> tuple[int, int] | None:
    return None if value is None else pair(value, name)


def padding_amount(value: Any, name: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """ZeroPadding2D's `padding`: 1, [1, 2] or [[top, bottom], [left, right]]."""
    natural = is_whole
    if natural(value) and value >= 0:
        return ((value, value), (value, value))
    if isinstance(value, (list, tuple)) and len(value) == 2:
        if all(natural(v) and v >= 0 for v in value):
            return ((value[0], value[0]), (value[1], value[1]))
        if all(
            isinstance(v, (list, tuple)) and len(v) == 2 and all(natural(x) and x >= 0 for x in v)
            for v in value
        ):
            return ((value[0][0], value[0][1]), (value[1][0], value[1][1]))
    raise fail(
        name,
        "a whole number, [rows, cols] or [[top, bottom], [left, right]] (none negative)",
        value,
    )


def input_shape(
    value: Any, name: str = "input_shape", *, max_side: int = 4096
) -> tuple[int, int, int]:
    """[height, width, channels]: positive sides up to `max_side`, 1 to 4 channels."""
    ok = isinstance(value, (list, tuple)) and all(is_whole(v) for v in value)
    if not ok or len(value) != 3:
        hint = ""
        if ok and len(value) == 2:
            hint = f"; for grayscale images write [{value[0]}, {value[1]}, 1]"
        raise fail(name, f"[height, width, channels]{hint}", value)
    if any(v <= 0 for v in value) or max(value[:2]) > max_side or value[2] > 4:
        raise fail(name, f"positive sizes up to {max_side} pixels and 1 to 4 channels", list(value))
    return (int(value[0]), int(value[1]), int(value[2]))


# never 16 hex digits and "-": that is an upload's stored name (`cnnviz.data.uploaded`),
# so a folder of `_uploads/` named like an upload is never a desk's
DESK_NAME = re.compile(r"(?![0-9a-f]{16}-)[a-z0-9][a-z0-9_-]{0,31}")


def desk_name(value: Any, name: str = "desk") -> str:
    """A desk's short name, as the URL keeps it: "Alice Smith" -> "alice-smith".

    Lower case letters, digits, "-" and "_", 1 to 32 of them, starting with a letter
    or digit, and not 16 hex digits then "-" (the form of an upload's stored name).
    """
    text = re.sub(r"[\s.]+", "-", value.strip().lower()) if isinstance(value, str) else None
    if text is None or not DESK_NAME.fullmatch(text):
        raise fail(name, "a short name of letters, digits, - and _ (at most 32), e.g. alice", value)
    return text


def devices(value: Any, name: str = "devices") -> int:
    """How many devices one job trains on: 1, or N > 1 to split every batch over N
    devices with `tf.distribute.MirroredStrategy` (GPUs, else logical CPUs)."""
    return whole(
        value,
        name,
        low=1,
        high=MAX_DEVICES,
        what="1 trains on one device; N splits every batch over N GPUs (or CPUs), e.g. 2",
    )
