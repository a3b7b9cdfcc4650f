"""A lesson's current step on screen: above every page but Lessons, and on Lessons.

In a classroom only the teacher sees a step's answer and its notes for the teacher (a
learner alone sees both).

Lesson texts are shown as Markdown without links, images or HTML: a lesson file is
anybody's JSON.
"""

from __future__ import annotations

import re

import streamlit as st

from app_pages.frame.desk import teacher
from app_pages.session.lesson import active_lesson, end_lesson, go_to_step, page_of

# Markdown that could fetch, link or run something; emphasis and `code` stay.
_UNSAFE = re.compile(r"([\\\[\]<>$~|:&#!])")
_CODE = re.compile(r"(`[^`\n]*`)")  # a code span shows its text as it is: nothing to escape


def lesson_markdown(text: str) -> str:
    """A lesson's text for st.markdown: **bold**, *italics* and `code` kept; links,
    images, HTML, LaTeX and icons shown as the characters they are."""
    parts = _CODE.split(str(text))
    return "".join(part if i % 2 else _UNSAFE.sub(r"\\\1", part) for i, part in enumerate(parts))


def step_card(lesson, here: str) -> None:
    """The current step: its text, the question and its answer on request, Back and Next,
    and a link to the step's page unless that is `here` (a page's url path)."""
    index = st.session_state.cnnviz_lesson_step
    step = lesson.steps[index]
    st.markdown(f"#### {index + 1}. {lesson_markdown(step.title)}")
    st.markdown(lesson_markdown(step.text))
    if step.question:
        st.info(f"**Predict first:** {lesson_markdown(step.question)}", icon=":material/quiz:")
        if not teacher():  # in a class the teacher gives the answer
            pass
        elif st.session_state.get("lesson_revealed"):
            st.success(lesson_markdown(step.answer), icon=":material/lightbulb:")
        else:
            st.button("Show the answer", key="lesson_reveal", on_click=_reveal)
    back, forward, where, leave = st.columns([1, 1, 2, 1], vertical_alignment="center")
    back.button(
        "← Back",
        key="lesson_back",
        on_click=go_to_step,
        args=(index - 1,),
        disabled=index == 0,
        width="stretch",
    )
    last = index == len(lesson.steps) - 1
    forward.button(
        "Next →",
        key="lesson_next",
        on_click=go_to_step,
        args=(index + 1,),
        disabled=last,
        type="primary",
        width="stretch",
    )
    if (page := page_of(step)) and page != here:
        where.page_link(
            f"app_pages/{page}.py", label=f"Go to {page.title()}", icon=":material/arrow_forward:"
        )
    leave.button("End lesson", key="lesson_end", on_click=end_lesson, width="stretch")
    if step.teacher_notes and teacher():
        with st.expander("Teacher notes"):
            st.markdown(lesson_markdown(step.teacher_notes))


def _reveal() -> None:
    st.session_state.lesson_revealed = True


def lesson_panel(page: str) -> None:
    """The router's view of the lesson being followed, above every page but Lessons."""
    lesson = active_lesson()
    if lesson is None or page == "lessons":
        return
    index = st.session_state.cnnviz_lesson_step
    title = f"Lesson: {lesson.title} · step {index + 1} of {len(lesson.steps)}"
    with st.expander(lesson_markdown(title), expanded=True, icon=":material/school:"):
        step_card(lesson, page)
