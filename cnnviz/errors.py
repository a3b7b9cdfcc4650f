"""The one error type a learner's mistake raises.

Every module of the engine raises `CnnvizError` (a `ValueError`) with a message the
learner can act on: what is wrong, what was received, and how to fix it. The UI shows
the message with `st.error`; the command line prints `error: <message>` and exits 2.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["CnnvizError", "SpecError", "parse_json"]


class CnnvizError(ValueError):
    """A user's mistake: bad spec, bad data, bad image, impossible setting."""


class SpecError(CnnvizError):
    """A model spec that cannot be built.

    Attributes:
        layer_number: 1-based position of the offending layer in the stack, or None
            when the problem is not tied to one layer (input shape, empty stack).
    """

    def __init__(self, message: str, layer_number: int | None = None):
        super().__init__(message)
        self.layer_number = layer_number


def parse_json(text: str, what: str, error: type[CnnvizError] = CnnvizError) -> Any:
    """`json.loads`, with a syntax error told as `error`, naming its line and column.

    Args:
        text: the JSON document.
        what: what the document is, e.g. "the model spec".
        error: the CnnvizError subclass to raise.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise error(
            f"{what} is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}"
        ) from None
