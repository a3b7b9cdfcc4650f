"""The error types a user's mistake raises.

Every module of the engine raises `CnnvizError` (a `ValueError`) with a message the
learner can act on: what is wrong, what was received, and how to fix it. The UI shows
the message with `st.error`; the command line prints `error: <message>` and exits 2.
"""

from __future__ import annotations

__all__ = ["CnnvizError", "ParamError", "SpecError"]


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
