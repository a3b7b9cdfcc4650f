"""Shared helpers of the plotly figures: the palette and a fast figure constructor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go


def make_figure(traces: Sequence[dict], layout: dict) -> go.Figure:
    """A figure from plain trace and layout dicts, without per-property validation.

    The layout gets the empty template "none" unless it names one: copying plotly's
    default template costs more than drawing the figure (Streamlit applies its own theme).
    """
    layout = {"template": "none", **layout}
    return go.Figure(data=list(traces), layout=layout, _validate=False)


def _suffix(panel: int) -> str:
    return "" if panel == 1 else str(panel)


def paper_text(text: str, x: float, y: float, *, size: int, **extra: Any) -> dict:
    """A text annotation placed in figure (paper) coordinates, e.g. a panel's title."""
    return {"text": text, "x": x, "y": y, "xref": "paper", "yref": "paper",
            "showarrow": False, "font": {"size": size}, **extra}
