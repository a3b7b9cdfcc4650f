"""Figures for a projector: larger type, thicker lines, a colour-blind-safe palette.

The page's CSS does not reach inside a plotly chart, and Streamlit's plotly theme sets the
tick and title fonts itself, so `for_projector` sets every font size explicitly (layout,
title, legend, hover labels, every axis, annotations, colour bars, trace text), thickens
lines, enlarges markers and the figure with them, and swaps the app's colours for their
colour-blind-safe counterparts (`colors.PROJECTOR_COLORS`, after Okabe and Ito). Text on
the figure's background keeps WCAG AA contrast (4.5:1): a colour the palette made too light
for text (Okabe and Ito's vermillion, 3.9:1 on white) is darkened just enough (`readable`).
Colour scales are kept: white-to-blue and ColorBrewer's red-white-blue are colour-blind
safe already, and the numbers written on them were chosen to read on them. The figure's
text alternative (`layout.meta`, `alt.with_text`) is carried over untouched. It only
restyles a figure a builder made: the builders stay as they are.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from cnnviz.figures.colors import OKABE_ITO, PROJECTOR_COLORS
from cnnviz.figures.contrast import WHITE, luminance, readable

__all__ = ["SCALE", "for_projector"]

SCALE = 1.3  # type and figure size on a projector, as the page's own text (130%)
BASE_FONT = 14  # px assumed for a font a figure leaves to plotly or Streamlit
MIN_LINE = 3.0  # px: the thinnest line drawn on a projector
_FONTS = ("font", "tickfont", "textfont", "insidetextfont", "outsidetextfont")
_KEPT = ("source", "meta", "colorscale")  # pictures, the text alternative, colour scales
_AXES_FONTS = ("labelfont", "tickfont", "rangefont")  # parallel coordinates: their axes
_COLOURED_LINES = ("parcoords", "parcats")  # `line` holds their colours, it has no width


def _font(font: Any, scale: float, base: float, background: str | None = None) -> dict:
    """The font `scale` times larger, in black unless it has a colour of its own (Streamlit's
    theme draws ticks and axis titles in grey); on a `background`, a colour of its own is
    darkened to AA contrast if it lacks it."""
    font = dict(font) if isinstance(font, dict) else {}
    font["size"] = round(font.get("size", base) * scale)
    font.setdefault("color", OKABE_ITO["black"])
    if background and _is_hex(font["color"]):
        font["color"] = readable(font["color"], background)
    return font


def _is_hex(color: Any) -> bool:
    return isinstance(color, str) and len(color) == 7 and color.startswith("#")


def _recolor(value: Any) -> Any:
    """Every colour string of the app's palette replaced, in nested dicts and lists."""
    if isinstance(value, str):
        return PROJECTOR_COLORS.get(value.lower(), value)
    if isinstance(value, list):
        return [_recolor(v) for v in value]
    if isinstance(value, dict):
        return {k: v if k in _KEPT else _recolor(v) for k, v in value.items()}
    return value


def _background(layout: dict) -> str:
    """The darker of the figure's paper and plot colours (white unless set): what text
    written on the figure itself sits on."""
    colors = [layout.get(k) for k in ("paper_bgcolor", "plot_bgcolor")]
    return min([c for c in colors if _is_hex(c)] or [WHITE], key=luminance)


def _fonts(
    part: dict, scale: float, base: float, *, always: str = "font", background: str | None = None
) -> None:
    """Scale the fonts of one part (the layout, an axis, a legend, a colour bar) in place;
    its `always` font is set even when the part leaves it out."""
    for key in _FONTS:
        if key in part or key == always:
            part[key] = _font(part.get(key), scale, base, background)
    title = part.get("title")
    if isinstance(title, str):
        title = {"text": title}
    if isinstance(title, dict):
        title["font"] = _font(title.get("font"), scale, base, background)
        part["title"] = title


def _axis(axis: dict, scale: float, base: float, background: str) -> dict:
    axis = dict(axis)
    _fonts(axis, scale, base, always="tickfont", background=background)
    if "gridcolor" in axis or axis.get("showgrid", True):
        axis["gridwidth"] = max(axis.get("gridwidth", 1) * scale, 1.5)
    return axis


def _trace(trace: dict, scale: float, base: float) -> dict:
    trace = dict(trace)
    line = trace.get("line")
    kind = trace.get("type", "scatter")
    if kind not in _COLOURED_LINES and (kind == "scatter" or isinstance(line, dict)):
        line = dict(line) if isinstance(line, dict) else {}
        line["width"] = max(line.get("width", 2) * 1.5, MIN_LINE)
        trace["line"] = line
    marker = trace.get("marker")
    if isinstance(marker, dict) and isinstance(marker.get("size"), (int, float)):
        trace["marker"] = {**marker, "size": marker["size"] * scale}
    for part in ("marker", "line"):  # a colour bar of the markers' or the lines' colours
        if isinstance(trace.get(part), dict) and isinstance(trace[part].get("colorbar"), dict):
            bar = dict(trace[part]["colorbar"])
            _fonts(bar, scale, base, always="tickfont")
            trace[part] = {**trace[part], "colorbar": bar}
    if isinstance(trace.get("colorbar"), dict):
        bar = dict(trace["colorbar"])
        _fonts(bar, scale, base, always="tickfont")
        trace["colorbar"] = bar
    for key in (*_FONTS[2:], *_AXES_FONTS):
        if key in trace or key == "textfont" and "text" in trace:
            trace[key] = _font(trace.get(key), scale, base)
    return trace


def for_projector(figure: go.Figure, *, scale: float = SCALE) -> go.Figure:
    """A copy of `figure` restyled for a projector (the figure itself is not changed).

    Args:
        figure: any plotly figure.
        scale: how much larger type, markers and the figure become (lines: 1.5x, at
            least MIN_LINE px).

    Returns:
        A new figure: same data, explicit font sizes everywhere, thicker lines, the
        colour-blind-safe palette, `height`/`width`/margins scaled.
    """
    spec = _recolor(figure.to_dict())
    layout = spec.get("layout", {})
    base = layout.get("font", {}).get("size", BASE_FONT)
    background = _background(layout)
    _fonts(layout, scale, base, background=background)
    for part in ("legend", "hoverlabel"):
        layout[part] = dict(layout.get(part, {}))
        _fonts(layout[part], scale, base, background=background if part == "legend" else None)
    for key in list(layout):
        if key.startswith(("xaxis", "yaxis")):
            layout[key] = _axis(layout[key], scale, base, background)
    if "xaxis" not in layout:
        layout["xaxis"] = _axis({}, scale, base, background)
    if "yaxis" not in layout:
        layout["yaxis"] = _axis({}, scale, base, background)
    layout["annotations"] = [
        {**note, "font": _font(note.get("font"), scale, base, background)}
        for note in layout.get("annotations", [])
    ]
    for size in ("height", "width"):
        if isinstance(layout.get(size), (int, float)):
            layout[size] = round(layout[size] * scale)
    if isinstance(layout.get("margin"), dict):
        layout["margin"] = {k: v * scale for k, v in layout["margin"].items()}
    spec["data"] = [_trace(trace, scale, base) for trace in spec.get("data", [])]
    return go.Figure(spec, skip_invalid=False, _validate=False)
