"""The error types a user's mistake raises.

Every module of the engine raises `CnnvizError` (a `ValueError`) with a message the
learner can act on: what is wrong, what was received, and how to fix it. The UI shows
the message with `st.error`; the command line prints `error: <message>` and exits 2.
A near miss (a misspelt name) gets `did_you_mean`'s hint.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

__all__ = ["CnnvizError", "ParamError", "SpecError", "did_you_mean"]


class CnnvizError(ValueError):
    """A user's mistake: bad spec, bad data, bad image, impossible setting."""


class ParamError(CnnvizError):
    """One value that does not fit; the message names it, says what fits and ends
    `Received: name=value` (see `cnnviz.checks`)."""


class SpecError(CnnvizError):
    """A model spec that cannot be built.

    Attributes:
        layer_number: 1-based position of the offending layer in the stack, or None
            when the problem is not tied to one layer (input shape, empty stack).
    """

    def __init__(self, message: str, layer_number: int | None = None):
        super().__init__(message)
        self.layer_number = layer_number


def did_you_mean(
    value: Any,
    known: Iterable[Any],
    *,
    form: str = " Did you mean {}?",
    n: int = 1,
    cutoff: float = 0.6,
    show=repr,
) -> str:
    """The hint for a near miss: `form` with the closest of `known` to `value` (up to
    `n` of them, each as `show` gives it, joined by commas); "" when none is close.

    >>> did_you_mean("Conv2d", ["Conv2D", "Dense"])
    " Did you mean 'Conv2D'?"
    """
    close = difflib.get_close_matches(str(value)[:80], [str(k) for k in known], n, cutoff)
    return form.format(", ".join(show(c) for c in dict.fromkeys(close))) if close else ""
