"""The top of the projected Class page in classroom mode: where to join, the class code
(large), and a QR code of the address for phones and tablets."""

from __future__ import annotations

import html

import streamlit as st

from app_pages.server.classroom import join_address
from cnnviz.settings import settings

CARD = """<div class="cnnviz-join" role="group" aria-label="How to join this class">
<div><p class="cnnviz-join-label">Open</p><p class="cnnviz-join-big">{address}</p>
<p class="cnnviz-join-label">and join with the class code</p>
<p class="cnnviz-join-big cnnviz-join-code">{code}</p></div>
<div class="cnnviz-join-qr">{qr}</div></div>
<style>
.cnnviz-join {{ display: flex; gap: 2rem; align-items: center; flex-wrap: wrap;
  border: 2px solid #1f2937; border-radius: .75rem; padding: 1rem 1.5rem; }}
.cnnviz-join p {{ margin: 0; color: #111827; }}
.cnnviz-join-label {{ font-size: 1.1rem; }}
.cnnviz-join-big {{ font-size: 2.2rem; font-weight: 700; word-break: break-all; }}
.cnnviz-join-code {{ letter-spacing: .08em; }}
.cnnviz-join-qr img {{ width: 11rem; height: 11rem; image-rendering: pixelated; }}
</style>"""


def qr_image(text: str) -> str:
    """`text` as a QR code: an <img> (a PNG in a data URI) with its text as alt text."""
    import segno

    data = segno.make(text, error="m").png_data_uri(scale=6, border=2)
    alt = html.escape(f"QR code of {text}", quote=True)
    return f'<img src="{data}" alt="{alt}">'


def join_card() -> None:
    """Where students join (classroom mode only; solo: nothing)."""
    code = settings().class_code
    if code is None:
        return
    address = join_address()
    st.html(CARD.format(address=html.escape(address), code=html.escape(code), qr=qr_image(address)))
