"""Text alternatives of the figures: one sentence naming the key numbers, and the numbers
as a table (the accepted pattern for charts under WCAG 2.1's 1.1.1 "Non-text content").

Every builder of `cnnviz.figures` gives one:

- a plotly figure carries it in ``layout.meta = {"summary": str, "table": [row dicts]}``
  (`with_text`);
- an SVG diagram carries it as its ``<title>``, its ``aria-label`` and a ``<metadata>``
  element holding the table (`svg.panels_svg`, markup from `svg_parts`);
- a picture made of pixels (`concepts.transformer_images`, `pixels.layer_grid`) has a
  companion ``*_text`` function returning a `FigureText`.

`text_of(figure)` reads any of them back as a `FigureText` (summary, table) in plain text:
the page shows the summary as the chart's accessible name and the table one click away.

Inside a figure the texts are stored as plotly writes text (`base.as_text`: ``<`` as
``&lt;``), so no chart could ever read a tag in a name a user typed; `text_of` returns them
as typed, and the page shows them as text. This module imports neither plotly nor `base`:
the Concepts page's SVG diagrams use it, and that page never loads plotly.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = [
    "FigureText",
    "count",
    "extremes",
    "layer_text",
    "number",
    "percent",
    "plain",
    "svg_parts",
    "text_of",
    "with_text",
]

Row = dict[str, Any]


class FigureText(NamedTuple):
    """A figure's text alternative.

    Attributes:
        summary: one sentence naming the figure's key numbers, its accessible name.
        table: the figure's numbers, one dict per row (same keys in every row), in plain
            Python values (str, int, float or None).
    """

    summary: str
    table: list[Row]


# --- numbers as text -----------------------------------------------------------------------


def number(value: Any) -> str:
    """A measured value as a sentence writes it: 2.30, 0.08, 1,234, 0.0012, -3.10."""
    value = float(value)
    if math.isnan(value):
        return "not a number"
    if math.isinf(value):
        return "infinity" if value > 0 else "minus infinity"
    size = abs(value)
    if size == 0:
        return "0"
    if size >= 1000:
        return f"{value:,.0f}"
    if size >= 0.01:
        return f"{value:.2f}"
    return f"{value:.2g}"


def percent(share: Any) -> str:
    """A share in [0, 1] as a percentage with one decimal: 0.875 -> 87.5%."""
    share = float(share)
    return number(share) if not math.isfinite(share) else f"{share:.1%}"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`n` things in words: 1 epoch, 3 epochs, 1,200 images."""
    n = int(n)
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def plain(text: str) -> str:
    """Text written for plotly (tags such as <b> and <br>, entities such as &lt;) as plain
    text: a title a page passed through `base.as_text`, as the user typed it."""
    text = re.sub(r"<br\s*/?>", " ", str(text), flags=re.IGNORECASE)
    return html.unescape(re.sub(r"</?[a-zA-Z][^<>]*>", "", text))


SIGNIFICANT = 6  # digits a table keeps of a float: plenty to read, half the bytes of 17


