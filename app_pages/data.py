"""Data: choose the images a model learns from, and look at them before training."""

import streamlit as st

from app_pages.frame.feedback import show_error
from app_pages.frame.state import init_state
from app_pages.panels.data_preview import dataset_preview
from app_pages.panels.data_source import source_picker
from app_pages.panels.data_uploads import uploads_list
from app_pages.session.dataset import current_dataset
from cnnviz.errors import CnnvizError

init_state()
st.title("Data")
st.caption(
    "Pick a dataset: Build, Train and Inspect all use it. Look at a few images of "
    "each class, and at how many there are, before you train."
)
source_picker()
uploads_list()
if st.session_state.data_error:
    show_error(CnnvizError(st.session_state.data_error))

dataset = current_dataset()
if dataset is not None:
    dataset_preview(dataset)
