"""Lessons: a guided walk through the app for a class, one step at a time."""

import streamlit as st

from app_pages.frame.feedback import plain
from app_pages.frame.state import init_state
from app_pages.panels.lesson_card import lesson_markdown, step_card
from app_pages.server.lessons import shelf
from app_pages.session.lesson import active_lesson, go_to_step
from app_pages.session.lesson_open import on_start
from cnnviz.lessons import CONTROLS

init_state()
st.title("Lessons")
st.caption(
    "Each lesson opens a ready-made experiment, locks what would lead away from its topic, "
    "and asks you to predict a number before it shows the answer. Send a class the link "
    "below a lesson, or add ?lesson=ID to the app's address."
)
lessons, problems = shelf()
for problem in problems:
    st.warning(f"A lesson file could not be read: {plain(problem)}", icon=":material/warning:")

lesson = active_lesson()
if lesson is not None:
    st.header(lesson_markdown(lesson.title), divider="gray")
    st.markdown(lesson_markdown(lesson.intro))
    with st.container(border=True):
        step_card(lesson, "lessons")
    st.markdown("**All steps**")
    for index, step in enumerate(lesson.steps):
        current = index == st.session_state.cnnviz_lesson_step
        st.button(
            f"{index + 1}. {lesson_markdown(step.title)}" + (" (this step)" if current else ""),
            key=f"lessons_step_{index}",
            on_click=go_to_step,
            args=(index,),
            type="tertiary",
        )
    for what, names in (("Locked", lesson.locked), ("Hidden", lesson.hidden)):
        if names:
            st.caption(f"{what} in this lesson: " + "; ".join(CONTROLS[n] for n in sorted(names)))
    st.subheader("Other lessons")

for other in lessons:
    if lesson is not None and other.id == lesson.id:
        continue
    with st.container(border=True):
        text, start = st.columns([5, 1], vertical_alignment="center")
        text.markdown(f"**{lesson_markdown(other.title)}** · {len(other.steps)} steps")
        text.markdown(lesson_markdown(other.intro))
        text.caption(f"Link: {plain(st.context.url or '')}?lesson={other.id}")
        start.button(
            "Start lesson",
            key=f"lessons_start_{other.id}",
            on_click=on_start,
            args=(other.id,),
            type="primary",
            width="stretch",
        )
if not lessons:
    st.info("No lessons found: they are the JSON files in assets/lessons/.")