def _cell(value: Any) -> Any:
    """A table value as plain JSON: numpy numbers as Python ones, floats to SIGNIFICANT
    digits, NaN and infinity as None."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(f"{value:.{SIGNIFICANT}g}") if math.isfinite(value) else None
    return None if value is None else str(value)


def _rows(table: Iterable[Mapping[str, Any]]) -> list[Row]:
    return [{str(key): _cell(value) for key, value in row.items()} for row in table]


# --- storing and reading -------------------------------------------------------------------


def _shown(value: Any) -> Any:
    """A text as stored inside a figure: as `base.as_text` writes it (no tag can be read)."""
    return html.escape(value, quote=False) if isinstance(value, str) else value


def _stored(text: FigureText) -> dict[str, Any]:
    return {
        "summary": _shown(text.summary),
        "table": [{_shown(k): _shown(v) for k, v in row.items()} for row in text.table],
    }


def _read(stored: Mapping[str, Any]) -> FigureText:
    def typed(value: Any) -> Any:
        return html.unescape(value) if isinstance(value, str) else value

    table = [{typed(k): typed(v) for k, v in row.items()} for row in stored.get("table", [])]
    return FigureText(typed(stored["summary"]), table)


def with_text(
    figure: go.Figure, summary: str, table: Iterable[Mapping[str, Any]] = ()
) -> go.Figure:
    """`figure`, carrying its text alternative in ``layout.meta``.

    Args:
        figure: a plotly figure a builder made.
        summary: one sentence naming the figure's key numbers, in plain text (names as
            the user typed them).
        table: the figure's numbers, one mapping per row; numpy values become Python
            ones, NaN becomes None.

    Returns:
        The same figure (changed in place).
    """
    figure.layout.meta = _stored(FigureText(str(summary), _rows(table)))
    return figure


_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
_TABLE = re.compile(r'<metadata data-name="table">(.*?)</metadata>', re.DOTALL)


def svg_parts(summary: str, table: Iterable[Mapping[str, Any]] = ()) -> tuple[str, str, str]:
    """The markup that carries a text alternative inside an SVG document.

    Returns:
        (the ``aria-label`` attribute's value, the ``<title>`` element, the ``<metadata>``
        element holding the table as JSON), each escaped for XML.
    """
    rows = json.dumps(_rows(table), ensure_ascii=False)
    label = html.escape(summary)
    return (
        label,
        f"<title>{html.escape(summary, quote=False)}</title>",
        f'<metadata data-name="table">{html.escape(rows, quote=False)}</metadata>',
    )


def text_of(figure: go.Figure | str | FigureText) -> FigureText:
    """The text alternative of any figure cnnviz draws, in plain text.

    Args:
        figure: a plotly figure from a builder of `cnnviz.figures` (restyled for a
            projector or not), SVG markup from `figures.concepts`, or a `FigureText`
            (a picture's, from its ``*_text`` function; returned as it is).

    Returns:
        FigureText(summary, table): the page's accessible name for the figure and its
        numbers as rows.

    Raises:
        ValueError: the figure carries no text alternative.
    """
    if isinstance(figure, FigureText):
        return figure
    if isinstance(figure, str):
        title, rows = _TITLE.search(figure), _TABLE.search(figure)
        if title is None:
            raise ValueError(f"this SVG has no <title>. Received: svg={figure[:80]!r}")
        table = json.loads(html.unescape(rows.group(1))) if rows else []
        return FigureText(html.unescape(title.group(1)), table)
    meta = figure.layout.meta
    if not isinstance(meta, Mapping) or "summary" not in meta:
        raise ValueError(f"this figure carries no text alternative. Received: meta={meta!r}")
    return _read(meta)


# --- one layer's output, as text (feature maps, the overview, PNG grids) -------------------


def layer_text(activation: Any, *, shown: int | None = None) -> FigureText:
    """The text of one layer's output: its name, shape, and each channel's value range.

    Args:
        activation: a LayerActivation (name, type, output of shape (h, w, c) or (units,)).
        shown: how many channels a figure draws, when fewer than all.

    Returns:
        Feature maps: one row per channel {"channel", "lowest", "highest", "mean"}; a flat
        output: one row per unit {"unit", "value"}.
    """
    values = np.asarray(activation.output, dtype=float)
    name = f"{activation.name} ({activation.type})"
    if values.ndim != 3:
        values = values.ravel()
        ends = extremes(values)
        if ends is None:
            return FigureText(f"{name} outputs {count(values.size, 'value')}, none finite", [])
        low, high = ends
        summary = (
            f"{name} outputs {count(values.size, 'value')}, from {number(values[low])} "
            f"(unit {low}) to {number(values[high])} (unit {high})"
        )
        return FigureText(summary, _rows({"unit": i, "value": v} for i, v in enumerate(values)))
    h, w, channels = values.shape
    lows, highs = values.min(axis=(0, 1)), values.max(axis=(0, 1))
    means = values.mean(axis=(0, 1))
    drawn = f" ({shown} drawn)" if shown is not None and shown < channels else ""
    summary = f"{name} outputs {count(channels, 'channel')} of {h}×{w}{drawn}"
    ends = extremes(means)
    if ends is not None:
        busiest = ends[1]
        summary += (
            f", values from {number(np.nanmin(lows))} to {number(np.nanmax(highs))}; channel "
            f"{busiest} has the highest mean ({number(means[busiest])})"
        )
    table = (
        {"channel": k, "lowest": lows[k], "highest": highs[k], "mean": means[k]}
        for k in range(channels)
    )
    return FigureText(summary, _rows(table))


def extremes(values: Sequence[float]) -> tuple[int, int] | None:
    """(index of the smallest, index of the largest) of the finite values; None if none is."""
    array = np.asarray(values, dtype=float)
    if not np.isfinite(array).any():
        return None
    finite = np.where(np.isfinite(array), array, np.nan)
    return int(np.nanargmin(finite)), int(np.nanargmax(finite))
