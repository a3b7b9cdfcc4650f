"""Grids of numbers drawn as SVG, side by side: the Concepts page's diagrams.

A plotly chart costs a cold browser about 2 s the first time one is shown (it parses the
4.7 MB plotly.js bundle), which alone would put the first page over its 3 s goal. These
diagrams need no zoom or hover, so they are plain SVG markup: it draws at once, stays
sharp on a projector, and `st.image` shows it.

Every panel is a ``<g data-name=...>`` holding one ``<rect>`` and one ``<text>`` per cell
(``data-row``, ``data-col``), its title, and an optional ``rect.highlight`` whose
``data-rows``/``data-cols`` give the outlined half-open ranges. The document is an image
(``role="img"``) named by its text alternative: ``aria-label`` and ``<title>`` hold the
summary, ``<metadata data-name="table">`` the numbers (`alt.text_of` reads them back).
Numbers in cells are written in the colour that reads best on the cell (`contrast.ink_on`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np

from cnnviz.concepts import format_number
from cnnviz.figures.alt import svg_parts
from cnnviz.figures.colors import FONT_FAMILY, HIGHLIGHT_COLOR, TEXT_COLOR
from cnnviz.figures.contrast import ink_on

GAP_CELLS = 1.6  # space between panels, in cells
TITLE_PX = 44  # room above the panels for their titles
MARGIN_PX = 8


@dataclass(frozen=True)
class GridPanel:
    """One grid of the diagram.

    Attributes:
        name: what the panel is (``input``, ``kernel``...), its ``data-name``.
        title: written above the grid.
        texts: str array of shape (rows, cols), written in the cells.
        fills: str array of shape (rows, cols), each cell's colour.
        highlight: ((row_start, row_stop), (col_start, col_stop)) to outline, or None.
    """

    name: str
    title: str
    texts: np.ndarray
    fills: np.ndarray
    highlight: tuple[tuple[int, int], tuple[int, int]] | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.texts.shape


def scale_colors(
    values: Any, stops: Sequence[Sequence[Any]], zmin: float, zmax: float
) -> np.ndarray:
    """Each value's colour on a scale of (position, "#rrggbb") stops, like plotly's.

    Args:
        values: float array of any shape; values outside [zmin, zmax] are clipped.
        stops: ascending positions from 0 to 1 with their colours.
        zmin, zmax: the values drawn at positions 0 and 1.

    Returns:
        str array of the same shape, ``"#rrggbb"``.
    """
    array = np.asarray(values, dtype=float)
    position = np.clip((array - zmin) / max(zmax - zmin, 1e-12), 0.0, 1.0)
    where = [float(p) for p, _ in stops]
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for _, c in stops], dtype=float)
    channels = [np.interp(position, where, rgb[:, i]).round().astype(int) for i in range(3)]
    flat = [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in zip(*(c.ravel() for c in channels))]
    return np.array(flat, dtype=object).reshape(array.shape)


def cell_text(values: Any, *, decimals: int = 2, fractions: bool = False) -> np.ndarray:
    """Each value as short text (``3``, ``-1.5``, ``1/9``); same shape; NaN gives ``""``."""
    array = np.asarray(values, dtype=float)
    text = [
        "" if np.isnan(v) else format_number(v, decimals=decimals, fractions=fractions)
        for v in array.ravel()
    ]
    return np.array(text, dtype=object).reshape(array.shape)


def cell_size(shapes: Sequence[tuple[int, int]], *, width_px: int = 1150) -> int:
    """Pixels per cell so panels of these (rows, cols) shapes fill about `width_px`."""
    total = sum(c for _, c in shapes) + GAP_CELLS * (len(shapes) - 1)
    return int(max(26, min(64, width_px / total)))


def cell_font_size(cell_px: int) -> int:
    """A legible size for numbers in cells of `cell_px` pixels."""
    return int(max(11, min(20, cell_px * 0.36)))


def panels_svg(
    panels: Sequence[GridPanel],
    *,
    operators: Sequence[str] = (),
    cell_px: int | None = None,
    label: str = "",
    table: Sequence[dict[str, Any]] = (),
) -> str:
    """The panels left to right with square cells of one size, as one SVG document.

    Args:
        panels: the grids, left to right, top-aligned.
        operators: symbols written between panels (``"×"``, ``"="``, ``"→"``), at most
            one fewer than panels.
        cell_px: pixels per cell; default `cell_size` of the panels' shapes.
        label: what the picture shows in one sentence, for screen readers (its
            ``aria-label`` and ``<title>``).
        table: the picture's numbers, one dict per row (its ``<metadata>``).

    Returns:
        SVG markup with its natural size in pixels (``width``, ``height``).
    """
    shapes = [p.shape for p in panels]
    cell = cell_px or cell_size(shapes)
    font = cell_font_size(cell)
    gap = GAP_CELLS * cell
    width = sum(c for _, c in shapes) * cell + gap * (len(panels) - 1) + 2 * MARGIN_PX
    rows_px = max(r for r, _ in shapes) * cell
    height = TITLE_PX + rows_px + 2 * MARGIN_PX
    parts, left = [], MARGIN_PX
    for index, panel in enumerate(panels):
        parts.append(_panel(panel, left, TITLE_PX + MARGIN_PX, cell, font))
        left += panel.shape[1] * cell
        if index < len(operators) and operators[index]:
            middle = TITLE_PX + MARGIN_PX + rows_px / 2
            parts.append(
                f'<text class="operator" x="{left + gap / 2:.1f}" y="{middle:.1f}" '
                f'font-size="32" text-anchor="middle" dominant-baseline="central">'
                f"{escape(operators[index])}</text>"
            )
        left += gap
    name, title, metadata = svg_parts(label, table)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{name}" '
        f'font-family="{FONT_FAMILY}" fill="{TEXT_COLOR}">{title}{metadata}'
        f'<rect width="100%" height="100%" fill="white"/>{"".join(parts)}</svg>'
    )


def _panel(panel: GridPanel, left: float, top: float, cell: int, font: int) -> str:
    """One panel's ``<g>``: title, cells with their numbers, highlight on top."""
    rows, cols = panel.shape
    out = [
        f'<g data-name="{escape(panel.name)}" data-rows="{rows}" data-cols="{cols}">',
        f'<text class="title" x="{left + cols * cell / 2:.1f}" y="{top - 14:.1f}" '
        f'font-size="20" text-anchor="middle">{escape(panel.title)}</text>',
    ]
    for (row, col), text in np.ndenumerate(panel.texts):
        x, y = left + col * cell, top + row * cell
        out.append(
            f'<rect data-row="{row}" data-col="{col}" x="{x + 1:.1f}" y="{y + 1:.1f}" '
            f'width="{cell - 2}" height="{cell - 2}" fill="{panel.fills[row, col]}"/>'
            f'<text data-row="{row}" data-col="{col}" x="{x + cell / 2:.1f}" '
            f'y="{y + cell / 2:.1f}" font-size="{font}" text-anchor="middle" '
            f'fill="{ink_on(panel.fills[row, col])}" '
            f'dominant-baseline="central">{escape(str(text))}</text>'
        )
    if panel.highlight is not None:
        (r0, r1), (c0, c1) = panel.highlight
        out.append(
            f'<rect class="highlight" data-rows="{r0} {r1}" data-cols="{c0} {c1}" '
            f'x="{left + c0 * cell:.1f}" y="{top + r0 * cell:.1f}" width="{(c1 - c0) * cell}" '
            f'height="{(r1 - r0) * cell}" fill="none" stroke="{HIGHLIGHT_COLOR}" '
            f'stroke-width="5"/>'
        )
    out.append("</g>")
    return "".join(out)
