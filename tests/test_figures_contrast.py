"""Every text cnnviz's figures draw meets WCAG 2.1 AA contrast (1.4.3) on its background, in
the normal theme and on a projector: axis ticks and titles, notes, legends, colour bars,
the numbers written in coloured cells (checked on every colour of their scale) and in the
SVG diagrams' cells. The contrast ratio is WCAG's formula, written out here.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.colors import sample_colorscale

from cnnviz.figures import colors
from cnnviz.figures.theme import for_projector
from cnnviz.metrics import classification_metrics
from tests.helpers_figure_cases import FIGURES, build

# --- contrast: WCAG's formula, written out here -----------------------------------------------

NAMED = {"white": (255, 255, 255), "black": (0, 0, 0)}


def rgb(color: str) -> tuple[float, ...]:
    if color in NAMED:
        return NAMED[color]
    if color.startswith("#"):
        return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))
    return tuple(float(v) for v in re.findall(r"[\d.]+", color)[:3])


def wcag_luminance(color: str) -> float:
    def linear(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(float(c)) for c in rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(text: str, background: str) -> float:
    a, b = sorted((wcag_luminance(text), wcag_luminance(background)))
    return (b + 0.05) / (a + 0.05)


def needed(size: float, bold: bool) -> float:
    """AA: 3:1 for large text (18 pt, or 14 pt bold; 1 pt = 4/3 px), else 4.5:1."""
    return 3.0 if size >= 24 or (bold and size >= 18.66) else 4.5


def texts_of(figure: go.Figure) -> list[tuple[str, str, str, float, bool]]:
    """(where, text colour, background, size px, bold) of every text the figure draws."""
    d = figure.to_dict()
    layout = d["layout"]
    paper = layout.get("paper_bgcolor", "white")
    plot = layout.get("plot_bgcolor", "white")
    base = layout.get("font", {})
    out = []

    def add(where, font, background, bold=False, inherit=False):
        """A text's font; only a trace's text inherits the layout's colour, anything else
        left uncoloured would be drawn in the grey of Streamlit's theme."""
        font = font or {}
        color = font.get("color", base.get("color") if inherit else None)
        assert color, f"{where}: no colour of its own, Streamlit's theme would pick a grey"
        out.append((where, color, background, font.get("size", base.get("size", 12)), bold))

    add("layout", base, paper)
    if "title" in layout and layout["title"].get("text"):
        add("title", layout["title"].get("font"), paper)
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and axis.get("visible", True):
            add(f"{key} ticks", axis.get("tickfont"), paper)
            if "title" in axis:
                add(f"{key} title", axis["title"].get("font"), paper)
    if "legend" in layout and layout.get("showlegend", True):
        add("legend", layout["legend"].get("font"), paper)
    for i, note in enumerate(layout.get("annotations", [])):
        bold = str(note.get("text", "")).startswith("<b>")
        add(
            f"annotation {i}",
            note.get("font"),
            plot if note.get("xref", "x") != "paper" else paper,
            bold,
        )
    for i, trace in enumerate(d["data"]):
        scale = trace.get("colorscale") or trace.get("marker", {}).get("colorscale")
        draws_text = (
            "text" in trace.get("mode", "")
            or "texttemplate" in trace
            or (trace.get("type") == "bar" and trace.get("text"))
        )
        if not draws_text:
            continue
        if scale:  # numbers written in coloured cells: every colour of the scale
            for background in sample_colorscale(scale, list(np.linspace(0, 1, 41))):
                add(f"trace {i} cells", trace.get("textfont"), background, inherit=True)
        else:
            add(f"trace {i} text", trace.get("textfont"), paper, inherit=True)
    for i, trace in enumerate(d["data"]):
        owner = next((trace[k] for k in ("marker", "line") if "colorbar" in trace.get(k, {})), {})
        bar = trace.get("colorbar") or owner.get("colorbar")
        shown = trace.get("showscale", owner.get("showscale", True))
        if bar and shown and trace.get("type") != "image":
            add(f"trace {i} colour bar", bar.get("tickfont"), paper)
            if bar.get("title", {}).get("text"):
                add(f"trace {i} colour bar title", bar["title"].get("font"), paper)
        if trace.get("type") == "parcoords":  # its own axes: names, ticks, range ends
            for key in ("labelfont", "tickfont", "rangefont"):
                add(f"trace {i} {key}", trace.get(key), paper)
    return out


