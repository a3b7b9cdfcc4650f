"""Predict's live camera (Streamlit components v2): the answer and Grad-CAM follow the
webcam, a few times a second, with **Pause**.

The component sends frames (the middle square, small JPEGs) at most one every GAP_MS and
at most AHEAD beyond the last one answered (its number comes back in the component's
data). A frame that arrives while the fragment answers the one before does not interrupt
it: Streamlit queues the fragment's next run, keeping only the newest frame. So the
server always has the next frame at hand, and the answers keep pace with it without
piling up. Only the fragment reruns, not the page: the answer's bars, and where the model
looked as one picture (`cnnviz.figures.predictions.gradcam_picture`, its sentence as alt
text), which the browser swaps far faster than it redraws a figure; a Camera snapshot
(Live off) shows the whole figure and its table. The camera's problems (not https,
refused, none) are said by `app_pages.panels.webcam.camera_problem`.
"""

from __future__ import annotations

import streamlit as st

from app_pages.frame.feedback import plain, show_error
from app_pages.frame.figures import show_figure
from app_pages.panels.predict_why import heading
from app_pages.panels.webcam import CAMERA_CSS, CAMERA_JS, camera_problem, jpeg_bytes
from cnnviz.errors import CnnvizError
from cnnviz.figures.predictions import gradcam_picture, prediction_bars

KEY = "predict_live"
GAP_MS = 100  # at most 10 frames a second, fewer when the server answers slower
AHEAD = 2  # frames sent beyond the last one answered
SIDE = 224  # the picture of where the model looked, pixels a side (small inputs enlarged)

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


def live_reasons(model, data: bytes, shape, names: list[str]):
    """One frame's answer and where the model looked (no Streamlit call: the live camera
    benchmark times it).

    Returns:
        (`cnnviz.predict.Prediction`, uint8 picture (h, w, 3) or None when the model has
        no feature maps for Grad-CAM, its alt text or None).

    Raises:
        CnnvizError: not an image cnnviz can read.
    """
    from cnnviz.gradcam import grad_cam, grad_cam_layers
    from cnnviz.images import enlarge
    from cnnviz.predict import predict, prepare_image

    image = prepare_image(data, shape, name="camera")
    answer = predict(model, image, names, top_k=min(5, len(names)), caption="camera")
    if not grad_cam_layers(model):
        return answer, None, None
    heat = grad_cam(model, image, class_index=answer.label)
    title = f"Where the model looked for '{answer.name}'"
    picture, text = gradcam_picture(image, heat, title=title, max_side=SIDE)
    return answer, enlarge(picture, side=SIDE), text


def _answer(model, data: bytes | None, shape, names: list[str]) -> None:
    if data is None:
        st.info("Waiting for the camera: allow it, and point it at something.")
        return
    try:
        answer, picture, text = live_reasons(model, data, shape, names)
    except CnnvizError as err:
        show_error(err)
        return
    st.subheader(heading(answer))
    show_figure(prediction_bars(answer), key="predict_bars")
    if picture is not None:
        caption = f"Where the model looked for '{plain(answer.name)}' (red: most)"
        st.image(picture, caption=caption, alt=text, output_format="JPEG", width=SIDE + 96)


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
    with right:
        _answer(model, jpeg_bytes(frame.get("image")), shape, names)
    with camera:
        _live(
            key=KEY,
            data={"answered": int(frame.get("id") or 0)},
            default={"frame": None, "problem": None},
            on_frame_change=lambda: None,
            on_problem_change=lambda: None,
        )
        camera_problem(KEY)
