"""Build: a CNN as a layer stack; every edit re-checks shapes and parameter counts."""

import streamlit as st

from app_pages.frame.feedback import show_error
from app_pages.frame.state import init_state, replace_spec
from app_pages.panels.layer_editor import add, layer_card, sync_uids
from app_pages.panels.model_summary import model_summary
from app_pages.panels.share import copy_link
from app_pages.session.controls import control, hidden, locked
from app_pages.session.dataset import current_dataset
from cnnviz import layers, presets
from cnnviz.codegen import to_keras_code
from cnnviz.errors import CnnvizError
from cnnviz.spec import ModelSpec, check

init_state()
st.title("Build")
st.caption("Stack layers like Keras code. Shapes and parameter counts update as you type.")

dataset = current_dataset()
info = dataset.info if dataset else None

left, right = st.columns([4, 3], gap="large")
with left:
    pick, load = st.columns([3, 1], vertical_alignment="bottom")
    names = [*presets.PRESETS, "(empty)"]
    choice = control(
        pick.selectbox,
        "Start from a preset",
        names,
        key="build_preset",
        index=names.index(st.session_state.cnnviz_preset),
        format_func=lambda n: n if n == "(empty)" else f"{n}: {presets.PRESETS[n].description}",
    )
    if control(load.button, "Load preset", key="build_load", width="stretch", lock="build_preset"):
        st.session_state.cnnviz_preset = choice
        empty = {"name": "my-model", "layers": []}
        replace_spec(empty if choice == "(empty)" else presets.PRESETS[choice].spec.to_dict())

uids = sync_uids()
try:
    spec = ModelSpec.from_dict(st.session_state.cnnviz_spec)
    report = check(
        spec, input_shape=info and info.image_shape, num_classes=info and info.num_classes
    )
    problem = report.error
except CnnvizError as err:
    spec, report, problem = None, None, err
rows = {r.number: r for r in report.rows} if report else {}
bad_layer = getattr(problem, "layer_number", None)

with left:
    stack = [] if hidden("build_layers") else st.session_state.cnnviz_spec["layers"]
    for index, (layer, uid) in enumerate(zip(stack, uids)):
        shown = (rows.get(index + 1), problem if bad_layer == index + 1 else None)
        layer_card(index, layer, uid, *shown, locked=locked("build_layers"))
    if not hidden("build_add"):
        kind_col, where_col, add_col = st.columns([2, 2, 1], vertical_alignment="bottom")
        off, count = locked("build_add"), len(uids)
        kinds = list(layers.LAYER_KINDS)
        kind_col.selectbox("Layer type", kinds, key="build_new_type", disabled=off)
        where_col.number_input(
            "Insert at position", 1, count + 1, count + 1, key="build_new_position", disabled=off
        )
        add_col.button("Add layer", key="build_add", on_click=add, width="stretch", disabled=off)

with right:
    st.subheader("Shapes and parameters")
    if problem is not None and bad_layer is None:
        show_error(problem)
    elif problem is not None:
        st.error(f"Problem at layer {bad_layer}: see the layer on the left.")
    if report:
        model_summary(report, info)
    if spec is not None:
        st.download_button(
            "Download spec (JSON)",
            spec.to_json(),
            file_name="model.json",
            mime="application/json",
            key="build_download_json",
        )
    if report is not None and report.ok:
        code = to_keras_code(report)
        with st.expander("Keras code", expanded=False):
            st.code(code, language="python")
        st.download_button(
            "Download Keras code",
            code,
            file_name="model.py",
            mime="text/x-python",
            key="build_download_code",
        )
    copy_link("build_copy_link")
    if not hidden("build_import"):
        with st.expander("Import a spec (JSON)"):
            upload = control(
                st.file_uploader,
                "Spec file",
                type=["json"],
                key="build_upload",
                lock="build_import",
            )
            if upload is not None and st.button("Use this spec", key="build_use_upload"):
                try:
                    replace_spec(ModelSpec.from_json(upload.getvalue()).to_dict())
                    st.rerun()
                except CnnvizError as err:
                    show_error(f"{upload.name}: {err}")