PLOTLY = [name for name in FIGURES if isinstance(build(name), go.Figure)]
TWELVE = [f"class {i}" for i in range(12)]  # cells' numbers in 14 px: normal text, 4.5:1


@pytest.mark.parametrize("projector", [False, True], ids=["normal", "projector"])
@pytest.mark.parametrize("name", [*PLOTLY, "12 classes"])
def test_every_text_of_every_figure_meets_aa_contrast(name, projector):
    if name == "12 classes":
        from cnnviz.figures.evaluation import confusion_matrix_figure

        y = np.arange(120) % 12  # one full cell per row: the scale's darkest colour is drawn
        figure = confusion_matrix_figure(classification_metrics(y, (y * 7) % 12, TWELVE))
    else:
        figure = build(name)
    figure = for_projector(figure) if projector else figure
    for where, color, background, size, bold in texts_of(figure):
        got = ratio(color, background)
        assert got >= needed(size, bold), (where, color, background, size, round(got, 2))


def test_the_palettes_text_colours_meet_aa_on_white_in_both_themes():
    text_colours = [
        colors.TEXT_COLOR,
        colors.WRONG_COLOR,
        colors.RIGHT_COLOR,
        colors.PREDICTED_COLOR,
    ]
    for color in text_colours:
        assert ratio(color, "#ffffff") >= 4.5, color
    figure = build("disagreements.disagreements_figure")
    styled = for_projector(figure)
    for note in styled.layout.annotations:
        assert ratio(note.font.color, "#ffffff") >= 4.5, note.font.color
    wrong = {n.font.color for n in styled.layout.annotations if n.text.endswith("✗")}
    assert wrong and wrong != {colors.OKABE_ITO["vermillion"]}  # 3.9:1, darkened to AA


def test_readable_darkens_a_colour_just_enough_and_ink_reads_on_every_scale_colour():
    from cnnviz.figures.contrast import ink_on, readable

    vermillion = colors.OKABE_ITO["vermillion"]
    assert ratio(vermillion, "#ffffff") < 4.5
    dark = readable(vermillion)
    assert 4.5 <= ratio(dark, "#ffffff") < 4.8  # just enough
    assert wcag_luminance(dark) < wcag_luminance(vermillion)
    assert readable(colors.TEXT_COLOR) == colors.TEXT_COLOR
    for scale in (colors.SEQUENTIAL, colors.DIVERGING, colors.DIVERGING_TEXT):
        for sample in sample_colorscale(scale, list(np.linspace(0, 1, 101))):
            fill = "#" + "".join(f"{round(float(c)):02x}" for c in rgb(sample))
            assert ratio(ink_on(fill), fill) >= 4.5, fill
    for scale in (colors.SEQUENTIAL, colors.DIVERGING_TEXT):  # one dark colour reads on all
        for sample in sample_colorscale(scale, list(np.linspace(0, 1, 101))):
            assert ratio(colors.TEXT_COLOR, sample) >= 4.5, sample


@pytest.mark.parametrize("name", [n for n in FIGURES if n.startswith("concepts.") and "_f" in n])
def test_numbers_in_the_diagrams_cells_meet_aa_contrast(name):
    root = ET.fromstring(build(name))
    ns = "{http://www.w3.org/2000/svg}"
    checked = 0
    for group in root.iter(f"{ns}g"):
        fills = {
            (r.get("data-row"), r.get("data-col")): r.get("fill")
            for r in group.findall(f"{ns}rect")
            if r.get("data-row") is not None
        }
        for text in group.findall(f"{ns}text"):
            at = (text.get("data-row"), text.get("data-col"))
            if at in fills and text.text:
                got = ratio(text.get("fill"), fills[at])
                assert got >= 4.5, (name, at, text.get("fill"), fills[at], round(got, 2))
                checked += 1
    assert checked
