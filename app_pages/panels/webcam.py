"""The webcam in the page (Streamlit components v2, getUserMedia): what the camera
components share (`webcam_burst` on Data, `live_camera` on Predict).

A browser gives a page the camera only in a secure context (https, or localhost): on a
class network reached as `http://10.0.0.5:8501` there is no `navigator.mediaDevices` at
all. The camera's JavaScript says which problem it met (`PROBLEMS`: not secure, no camera
API, refused, no camera) in the component's state, and `camera_problem` says what to do.

Frames reach Python as small square JPEGs (data URLs): the middle square of the picture,
which is what the video shows.
"""

from __future__ import annotations

import base64

import streamlit as st

from app_pages.frame.feedback import show_error

PROBLEMS = {
    "insecure": "This page is not a secure context, so the browser gives it no camera: it "
    "opened the app over plain http at a network address. Open it over https (the "
    "README's Classroom section shows how to serve cnnviz over HTTPS with a self-signed "
    "certificate: streamlit run ... --server.sslCertFile cert.pem --server.sslKeyFile "
    "key.pem), or as http://localhost:8501 on the machine that runs it.",
    "unsupported": "This browser gives pages no camera (no navigator.mediaDevices): use a "
    "recent Chrome, Edge, Firefox or Safari, over https (see the README's Classroom "
    "section on HTTPS).",
    "denied": "The camera was refused: allow this site to use the camera (the camera icon "
    "in the address bar, or the browser's site settings), then reload the page.",
    "nocamera": "No camera was found: plug one in (or close the app that holds it), then "
    "reload the page.",
    "failed": "The camera could not be started: close other apps or tabs that use it, then "
    "reload the page.",
}

CAMERA_CSS = """
.cam { display: flex; flex-direction: column; gap: 0.5rem; align-items: flex-start; }
video { width: 100%; max-width: 320px; aspect-ratio: 1; object-fit: cover;
        border-radius: 8px; background: #000; border: 2px solid var(--st-primary-color); }
.row { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
button { font: inherit; padding: 0.3rem 0.9rem; border-radius: 6px; cursor: pointer;
         border: 1px solid var(--st-border-color, #ccc); background: transparent;
         color: inherit; touch-action: none; user-select: none; }
button:disabled { opacity: 0.5; cursor: default; }
button.on { background: #b00020; color: #fff; border-color: #b00020; }
.problem { color: #b00020; margin: 0; }
"""

# camera(st, root, setStateValue): the stream once per mounted component, kept on `st`;
# grab(video, side): the middle square of the picture as a JPEG data URL, side x side.
CAMERA_JS = """
async function camera(st, root, setStateValue) {
  const video = root.querySelector('video');
  if (st.stream && video.srcObject !== st.stream) {
    video.srcObject = st.stream;
    video.play().catch(() => {});
  }
  if (st.stream) return;
  if (st.starting) return;
  st.starting = true;
  const problem = (code) => {
    root.querySelector('.problem').hidden = false;
    root.querySelector('.problem').textContent = 'No camera here (' + code + '): see below.';
    root.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    setStateValue('problem', code);
  };
  if (!window.isSecureContext) return problem('insecure');
  const media = navigator.mediaDevices;
  if (!media || !media.getUserMedia) return problem('unsupported');
  try {
    st.stream = await media.getUserMedia(
      { video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
  } catch (e) {
    const name = e && e.name;
    if (name === 'NotAllowedError' || name === 'SecurityError') return problem('denied');
    if (name === 'NotFoundError' || name === 'OverconstrainedError') return problem('nocamera');
    return problem('failed');
  }
  video.srcObject = st.stream;
  video.play().catch(() => {});
}
function grab(video, side) {
  const w = video.videoWidth, h = video.videoHeight;
  if (!w || !h) return null;
  const s = Math.min(w, h), c = document.createElement('canvas');
  c.width = side; c.height = side;
  c.getContext('2d').drawImage(video, (w - s) / 2, (h - s) / 2, s, s, 0, 0, side, side);
  return c.toDataURL('image/jpeg', 0.85);
}
function stopCamera(st) {
  if (st.timer) clearInterval(st.timer);
  if (st.stream) st.stream.getTracks().forEach((t) => t.stop());
  st.stream = null;
}
"""


def jpeg_bytes(data_url: object) -> bytes | None:
    """The bytes of a JPEG data URL the camera sent, or None for anything else."""
    head = "data:image/jpeg;base64,"
    if not isinstance(data_url, str) or not data_url.startswith(head):
        return None
    try:
        return base64.b64decode(data_url[len(head) :], validate=True)
    except ValueError:
        return None


def camera_problem(key: str) -> None:
    """Say what to do when the camera component `key` found no camera."""
    code = (st.session_state.get(key) or {}).get("problem")
    if code:
        show_error(PROBLEMS.get(code, PROBLEMS["failed"]))
