"""cnnviz in the browser: routes to the pages and shows what is chosen in the sidebar.

Start with `streamlit run streamlit_app.py`. Streamlit's server imports this file once to
find `app`, an `st.App` with the routes that set the desk and teacher cookies
(`app_pages.server.cookies`); then it runs it as the script of every page run, where
`route()` draws the frame and the page. TensorFlow is imported only by the pages that
need it, so the first page opens quickly.
"""

import gc
import sys
from pathlib import Path

import streamlit as st

# The process's first run, before our imports: Streamlit's own objects live as long as
# the server, so out of the collector's way the collections that those imports trigger
# stay cheap (~0.1-0.3 s less). Only once: freezing on every rerun would make any
# cyclic garbage alive at that moment immortal.
if __name__ == "__main__" and "cnnviz" not in sys.modules:
    gc.freeze()

# The tab's icon, drawn by us: Streamlit fetches a ":material/...:" page icon from
# fonts.gstatic.com, and a school's LAN may have no internet (an SVG goes inline).
ICON = str(Path(__file__).with_name("assets") / "icon.svg")
PAGES = [  # (script, title, icon): the sidebar, in this order
    ("concepts", "Concepts", "school"),
    ("lessons", "Lessons", "menu_book"),
    ("data", "Data", "photo_library"),
    ("build", "Build", "layers"),
    ("augment", "Augment", "auto_fix_high"),
    ("train", "Train", "model_training"),
    ("inspect", "Inspect", "visibility"),
    ("compare", "Compare", "compare_arrows"),
    ("predict", "Predict", "psychology"),
    ("class_", "Class", "groups"),
]


def route() -> None:
    """One page run: who this is, the navigation, links in, the frame, the page."""
    from app_pages.frame.access import access_style
    from app_pages.frame.desk import classroom_without_desk, verify_identity
    from app_pages.frame.feedback import show_notices
    from app_pages.frame.projector import projector_style
    from app_pages.frame.state import arrived_at, init_state
    from app_pages.panels.join import join_form
    from app_pages.panels.lesson_card import lesson_panel
    from app_pages.panels.sidebar import sidebar
    from app_pages.server.process import settle_imports
    from app_pages.server.runs import first_run
    from app_pages.server.uploads import forget_gone_sessions_uploads
    from app_pages.server.warmup import start_warmup
    from app_pages.session.class_task import take_class_task
    from app_pages.session.sent import take_teacher_send
    from app_pages.session.training import notice_ended_job
    from app_pages.session.url import page_name, sync_url

    st.set_page_config(page_title="cnnviz: CNN explorer", page_icon=ICON, layout="wide")
    settle_imports()  # once TensorFlow is in, Streamlit's collections stay cheap
    verify_identity()  # the desk and teacher cookies, checked every run
    if "cnnviz_run" not in st.session_state:  # a new session (or a refresh): the newest run
        init_state()
        st.session_state.cnnviz_run = first_run(st.session_state.get("cnnviz_desk"))
    init_state()
    pages = [
        st.Page(
            f"app_pages/{script}.py",
            title=title,
            icon=f":material/{icon}:",
            default=script == "concepts",
            **({"url_path": "class"} if script == "class_" else {}),
        )
        for script, title, icon in PAGES
    ]
    newcomer = classroom_without_desk()
    page = st.navigation(pages, position="hidden" if newcomer else "sidebar")
    try:
        query = sync_url(page)  # links in (?experiment, ?run, ?lesson, ...), state out
        name = page_name(page)
        access_style()  # contrast and a visible keyboard focus, on every page
        if newcomer and name != "class":  # a newcomer joins first; the Class page is open
            join_form()
            return
        arrived = arrived_at(name)
        notice_ended_job(arrived)  # a job that ended meanwhile: the current run
        take_teacher_send(arrived)  # what the teacher sent, at the next page change
        take_class_task(arrived)  # this desk's combination of the class experiment
        sidebar()
        projector_style(query)
        show_notices(name)
        lesson_panel(name)
        page.run()
    finally:  # the first page is drawn (even if it stopped early): TensorFlow behind it
        start_warmup()
        forget_gone_sessions_uploads()  # the in-memory uploads of browsers gone for good


def server_routes() -> list:
    """The cookie routes of the app's own server (Streamlit imports this file once to
    find `app`); in classroom mode the server first says where students join."""
    from app_pages.server.classroom import announce
    from app_pages.server.cookies import routes
    from cnnviz.errors import CnnvizError
    from cnnviz.settings import quiet_tensorflow, settings

    quiet_tensorflow()  # TensorFlow's start-up chatter is not for learners (workers too)
    try:
        announce(settings())
    except CnnvizError as err:  # a malformed setting (a short teacher code): no server
        print(f"error: {err}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    return routes()


if __name__ == "__main__":  # a page run
    route()
else:  # Streamlit's server, importing this file
    app = st.App(__file__, routes=server_routes())
