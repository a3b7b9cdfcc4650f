"""Predict's live camera (Streamlit components v2): the answer and Grad-CAM follow the
webcam, a few times a second, with **Pause**.

The component sends one frame (the middle square, a small JPEG) at a time and the next
only when the fragment has answered it (the frame's number comes back in the component's
data), at most one every GAP_MS: the answers keep pace with the server, never queue up
behind it. Only the fragment reruns: the answer (`reasons` without the whole network),
not the page. The camera's problems (not https, refused, none) are said by
`app_pages.panels.webcam.camera_problem`.
"""

from __future__ import annotations

import streamlit as st

from app_pages.panels.predict_why import show_reasons
from app_pages.panels.webcam import CAMERA_CSS, CAMERA_JS, camera_problem, jpeg_bytes

KEY = "predict_live"
GAP_MS = 120  # at most about 8 frames a second, fewer when the server answers slower

LIVE_HTML = """
<div class="cam">
  <video playsinline muted aria-label="live camera"></video>
  <p class="problem" role="alert" hidden></p>
  <div class="row">
    <button type="button" class="pause" aria-pressed="false">Pause</button>
  </div>
</div>
"""

LIVE_JS = (
    CAMERA_JS
    + f"const SIDE = 224, GAP_MS = {GAP_MS};"
    + """
export default function({ data, parentElement, setStateValue }) {
  const root = parentElement;
  const st = root.__live || (root.__live = { sent: data.answered || 0, answers: 0 });
  st.set = setStateValue;
  const video = root.querySelector('video'), pause = root.querySelector('.pause');
  if (st.waiting && data.answered >= st.waiting) {
    st.waiting = 0; st.answers += 1;
  }
  video.dataset.answers = st.answers;  // answers shown so far (tests and benchmarks read it)
  st.send = () => {
    if (st.paused || !st.stream) return;
    const now = Date.now();
    if (st.waiting && now - st.since < 5000) return;  // not answered yet: send it again later
    if (now - (st.since || 0) < GAP_MS) return;
    const image = grab(video, SIDE);
    if (!image) return;
    st.sent += 1; st.waiting = st.sent; st.since = now;
    st.set('frame', { id: st.sent, image });
  };
  if (!st.pump) st.pump = setInterval(() => st.send(), 30);
  pause.onclick = () => {
    st.paused = !st.paused;
    pause.textContent = st.paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(st.paused));
    if (st.paused) video.pause(); else video.play().catch(() => {});
  };
  camera(st, root, setStateValue);
  return () => { clearInterval(st.pump); st.pump = null; stopCamera(st); };
}
"""
)

_live = st.components.v2.component("cnnviz_live_camera", html=LIVE_HTML, css=CAMERA_CSS, js=LIVE_JS)


@st.fragment
def live_camera(model, shape, names: list[str]) -> None:
    """The camera and its answer: each frame reruns only this fragment."""
    frame = (st.session_state.get(KEY) or {}).get("frame") or {}
    left, right = st.columns([1, 2], gap="large")
    with left:
        st.caption(
            "The answer and where the model looked follow the camera. **Pause** holds "
            "the picture and its answer."
        )
        camera = st.container()  # filled last: the next frame leaves once this one is answered
    show_reasons(
        right, model, jpeg_bytes(frame.get("image")), "camera", shape, names, network=False
    )
    with camera:
        _live(
            key=KEY,
            data={"answered": int(frame.get("id") or 0)},
            default={"frame": None, "problem": None},
            on_frame_change=lambda: None,
            on_problem_change=lambda: None,
        )
        camera_problem(KEY)
