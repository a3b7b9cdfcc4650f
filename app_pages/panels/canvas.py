"""A small drawing canvas (Streamlit components v2): draw a digit, get a PNG back.

The published streamlit-drawable-canvas does not import on Streamlit 1.67, so this is
the project's own: white ink on black, like the digits the model was trained on. When
the pen lifts, the drawing is sent to Python as a PNG data URL in the component state.
"""

from __future__ import annotations

import base64

import streamlit as st

HTML = """
<div class="pad">
  <canvas width="280" height="280" aria-label="drawing canvas"></canvas>
  <button type="button">Clear</button>
</div>
"""

CSS = """
.pad { display: flex; flex-direction: column; gap: 0.5rem; align-items: flex-start; }
canvas { background: #000; border-radius: 8px; touch-action: none; cursor: crosshair;
         border: 2px solid var(--st-primary-color); }
button { font: inherit; padding: 0.25rem 0.9rem; border-radius: 6px; cursor: pointer;
         border: 1px solid var(--st-border-color, #ccc); background: transparent;
         color: inherit; }
"""

JS = """
export default function(component) {
  const { setStateValue, parentElement } = component;
  const canvas = parentElement.querySelector('canvas');
  const clear = parentElement.querySelector('button');
  const ctx = canvas.getContext('2d');
  const reset = () => { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, 280, 280); };
  if (!canvas.dataset.ready) { reset(); canvas.dataset.ready = '1'; }
  ctx.strokeStyle = '#fff'; ctx.lineWidth = 22; ctx.lineCap = 'round'; ctx.lineJoin = 'round';
  let drawing = false;
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * 280 / r.width, (e.clientY - r.top) * 280 / r.height];
  };
  canvas.onpointerdown = (e) => {
    drawing = true; canvas.setPointerCapture(e.pointerId);
    const [x, y] = at(e); ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x, y); ctx.stroke();
  };
  canvas.onpointermove = (e) => {
    if (!drawing) return;
    const [x, y] = at(e); ctx.lineTo(x, y); ctx.stroke();
  };
  const finish = () => {
    if (!drawing) return;
    drawing = false;
    setStateValue('image', canvas.toDataURL('image/png'));
  };
  canvas.onpointerup = finish;
  canvas.onpointerleave = finish;
  clear.onclick = () => { reset(); setStateValue('image', null); };
}
"""

_canvas = st.components.v2.component("cnnviz_draw_canvas", html=HTML, css=CSS, js=JS)


def drawing_canvas(*, key: str) -> bytes | None:
    """Show the canvas; returns the drawing as PNG bytes, or None before any drawing."""
    result = _canvas(key=key, default={"image": None}, on_image_change=lambda: None)
    data_url = getattr(result, "image", None)
    if not data_url or not data_url.startswith("data:image/png;base64,"):
        return None
    return base64.b64decode(data_url.split(",", 1)[1])
