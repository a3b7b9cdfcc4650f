"""Figures of the Data page: images per class."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from cnnviz.figures.alt import count, extremes, with_text
from cnnviz.figures.base import as_text, make_figure
from cnnviz.figures.colors import FONT_FAMILY, PAD_COLOR, TEXT_COLOR

__all__ = ["class_distribution_figure"]

# --- data --------------------------------------------------------------------------------------

SPLIT_COLORS = {"train": "#5b9bd0", "test": "#f0a35e"}  # blue as above; orange for held out


def class_distribution_figure(
    class_names: Sequence[str], per_class: dict[str, Sequence[int]]
) -> go.Figure:
    """Images per class, one bar per split side by side: imbalance shows at a glance.

    Args:
        class_names: the k class names, in class-index order.
        per_class: split name ("train", "test") -> k image counts (`DatasetInfo.per_class`).

    Returns:
        A grouped bar chart, classes along x, one trace per split.
    """
    names = [as_text(name) for name in class_names]
    traces = [
        {
            "type": "bar",
            "name": split,
            "x": names,
            "y": [int(count) for count in counts],
            "marker": {"color": SPLIT_COLORS.get(split, PAD_COLOR)},
            "hovertemplate": "class %{x}: %{y:,} images<extra>" + split + "</extra>",
        }
        for split, counts in per_class.items()
    ]
    layout = {
        "barmode": "group",
        "height": 380,
        "margin": {"l": 60, "r": 10, "t": 30, "b": 50},
        "font": {"family": FONT_FAMILY, "size": 15, "color": TEXT_COLOR},
        "legend": {"orientation": "h", "x": 0, "y": 1.1},
        "xaxis": {"type": "category", "title": {"text": "class"}, "automargin": True},
        "yaxis": {"title": {"text": "images"}, "gridcolor": "#e5e5e5", "rangemode": "tozero"},
    }
    return with_text(make_figure(traces, layout), *_distribution_text(class_names, per_class))


def _distribution_text(
    class_names: Sequence[str], per_class: dict[str, Sequence[int]]
) -> tuple[str, list[dict]]:
    parts = [count(len(class_names), "class", "classes")]
    for split, counts in per_class.items():
        counts = [int(n) for n in counts]
        ends = extremes(counts)
        part = f"{split}: {count(sum(counts), 'image')}"
        if ends is not None and len(counts) > 1:
            low, high = ends
            part += (
                f", smallest class {class_names[low]} ({counts[low]:,}), "
                f"largest {class_names[high]} ({counts[high]:,})"
            )
        parts.append(part)
    table = [
        {"class": name, **{split: int(counts[i]) for split, counts in per_class.items()}}
        for i, name in enumerate(class_names)
    ]
    return "; ".join(parts), table
