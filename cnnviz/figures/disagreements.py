"""The test images two runs answer differently, each with both answers: right or wrong
is told by a mark (✓/✗) and in words, not by colour alone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from cnnviz.figures.alt import count, with_text
from cnnviz.figures.base import as_text, base_layout, hidden_axis, make_figure, note, picture_trace
from cnnviz.figures.colors import RIGHT_COLOR, WRONG_COLOR
from cnnviz.figures.mistakes import RIGHT_MARK, WRONG_MARK

__all__ = ["disagreements_figure"]


def disagreements_figure(
    disagreements: Sequence[Any],
    *,
    total: int | None = None,
    labels: Sequence[str] = ("A", "B"),
    columns: int = 6,
) -> go.Figure:
    """Test images the two runs answer differently, each with both answers.

    Args:
        disagreements: `cnnviz.compare.Disagreement`s (index, image, true_name, a, b).
        total: how many there are in all, when more than those drawn.
        labels: how the captions name the two runs.
        columns: images per row.

    Returns:
        Image traces named "test image <index>"; the captions say true class and each
        run's answer, green when right and red when wrong.
    """
    shown = list(disagreements)
    total = len(shown) if total is None else total
    title = f"Test images the two answer differently: {total}" + (
        f" (the first {len(shown)})" if len(shown) < total else ""
    )
    size, pitch_x, pitch_y = 110, 160, 200
    traces, notes = [], []
    for i, item in enumerate(shown):
        row, col = divmod(i, columns)
        x, y = col * pitch_x, row * pitch_y
        trace = picture_trace(item.image, x=x, y=y, size=size, name=f"test image {item.index}")
        traces.append(trace)
        notes.append(
            note(f"true <b>{as_text(item.true_name)}</b>", x + size / 2, y + size + 14, size=13)
        )
        for k, (label, answer) in enumerate(zip(labels, (item.a, item.b), strict=True)):
            right = answer.name == item.true_name
            mark = RIGHT_MARK if right else WRONG_MARK
            notes.append(
                note(
                    f"{label}: {as_text(answer.name)} ({answer.probability:.0%}) {mark}",
                    x + size / 2,
                    y + size + 33 + 18 * k,
                    size=13,
                    color=RIGHT_COLOR if right else WRONG_COLOR,
                )
            )
    if not shown:
        notes.append(note("The two runs give the same answer on every test image", 300, 40))
    rows = max(1, -(-len(shown) // columns))
    width = max(columns * pitch_x, 600)
    layout = base_layout(
        title, rows * pitch_y + 80, margin={"l": 10, "r": 10, "t": 60, "b": 10}, annotations=notes
    )
    layout["xaxis"] = hidden_axis(range=[-10, width])
    layout["yaxis"] = hidden_axis(range=[rows * pitch_y, -10], scaleanchor="x")
    return with_text(make_figure(traces, layout), *_disagreements_text(shown, total, labels))


def _disagreements_text(
    shown: list[Any], total: int, labels: Sequence[str]
) -> tuple[str, list[dict]]:
    if not shown:
        return "The two runs give the same answer on every test image", []
    summary = f"The two runs answer {count(total, 'test image')} differently"
    if len(shown) < total:
        summary += f" (the first {len(shown)} drawn)"
    rights = [sum(1 for item in shown if getattr(item, run).name == item.true_name) for run in "ab"]
    summary += "; of those drawn, " + " and ".join(
        f"{label} is right on {n:,}" for label, n in zip(labels, rights)
    )
    table = []
    for item in shown:
        row = {"test image": item.index, "true class": item.true_name}
        for label, score in zip(labels, (item.a, item.b)):
            row[f"{label} answer"] = score.name
            row[f"{label} probability"] = score.probability
            row[f"{label} right"] = "yes" if score.name == item.true_name else "no"
        table.append(row)
    return summary, table
