"""Widgets that edit one layer of the spec held in session state (Build page).

The spec lives in `st.session_state.cnnviz_spec` as the JSON dict a learner would
write. Each layer has a stable uid in `st.session_state.build_uids`, so widget keys
survive reordering. Values are written back in `on_change` callbacks; anything typed
is kept as typed, and validation (in the engine) says what is wrong with it.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages.frame.feedback import plain, show_error
from app_pages.frame.state import new_uid
from cnnviz import layers
from cnnviz.errors import ParamError


def sync_uids() -> list[int]:
    """One uid per layer of the current spec (new uids when the spec was replaced)."""
    stack = st.session_state.cnnviz_spec.get("layers", [])
    uids = st.session_state.get("build_uids", [])
    if len(uids) != len(stack):
        uids = [new_uid() for _ in stack]
    st.session_state.build_uids = uids
    return uids


def kind_of(layer: dict[str, Any]) -> layers.LayerKind | None:
    """The registry's kind for a layer dict, or None for an unknown type (validation
    reports it)."""
    try:
        return layers.get(layer.get("type"))
    except ParamError:
        return None


def _layer(index: int) -> dict[str, Any]:
    return st.session_state.cnnviz_spec["layers"][index]


def _store(index: int, name: str, key: str, param: layers.Param) -> None:
    value = st.session_state[key]
    if param.widget.kind == "text":
        value = param.widget.parse(value)
    layer = _layer(index)
    try:
        same_as_default = param.check(value, name) == param.default
    except ParamError:
        same_as_default = False
    if same_as_default and not param.keras_requires:
        layer.pop(name, None)
    else:
        layer[name] = value


def param_widget(index: int, uid: int, name: str, param: layers.Param, **extra: Any) -> None:
    """One widget for one parameter of layer `index`, as the registry's hint says (a
    text field when the value in the spec does not fit the hinted widget); `extra` goes
    to the widget (e.g. disabled=True)."""
    layer = _layer(index)
    value = layer.get(name, None if param.default is layers.REQUIRED else param.default)
    key = f"build_{uid}_{name}"
    args = {"key": key, "on_change": _store, "args": (index, name, key, param), **extra}
    kind = param.widget.kind
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "choice":
        options = list(param.widget.options)
        if value not in options:
            options.append(value)
        st.selectbox(name, options, index=options.index(value), **args)
    elif kind == "toggle":
        st.checkbox(name, value=bool(value), **args)
    elif kind in ("count", "whole") and isinstance(value, int) and not isinstance(value, bool):
        st.number_input(name, min_value=int(kind == "count"), step=1, value=value, **args)
    elif kind == "fraction" and number:
        st.number_input(name, min_value=0.0, max_value=0.99, step=0.05, value=float(value), **args)
    elif kind == "number" and number:
        st.number_input(name, value=float(value), format="%.4g", **args)
    else:
        st.text_input(
            name, value=param.widget.format(value), placeholder=param.widget.placeholder, **args
        )


def move(index: int, step: int) -> None:
    stack = st.session_state.cnnviz_spec["layers"]
    uids = st.session_state.build_uids
    other = index + step
    if 0 <= other < len(stack):
        stack[index], stack[other] = stack[other], stack[index]
        uids[index], uids[other] = uids[other], uids[index]


def remove(index: int) -> None:
    del st.session_state.cnnviz_spec["layers"][index]
    del st.session_state.build_uids[index]


def add() -> None:
    """Insert the layer chosen in the "Add layer" widgets (read when clicked); a layer
    that takes the dataset's images itself (a Backbone) goes first."""
    layer_type = st.session_state.build_new_type
    kind = layers.get(layer_type)
    position = 0 if kind.first_only else int(st.session_state.build_new_position) - 1
    layer = {"type": layer_type, **kind.example}
    st.session_state.cnnviz_spec.setdefault("layers", []).insert(position, layer)
    st.session_state.build_uids.insert(position, new_uid())


def layer_card(index: int, layer: dict[str, Any], uid: int, row, problem, locked=False) -> None:
    """One layer of the stack: its type and output shape, move and remove buttons, a
    widget per parameter, and its problem if it has one.

    Args:
        row: the layer's checked row (`cnnviz.spec.LayerRow`), or None when unchecked.
        problem: the spec's problem when it is this layer's, else None.
        locked: shown but not editable (a lesson locks the layers).
    """
    off = {"disabled": locked}
    shape = f"→ {list(row.output_shape)}, {row.total:,} params" if row else ""
    with st.container(border=True):
        head, actions = st.columns([5, 4], vertical_alignment="center")
        head.markdown(f"**{index + 1}. {plain(str(layer.get('type')))}** {shape}")
        # Words, not only arrows: a button's name is what a screen reader says (its help is not).
        row_of_buttons = actions.container(
            horizontal=True, horizontal_alignment="right", gap="small"
        )
        with row_of_buttons:
            st.button("Up", key=f"build_up_{uid}", on_click=move, args=(index, -1), **off)
            st.button("Down", key=f"build_down_{uid}", on_click=move, args=(index, 1), **off)
            st.button("Remove", key=f"build_del_{uid}", on_click=remove, args=(index,), **off)
        kind = kind_of(layer)
        if kind and kind.params:
            columns = st.columns(4)
            for i, (name, param) in enumerate(kind.params.items()):
                with columns[i % 4]:
                    param_widget(index, uid, name, param, **off)
        if problem is not None:
            show_error(problem)
