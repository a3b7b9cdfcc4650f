"""Inspect: look inside a trained network, one image at a time, and at its mistakes."""

import streamlit as st

from app_pages.frame.feedback import plain, show_error
from app_pages.frame.figures import show_figure
from app_pages.frame.state import init_state
from app_pages.panels.coach import coach_panel
from app_pages.panels.delete_run import delete_run_button
from app_pages.panels.epochs import class_accuracy_chart, epoch_picker
from app_pages.panels.export import export_panel
from app_pages.panels.inspect_confusion import confusion_panel
from app_pages.panels.inspect_filters import filters_panel
from app_pages.panels.inspect_gradcam import gradcam_panel
from app_pages.panels.inspect_maps import maps_panel
from app_pages.panels.inspect_mistakes import mistakes_panel
from app_pages.panels.inspect_scores import scores_panel
from app_pages.panels.run_picker import pick_run
from app_pages.panels.run_summary import run_summary
from app_pages.server.runs import evaluation, images_hidden, run_and_model
from cnnviz.data import rescale
from cnnviz.errors import CnnvizError
from cnnviz.features import feature_maps
from cnnviz.figures.overview import network_overview
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
    shown_run = load_run(run_id)
    hidden = images_hidden(shown_run)
    if hidden:  # another desk's upload, not shared: its numbers, not its images
        run_summary(shown_run, hidden)
        st.stop()
    epoch = epoch_picker(shown_run, key="inspect_epoch")
    run, model = run_and_model(run_id, epoch)
    test, result = evaluation(run_id, epoch)
except CnnvizError as err:
    show_error(err)
    st.stop()
names = list(run.config["class_names"])

after = "" if epoch is None else f" after epoch {epoch}"
score, remove = st.columns([4, 1], vertical_alignment="bottom")
score.metric(f"Test accuracy{after}", f"{result.metrics.accuracy:.1%}")
with remove:
    delete_run_button(run, key="inspect_delete")
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
show_figure(
    network_overview(image, activations, result.probabilities[index], names, predicted=predicted),
    key="inspect_overview",
)

maps, kernels, confusion, wrong, cam, out = st.tabs(
    ["Layer maps", "Filters", "Confusion matrix", "Mistakes", "Grad-CAM", "Export"]
)
with maps:
    maps_panel(model, image, activations)
with kernels:
    filters_panel(model)
with confusion:
    confusion_panel(run_id, model, test, result, names)
    scores_panel(result.metrics, names)
    class_accuracy_chart(run, epoch=epoch, key="inspect_class_curves")
with wrong:
    mistakes_panel(test, result, names)
with cam:
    gradcam_panel(model, image, names, predicted)
with out:
    export_panel(run, epoch=epoch, key="inspect_export")
