"""Inspect: look inside a trained network, one image at a time, and at its mistakes."""

import streamlit as st

from app_pages._coach import coach_panel
from app_pages._epochs import class_accuracy_chart, epoch_picker
from app_pages._feedback import plain, show_error
from app_pages._inspect_confusion import confusion_panel
from app_pages._inspect_scores import scores_panel
from app_pages._inspect_trace import trace_panel
from app_pages._runs import evaluation, pick_run, run_and_model
from app_pages._state import init_state
from cnnviz.data import rescale
from cnnviz.errors import CnnvizError
from cnnviz.features import CONV_TYPES, conv_layer_names, feature_maps, filters
from cnnviz.figures.base import as_text
from cnnviz.figures.evaluation import mistakes_figure
from cnnviz.figures.maps import filters_figure, layer_maps
from cnnviz.figures.overview import network_overview
from cnnviz.figures.predictions import gradcam_overlay
from cnnviz.gradcam import default_layer, grad_cam, grad_cam_layers
from cnnviz.mistakes import mistakes
from cnnviz.runs import load_run

init_state()
st.title("Inspect")
st.caption(
    "What every layer makes of one test image, how one value of a map is computed, "
    "what the filters look like, which classes the model confuses, and where it looked."
)

run_id = pick_run("inspect_run")
if run_id is None:
    st.stop()
try:
    epoch = epoch_picker(load_run(run_id), key="inspect_epoch")
    run, model = run_and_model(run_id, epoch)
    test, result = evaluation(run_id, epoch)
except CnnvizError as err:
    show_error(err)
    st.stop()
names = list(run.config["class_names"])

after = "" if epoch is None else f" after epoch {epoch}"
st.metric(f"Test accuracy{after}", f"{result.metrics.accuracy:.1%}")
coach_panel(run_id, expanded=False)
index = st.slider("Test image", 0, len(test) - 1, 0, key="inspect_image")
image = rescale(test.images[index])
true_name = names[test.labels[index]]
predicted = int(result.predicted[index])
guess = names[predicted]
st.markdown(
    f"True class **{plain(true_name)}**, predicted **{plain(guess)}**"
    + (" ✓" if true_name == guess else " ✗")
)
activations = feature_maps(model, image)
st.plotly_chart(
    network_overview(image, activations, result.probabilities[index], names, predicted=predicted),
    width="stretch",
    key="inspect_overview",
)

maps, kernels, confusion, wrong, cam = st.tabs(
    ["Layer maps", "Filters", "Confusion matrix", "Mistakes", "Grad-CAM"]
)
with maps:
    layer = st.selectbox("Layer", [a.name for a in activations], key="inspect_layer")
    chosen = next(a for a in activations if a.name == layer)
    st.plotly_chart(layer_maps(chosen), width="stretch", key="inspect_maps")
    if chosen.type in CONV_TYPES:
        trace_panel(model, image, chosen)
with kernels:
    convs = conv_layer_names(model)
    if convs:
        conv = st.selectbox("Convolution", convs, key="inspect_conv")
        st.plotly_chart(
            filters_figure(filters(model, conv), layer_name=conv),
            width="stretch",
            key="inspect_filters",
        )
    else:
        st.info("This model has no convolution layers.")
with confusion:
    confusion_panel(run_id, model, test, result, names)
    scores_panel(result.metrics, names)
    class_accuracy_chart(run, epoch=epoch, key="inspect_class_curves")
with wrong:
    any_class = ["any", *names]
    c1, c2 = st.columns(2)
    true_pick = c1.selectbox("True class", any_class, key="inspect_true")
    pred_pick = c2.selectbox("Predicted class", any_class, key="inspect_pred")
    found = mistakes(
        test.images,
        test.labels,
        result,
        names,
        true=None if true_pick == "any" else true_pick,
        predicted=None if pred_pick == "any" else pred_pick,
        order="confidence",
    )
    st.caption(f"{len(found)} misclassified test images")
    if found:
        st.plotly_chart(mistakes_figure(found), width="stretch", key="inspect_mistakes")
with cam:
    layers = grad_cam_layers(model)
    if layers:
        default = default_layer(model)
        where = st.selectbox("Layer", layers, index=layers.index(default), key="inspect_cam_layer")
        target = st.selectbox("Class to explain", ["predicted", *names], key="inspect_cam_class")
        heat = grad_cam(
            model,
            image,
            layer_name=where,
            class_index=None if target == "predicted" else names.index(target),
        )
        explained = as_text(guess if target == "predicted" else target)  # plotly draws it
        title = f"Where {where} looks for '{explained}'"
        st.plotly_chart(
            gradcam_overlay(image, heat, title=title), width="stretch", key="inspect_gradcam"
        )
    else:
        st.info("Grad-CAM needs a layer with feature maps; this model has none.")
