"""cnnviz in the browser: routes to the pages and shows what is chosen in the sidebar.

Start with `streamlit run streamlit_app.py`. TensorFlow is imported only by the pages
that need it, so the first page opens quickly.
"""

import gc
import os
import sys

import streamlit as st

# The process's first run, before our imports: Streamlit's own objects live as long as
# the server, so out of the collector's way the collections that those imports trigger
# stay cheap (~0.1-0.3 s less). Only once: freezing on every rerun would make any
# cyclic garbage alive at that moment immortal.
if "cnnviz" not in sys.modules:
    gc.freeze()

from app_pages._state import init_state  # noqa: E402

# TensorFlow's start-up chatter (CUDA probes, CPU flags) is not for learners.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

st.set_page_config(page_title="cnnviz: CNN explorer", page_icon=":material/grid_on:", layout="wide")
init_state()

PAGES = [
    st.Page("app_pages/concepts.py", title="Concepts", icon=":material/school:", default=True),
    st.Page("app_pages/data.py", title="Data", icon=":material/photo_library:"),
    st.Page("app_pages/build.py", title="Build", icon=":material/layers:"),
    st.Page("app_pages/augment.py", title="Augment", icon=":material/auto_fix_high:"),
    st.Page("app_pages/train.py", title="Train", icon=":material/model_training:"),
    st.Page("app_pages/inspect.py", title="Inspect", icon=":material/visibility:"),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("app_pages/predict.py", title="Predict", icon=":material/psychology:"),
]
page = st.navigation(PAGES)

with st.sidebar:
    st.markdown("### cnnviz")
    size = st.session_state.cnnviz_image_size
    resized = f" at {size[0]} × {size[1]}" if size else ""
    st.markdown(f"**Dataset:** `{st.session_state.cnnviz_dataset}`{resized}")
    spec = st.session_state.cnnviz_spec
    st.markdown(f"**Model:** `{spec.get('name', 'model')}` ({len(spec.get('layers', []))} layers)")
    run = st.session_state.cnnviz_run
    st.markdown(f"**Run:** `{run}`" if run else "**Run:** none yet")

page.run()
