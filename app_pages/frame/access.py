"""What every page needs to be usable by everyone: readable contrast, a visible keyboard
focus, and live news said politely to screen readers.

`access_style()` (the router, every run) adds the CSS that Streamlit's own theme leaves
out: its grey captions (#828180 on white, 3.9:1) and the colours of its code highlighting
(2.6-2.8:1) fall short of WCAG AA's 4.5:1, and several widgets show keyboard focus only as
a faint grey background. `announce(text)` puts news (training progress, a place in the
queue) in a polite live region (``role="status"``, ``aria-live="polite"``): a screen
reader says it when the text changes, without moving the focus.
"""

from __future__ import annotations

import json

import streamlit as st

FOCUS = "#1d4ed8"  # 6.7:1 on white: a focus ring needs 3:1 against what is around it
CAPTION = "#5c5a58"  # 6.7:1 on white, 6.3:1 on the sidebar's #f8f8f7
CODE = {  # prism's token classes: colours of 4.5:1 or more on Streamlit's code background
    "comment, .token.punctuation, .token.prolog": "#57606a",
    "attr-name, .token.property, .token.variable": "#0550ae",
    "boolean, .token.constant, .token.symbol": "#116329",
    "number, .token.regex": "#0a5c5c",
    "string, .token.char, .token.attr-value": "#0a3069",
    "operator, .token.entity, .token.decorator, .token.atrule": "#953800",
    "url": "#6639ba",
    "keyword, .token.tag, .token.function, .token.class-name, .token.selector": "#1d4ed8",
    "important, .token.deleted": "#a40e26",
}
_TOKENS = "\n".join(
    f"[data-testid='stCode'] .token.{names} {{ color: {color} !important; }}"
    for names, color in CODE.items()
)
CSS = f"""<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {{
  color: {CAPTION} !important; opacity: 1 !important; }}
{_TOKENS}
:is(a, button, summary, textarea, [role="tab"],
    [tabindex="0"]:not(input, [data-testid="stMain"])):focus-visible,
label:has(input:focus-visible), [data-testid="stNumberInputContainer"]:has(input:focus-visible),
[data-testid="stTextInputRootElement"]:has(input:focus-visible),
[data-testid="stSelectbox"] [role="group"]:has(input:focus-visible),
[data-testid="stMultiSelect"] [role="group"]:has(input:focus-visible),
[data-testid="stSlider"] div:has(> div > input:focus-visible) {{
  outline: 3px solid {FOCUS} !important; outline-offset: 2px !important; }}
[data-testid="stElementToolbar"]:has(:focus-visible) {{ opacity: 1 !important; }}
</style>"""

# A region outside Streamlit's own tree, made once per browser tab: it stays put while
# pages rerun, so only its text changes, which is what a screen reader announces.
_SAY = """<script>(() => {
  const id = "cnnviz-status", text = %s;
  let box = document.getElementById(id);
  const say = () => { if (box.textContent !== text) box.textContent = text; };
  if (box) return say();
  box = document.createElement("div");
  box.id = id;
  box.setAttribute("role", "status");
  box.setAttribute("aria-live", "polite");
  box.setAttribute("aria-atomic", "true");
  box.style.cssText = "position:absolute;width:1px;height:1px;margin:-1px;padding:0;" +
    "overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0;";
  document.body.appendChild(box);
  setTimeout(say, 150);  // a region says only changes: give it its text once it is there
})();</script>"""


def access_style() -> None:
    """Contrast and focus CSS for the page (the router, every run)."""
    st.html(CSS)


def announce(text: str) -> None:
    """Say `text` politely to screen readers, once per change (the page's live region).

    Args:
        text: plain text (a name the user typed stays text: it is never parsed as HTML).
    """
    quoted = json.dumps(str(text)).replace("<", "\\u003c")  # never ends the script
    st.html(_SAY % quoted, unsafe_allow_javascript=True)
