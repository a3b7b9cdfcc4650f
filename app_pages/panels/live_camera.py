"""Predict's live camera (Streamlit components v2): the answer and Grad-CAM follow the
webcam, a few times a second, with **Pause**.

The component sends frames (the middle square, small JPEGs) at most one every GAP_MS and
at most AHEAD beyond the last one answered (its number comes back in the component's
data). A frame that arrives while the fragment answers the one before does not interrupt
it: Streamlit queues the fragment's next run, keeping only the newest frame. So the
server always has the next frame at hand, and the answers keep pace with it without
piling up. Only the fragment reruns: the answer (`reasons` without the whole network),
not the page. The camera's problems (not https, refused, none) are said by
`app_pages.panels.webcam.camera_problem`.
"""

from __future__ import annotations

import streamlit as st

from app_pages.panels.predict_why import show_reasons
from app_pages.panels.webcam import CAMERA_CSS, CAMERA_JS, camera_problem, jpeg_bytes

KEY = "predict_live"
GAP_MS = 100  # at most 10 frames a second, fewer when the server answers slower
AHEAD = 2  # frames sent beyond the last one answered
HEAT_SIDE = 64  # Grad-CAM drawn at most 64 x 64: a 224 x 224 one is 1 MB of figure a frame

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
    + f"const SIDE = 224, GAP_MS = {GAP_MS}, AHEAD = {AHEAD};"
    + """
export default function({ data, parentElement, setStateValue }) {
  const root = parentElement;
  const start = data.answered || 0;
  const st = root.__live || (root.__live = { sent: start, answered: start, answers: 0 });
  st.set = setStateValue;
  const video = root.querySelector('video'), pause = root.querySelector('.pause');
  if ((data.answered || 0) > st.answered) {
    st.answered = data.answered; st.answers += 1; st.heard = Date.now();
  }
  video.dataset.answers = st.answers;  // answers shown so far (tests and benchmarks read it)
  st.send = () => {
    if (st.paused || !st.stream) return;
    const now = Date.now();
    if (now - (st.since || 0) < GAP_MS) return;
    const stalled = now - Math.max(st.heard || 0, st.since || 0) > 5000;  // lost: go on
    if (st.sent - st.answered >= AHEAD && !stalled) return;
    const image = grab(video, SIDE);
    if (!image) return;
    st.sent += 1; st.since = now;
    if (stalled) st.answered = st.sent - 1;
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
        camera = st.container()  # filled last: it says which frame is answered, once it is
    data = jpeg_bytes(frame.get("image"))
    show_reasons(right, model, data, "camera", shape, names, network=False, heat_side=HEAT_SIDE)
    with camera:
        _live(
            key=KEY,
            data={"answered": int(frame.get("id") or 0)},
            default={"frame": None, "problem": None},
            on_frame_change=lambda: None,
            on_problem_change=lambda: None,
        )
        camera_problem(KEY)
