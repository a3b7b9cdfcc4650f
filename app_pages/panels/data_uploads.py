"""A desk's uploads on Data: each with its size, **Share with every desk** (then every desk
sees the images of runs trained on it) and **Delete**; they are the desk's own."""

from __future__ import annotations

import streamlit as st

from app_pages.frame.desk import current_desk
from app_pages.frame.feedback import plain, show_error
from cnnviz.desk_uploads import desk_uploads, remove_upload, share_upload
from cnnviz.errors import CnnvizError


def _act(action, *args, **kwargs) -> None:
    try:
        action(*args, **kwargs)
    except CnnvizError as err:
        st.session_state.data_uploads_error = str(err)


def _share(upload_id: str, key: str) -> None:
    _act(share_upload, upload_id, desk=current_desk(), shared=st.session_state[key])


def uploads_list() -> None:
    """The desk's uploads (nothing when it has none)."""
    desk = current_desk()
    found = desk_uploads(desk)
    if not found:
        return
    with st.expander(f"Your uploads ({len(found)})", icon=":material/folder_zip:"):
        for number, upload in enumerate(found):
            name, share, delete = st.columns([4, 3, 1], vertical_alignment="center")
            name.markdown(f"**{plain(upload.label)}** · {upload.bytes / 1e6:.1f} MB")
            if desk is not None:  # a learner alone has no other desk to share with
                key = f"data_share_{number}"
                st.session_state[key] = upload.shared
                share.toggle(
                    "Share with every desk",
                    key=key,
                    on_change=_share,
                    args=(upload.id, key),
                    help="Shared: every desk sees the images of runs trained on it.",
                )
            delete.button(
                "Delete",
                key=f"data_delete_{number}",
                on_click=_act,
                args=(remove_upload, upload.id),
                kwargs={"desk": desk},
                help=f"Delete {upload.label} from the server (runs trained on it stay).",
            )
        if st.session_state.get("data_uploads_error"):
            show_error(st.session_state.pop("data_uploads_error"))
