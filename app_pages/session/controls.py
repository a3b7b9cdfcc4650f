"""Controls a lesson locks (drawn, disabled) or hides (not drawn), asked per control.

A control is a name of `cnnviz.lessons.CONTROLS` (a widget key, or a group such as
`build_layers`). Pages ask `locked(name)` / `hidden(name)`, or draw a widget through
`control(...)`, which does both::

    control(st.number_input, "Epochs", 1, 500, key="train_epochs")
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app_pages.session.lesson import active_lesson


def locked(name: str) -> bool:
    """Whether the lesson being followed locks this control."""
    lesson = active_lesson()
    return lesson is not None and name in lesson.locked


def hidden(name: str) -> bool:
    """Whether the lesson being followed hides this control."""
    lesson = active_lesson()
    return lesson is not None and name in lesson.hidden


def control(widget: Callable, *args: Any, lock: str | None = None, **kwargs: Any) -> Any:
    """`widget(*args, **kwargs)` unless the lesson hides it (then None), disabled when the
    lesson locks it. `lock` names the control when it is not the widget's key."""
    name = lock or kwargs["key"]
    if hidden(name):
        return None
    kwargs["disabled"] = bool(kwargs.get("disabled")) or locked(name)
    return widget(*args, **kwargs)
