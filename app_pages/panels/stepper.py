"""Stepping through a computation one output cell at a time (the Concepts page)."""

from __future__ import annotations

import streamlit as st


def step_controls(key: str, n_steps: int, noun: str) -> int:
    """Previous/Next buttons and a slider over the output cells; returns the 0-based step."""
    st.session_state[key] = min(max(st.session_state.get(key, 1), 1), n_steps)

    def move(delta: int) -> None:
        st.session_state[key] = min(max(st.session_state[key] + delta, 1), n_steps)

    back, middle, forward = st.columns([1, 4, 1], vertical_alignment="bottom")
    back.button(f"Previous {noun}", key=f"{key}_previous", on_click=move, args=(-1,))
    forward.button(f"Next {noun}", key=f"{key}_next", on_click=move, args=(1,))
    if n_steps > 1:
        middle.slider(noun.capitalize(), 1, n_steps, key=key)
    return st.session_state[key] - 1
