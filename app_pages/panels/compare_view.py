"""The rows of the settings and layer tables of two runs' comparison
(`cnnviz.compare.Comparison`), for Compare's view of two runs (`compare_pair`).
"""

from __future__ import annotations

import json
from typing import Any

CHANGE_COLORS = {"changed": "#fef3c7", "added": "#dcfce7", "removed": "#fee2e2"}
LAYER_COLUMNS = {"#": "small", "change": "small", "what changed": "large"}


def _words(value: Any) -> str:
    return "none" if value is None else json.dumps(value)


def settings_rows(result) -> list[dict[str, str]]:
    """One row per setting that differs: its name, A's value, B's value."""
    return [
        {"setting": name.replace("_", " "), "A": _words(a), "B": _words(b)}
        for name, (a, b) in result.settings_diff.items()
    ]


def _layer(layer: dict | None) -> str:
    if layer is None:
        return ""
    settings = ", ".join(f"{k}={json.dumps(v)}" for k, v in layer.items() if k != "type")
    return f"{layer['type']}({settings})"


def _what(change) -> str:
    pa, pb = change.params
    if change.change == "added":
        return f"new in B: {pb:,} weights"
    if change.change == "removed":
        return f"only in A: {pa:,} weights"
    said = "; ".join(f"{k} {_words(a)} → {_words(b)}" for k, (a, b) in change.differences.items())
    if change.change == "same" and pa != pb:
        said = "its input changed"
    return (said or "same") + (f"; weights {pa:,} → {pb:,}" if pa != pb else "")


def layer_table(result):
    """The aligned layer stacks as a table, added, removed and changed rows coloured."""
    import pandas as pd

    rows = [
        {
            "#": change.index + 1,
            "change": change.change,
            "what changed": _what(change),
            "layer in A": _layer(change.a),
            "layer in B": _layer(change.b),
        }
        for change in result.layers
    ]
    frame = pd.DataFrame(rows)

    def colour(row):
        return [f"background-color: {CHANGE_COLORS.get(row['change'], 'white')}"] * len(row)

    return frame.style.apply(colour, axis=1)
