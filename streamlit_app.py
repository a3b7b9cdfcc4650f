"""cnnviz in the browser: routes to the pages and shows what is chosen in the sidebar.

Start with `streamlit run streamlit_app.py`. TensorFlow is imported only by the pages
that need it, so the first page opens quickly.
"""

import gc
import sys

import streamlit as st

# The process's first run, before our imports: Streamlit's own objects live as long as
# the server, so out of the collector's way the collections that those imports trigger
# stay cheap (~0.1-0.3 s less). Only once: freezing on every rerun would make any
# cyclic garbage alive at that moment immortal.
if "cnnviz" not in sys.modules:
    gc.freeze()

from app_pages.frame.desk import adopt_url_desk, current_desk, desk_gate  # noqa: E402
from app_pages.frame.feedback import show_notices  # noqa: E402
from app_pages.frame.projector import projector_style, projector_switch  # noqa: E402
from app_pages.frame.state import init_state  # noqa: E402
from app_pages.panels.lesson_card import lesson_panel  # noqa: E402
from app_pages.server.process import settle_imports  # noqa: E402
from app_pages.server.runs import first_run  # noqa: E402
from app_pages.server.uploads import forget_gone_sessions_uploads  # noqa: E402
from app_pages.server.warmup import start_warmup  # noqa: E402
from app_pages.session.training import notice_ended_job  # noqa: E402
from app_pages.session.url import page_name, sync_url  # noqa: E402
from cnnviz.settings import quiet_tensorflow  # noqa: E402

quiet_tensorflow()  # TensorFlow's start-up chatter (CUDA probes, CPU flags) is not for learners

st.set_page_config(page_title="cnnviz: CNN explorer", page_icon=":material/grid_on:", layout="wide")
settle_imports()  # once TensorFlow is in, Streamlit's collections between reruns stay cheap
if "cnnviz_run" not in st.session_state:  # a new session (or a refresh): the newest run
    init_state()
    st.session_state.cnnviz_run = first_run(None)
adopt_url_desk()  # ?desk=NAME: a refresh or a link names this session's desk
init_state()

PAGES = [
    st.Page("app_pages/concepts.py", title="Concepts", icon=":material/school:", default=True),
    st.Page("app_pages/lessons.py", title="Lessons", icon=":material/menu_book:"),
    st.Page("app_pages/data.py", title="Data", icon=":material/photo_library:"),
    st.Page("app_pages/build.py", title="Build", icon=":material/layers:"),
    st.Page("app_pages/augment.py", title="Augment", icon=":material/auto_fix_high:"),
    st.Page("app_pages/train.py", title="Train", icon=":material/model_training:"),
    st.Page("app_pages/inspect.py", title="Inspect", icon=":material/visibility:"),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("app_pages/predict.py", title="Predict", icon=":material/psychology:"),
    st.Page("app_pages/class_.py", title="Class", icon=":material/groups:", url_path="class"),
]
page = st.navigation(PAGES, position="sidebar" if current_desk() else "hidden")

try:
    query = sync_url(page)  # links in (?desk, ?experiment, ?run, ?lesson, ...), state out
    if desk_gate():  # a newcomer names a desk first; the page then runs as asked
        notice_ended_job(page_name(page))  # a job that ended meanwhile: the current run
        with st.sidebar:  # what the learner chose, shown as text (plain): never as Markdown
            from app_pages.frame.feedback import plain, runs_folder_warning
            from app_pages.server.datasets import dataset_label

            st.markdown("### cnnviz")
            st.markdown(f"**Desk:** {plain(current_desk())}")
            size = st.session_state.cnnviz_image_size
            resized = f" at {size[0]} × {size[1]}" if size else ""
            dataset = plain(dataset_label(st.session_state.cnnviz_dataset))
            st.markdown(f"**Dataset:** {dataset}{resized}")
            spec = st.session_state.cnnviz_spec
            name, count = plain(spec.get("name", "model")), len(spec.get("layers", []))
            st.markdown(f"**Model:** {name} ({count} layers)")
            run = st.session_state.cnnviz_run
            st.markdown(f"**Run:** {plain(run)}" if run else "**Run:** none yet")
            projector_switch()
            runs_folder_warning()

        projector_style(query)
        show_notices(page_name(page))
        lesson_panel(page_name(page))
        page.run()
finally:  # the first page is drawn (even if it stopped early): import TensorFlow behind it
    start_warmup()
    forget_gone_sessions_uploads()  # the in-memory uploads of browsers gone for good
