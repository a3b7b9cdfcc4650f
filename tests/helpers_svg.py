"""Reading the SVG diagrams back: what each panel writes in its cells, and where it outlines.

An independent reader (ElementTree over the markup), so tests check what a browser would
draw rather than the builder's own data structures.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

import numpy as np

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def panel_names(svg: str) -> list[str]:
    return [g.get("data-name") for g in parse(svg).findall("svg:g", NS)]


def panel(svg: str, name: str) -> dict:
    """One panel: its title, cell texts and fills (rows, cols), and its outline, if any."""
    (group,) = [g for g in parse(svg).findall("svg:g", NS) if g.get("data-name") == name]
    shape = int(group.get("data-rows")), int(group.get("data-cols"))
    texts, fills = np.full(shape, None, dtype=object), np.full(shape, None, dtype=object)
    for element in group:
        if element.get("data-row") is None:
            continue
        at = int(element.get("data-row")), int(element.get("data-col"))
        if element.tag.endswith("rect"):
            fills[at] = element.get("fill")
        else:
            texts[at] = element.text or ""
    assert all(t is not None for t in texts.ravel()) and all(f for f in fills.ravel())
    (title,) = [t.text for t in group.findall("svg:text", NS) if t.get("class") == "title"]
    outline = [r for r in group.findall("svg:rect", NS) if r.get("class") == "highlight"]
    highlight = None
    if outline:
        rows, cols = (
            tuple(int(v) for v in outline[0].get(k).split()) for k in ("data-rows", "data-cols")
        )
        highlight = (rows, cols)
    return {"title": title, "texts": texts, "fills": fills, "highlight": highlight}


def numbers(svg: str, name: str) -> np.ndarray:
    """The numbers a panel writes, as floats (NaN where a cell is blank); "1/9" is read too."""

    def value(text: str) -> float:
        if not text:
            return np.nan
        top, _, bottom = text.partition("/")
        return float(top) / float(bottom) if bottom else float(top)

    texts = panel(svg, name)["texts"]
    return np.vectorize(value, otypes=[float])(texts)


def operators(svg: str) -> list[str]:
    return [t.text for t in parse(svg).findall("svg:text", NS) if t.get("class") == "operator"]


def svg_from_image(image) -> str:
    """The SVG markup behind an AppTest `st.image` element (a base64 data URL)."""
    url = image.proto.imgs[0].url
    prefix = "data:image/svg+xml;base64,"
    assert url.startswith(prefix), url[:40]
    return base64.b64decode(url[len(prefix) :]).decode("utf-8")
