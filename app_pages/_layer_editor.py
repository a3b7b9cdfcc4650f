"""Widgets that edit one layer of the spec held in session state (Build page).

The spec lives in `st.session_state.cnnviz_spec` as the JSON dict a learner would
write. Each layer has a stable uid in `st.session_state.build_uids`, so widget keys
survive reordering. Values are written back in `on_change` callbacks; anything typed
is kept as typed, and validation (in the engine) says what is wrong with it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import streamlit as st

from cnnviz import layers

NEW_LAYER_DEFAULTS: dict[str, dict[str, Any]] = {
    "Conv2D": {"filters": 16, "kernel_size": 3, "padding": "same", "activation": "relu"},
    "SeparableConv2D": {"filters": 16, "kernel_size": 3, "padding": "same",
                        "activation": "relu"},
    "DepthwiseConv2D": {"kernel_size": 3, "padding": "same", "activation": "relu"},
    "MaxPooling2D": {"pool_size": 2},
    "AveragePooling2D": {"pool_size": 2},
    "Dense": {"units": 64, "activation": "relu"},
    "Dropout": {"rate": 0.25},
    "SpatialDropout2D": {"rate": 0.1},
    "Activation": {"activation": "relu"},
    "Rescaling": {"scale": 2.0, "offset": -1.0},
}
TEXT_CHECKERS = (layers.pair, layers.optional_pair, layers.units, layers.padding_amount)


def new_uid() -> int:
    st.session_state.build_next_uid = st.session_state.get("build_next_uid", 0) + 1
    return st.session_state.build_next_uid


def sync_uids() -> list[int]:
    """One uid per layer of the current spec (new uids when the spec was replaced)."""
    stack = st.session_state.cnnviz_spec.get("layers", [])
    uids = st.session_state.get("build_uids", [])
    if len(uids) != len(stack):
        uids = [new_uid() for _ in stack]
    st.session_state.build_uids = uids
    return uids


def replace_spec(spec: dict[str, Any]) -> None:
    st.session_state.cnnviz_spec = spec
    st.session_state.build_uids = [new_uid() for _ in spec.get("layers", [])]


def parse_text(text: str) -> Any:
    """What a learner typed: "3" -> 3, "3, 5" or "3x5" -> [3, 5], "" -> None."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"\d+\s*[x,]\s*\d+", text):
        return [int(v) for v in re.split(r"\s*[x,]\s*", text)]
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, int) for v in value):
            return ", ".join(str(v) for v in value)
        return json.dumps(value)
    return str(value)


def kind_of(layer: dict[str, Any]) -> layers.LayerKind | None:
    """The registry's kind for a layer dict, or None for an unknown type (validation
    reports it)."""
    try:
        return layers.get(layer.get("type"))
    except layers.ParamError:
        return None


def _layer(index: int) -> dict[str, Any]:
    return st.session_state.cnnviz_spec["layers"][index]


def _store(index: int, name: str, key: str, checker) -> None:
    value = st.session_state[key]
    if checker in TEXT_CHECKERS:
        value = parse_text(value)
    layer = _layer(index)
    kind = kind_of(layer)
    default = kind.params[name].default if kind and name in kind.params else None
    try:
        same_as_default = checker(value) == default
    except layers.ParamError:
        same_as_default = False
    if same_as_default and not kind.params[name].keras_requires:
        layer.pop(name, None)
    else:
        layer[name] = value


def param_widget(index: int, uid: int, name: str, param: layers.Param) -> None:
    """One widget for one parameter of layer `index`."""
    layer = _layer(index)
    value = layer.get(name, None if param.default is layers.REQUIRED else param.default)
    key = f"build_{uid}_{name}"
    args = {"key": key, "on_change": _store, "args": (index, name, key, param.check)}
    check = param.check
    if check in (layers.padding_mode, layers.activation):
        options = list(layers.PADDINGS if check is layers.padding_mode else layers.ACTIVATIONS)
        if value not in options:
            options.append(value)
        st.selectbox(name, options, index=options.index(value), **args)
    elif check is layers.boolean:
        st.checkbox(name, value=bool(value), **args)
    elif check is layers.positive_int and isinstance(value, int):
        st.number_input(name, min_value=1, step=1, value=value, **args)
    elif check in (layers.rate, layers.fraction_open) and isinstance(value, (int, float)):
        st.number_input(name, min_value=0.0, max_value=0.99, step=0.05, value=float(value),
                        **args)
    elif check in (layers.number, layers.positive_number) and isinstance(value, (int, float)):
        st.number_input(name, value=float(value), format="%.4g", **args)
    else:
        hint = "same as pool_size" if check is layers.optional_pair else None
        st.text_input(name, value=as_text(value), placeholder=hint, **args)


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
    """Insert the layer chosen in the "Add layer" widgets (read when clicked)."""
    layer_type = st.session_state.build_new_type
    position = int(st.session_state.build_new_position) - 1
    layer = {"type": layer_type, **NEW_LAYER_DEFAULTS.get(layer_type, {})}
    st.session_state.cnnviz_spec.setdefault("layers", []).insert(position, layer)
    st.session_state.build_uids.insert(position, new_uid())
