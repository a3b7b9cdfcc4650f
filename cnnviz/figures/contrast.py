"""Contrast of text on its background, as WCAG 2.1 measures it (success criterion 1.4.3).

AA asks 4.5:1 for normal text and 3:1 for large text (24 px, or 18.7 px bold). The figures
aim at 4.5:1 everywhere: `ink_on` picks the colour of numbers written in coloured cells,
`readable` darkens a text colour that a projector's palette made too light.
"""

from __future__ import annotations

from cnnviz.figures.colors import TEXT_COLOR

__all__ = ["AA_LARGE", "AA_NORMAL", "contrast_ratio", "ink_on", "luminance", "readable"]

AA_NORMAL, AA_LARGE = 4.5, 3.0
WHITE, BLACK = "#ffffff", "#000000"


def _rgb(color: str) -> tuple[int, int, int]:
    """'#rrggbb' (or '#rgb') as three 0-255 integers."""
    text = color.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    if len(text) != 6:
        raise ValueError(f"colours are written '#rrggbb'. Received: color={color!r}")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def luminance(color: str) -> float:
    """WCAG's relative luminance of a '#rrggbb' colour: 0 for black, 1 for white."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG's contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable(color: str, background: str = WHITE, *, ratio: float = AA_NORMAL) -> str:
    """`color`, darkened (hue kept) just enough to reach `ratio` against a light
    `background`; unchanged when it already does.

    Args:
        color, background: '#rrggbb' colours.
        ratio: the contrast to reach (AA for normal text by default).

    Returns:
        A '#rrggbb' colour; black when no shade of `color` reaches `ratio`.
    """
    if contrast_ratio(color, background) >= ratio:
        return color
    rgb = _rgb(color)
    for step in range(1, 101):
        scale = 1 - step / 100
        shade = "#" + "".join(f"{round(c * scale):02x}" for c in rgb)
        if contrast_ratio(shade, background) >= ratio:
            return shade
    return BLACK


def ink_on(fill: str) -> str:
    """The colour of text written on a cell of colour `fill`: the figures' text colour
    when it reaches AA there, else white or black, whichever contrasts more."""
    try:
        if contrast_ratio(TEXT_COLOR, fill) >= AA_NORMAL:
            return TEXT_COLOR
    except (ValueError, AttributeError):
        return TEXT_COLOR
    return max((WHITE, BLACK), key=lambda ink: contrast_ratio(ink, fill))
