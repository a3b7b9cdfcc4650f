"""The Copy link control: this page's address with the session's experiment in it.

The link holds only the experiment (never the projector switch, a lesson or a desk), so
whoever opens it gets the same dataset, model, augmentation and hyper-parameters.
`st.code`'s own copy button needs a secure context, which a classroom reaching the app
at `http://<lan-ip>:8501` is not, so the button here falls back to `execCommand('copy')`.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from app_pages.session.links import experiment_token

HTML = '<button type="button">Copy link</button><span class="copied" role="status"></span>'
CSS = """
button { font: inherit; padding: 0.3rem 0.9rem; border-radius: 0.5rem; cursor: pointer;
         white-space: nowrap;
         border: 1px solid var(--st-border-color, #ccc); background: transparent;
         color: inherit; }
button:hover { border-color: var(--st-primary-color); color: var(--st-primary-color); }
.copied { margin-left: 0.6rem; }
"""
JS = """
export default function({ parentElement, data }) {
  const button = parentElement.querySelector('button');
  const said = parentElement.querySelector('.copied');
  button.onclick = async () => {
    try {
      if (!navigator.clipboard || !window.isSecureContext) throw new Error('insecure');
      await navigator.clipboard.writeText(data.url);
    } catch (e) {  // plain http to a LAN address: the old way still works there
      const area = document.createElement('textarea');
      area.value = data.url;
      area.style.position = 'fixed';
      area.style.opacity = '0';
      parentElement.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    said.textContent = 'Copied: paste it anywhere to open this experiment';
  };
}
"""
_copy_button = st.components.v2.component("cnnviz_copy_link", html=HTML, css=CSS, js=JS)


def share_url() -> str:
    """This page's address with the session's experiment: `http://HOST/PAGE?experiment=...`."""
    query = urlencode({"experiment": experiment_token(always=True) or ""})
    return f"{st.context.url or ''}?{query}"


def copy_link(key: str) -> None:
    """A Copy link button and, folded, the link itself to read or select by hand."""
    url = share_url()
    button, shown = st.columns([2, 3], vertical_alignment="center")
    with button:
        _copy_button(data={"url": url}, key=key)
    with shown.expander("The link to this experiment"):
        st.code(url, language=None, wrap_lines=True)
