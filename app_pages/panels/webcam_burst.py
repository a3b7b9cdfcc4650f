"""Data's burst recorder (Streamlit components v2): the webcam, **Hold to record** (about
ten photos a second) and **Snapshot**, filling a class of a dataset made in the browser.

The recorder sends frames as small square JPEGs in batches, one batch at a time: each
batch has a number, and the next leaves only when Python says (in the component's data)
that it has kept that one, so a burst reaches Python whole however slow the network, and
a batch sent again (after 8 s without an answer) is kept once. The camera's problems
(not https, refused, none) are said by `app_pages.panels.webcam.camera_problem`.
"""

from __future__ import annotations

import streamlit as st

from app_pages.panels.webcam import CAMERA_CSS, CAMERA_JS, camera_problem

BURST_HTML = """
<div class="cam">
  <video playsinline muted aria-label="camera"></video>
  <p class="problem" role="alert" hidden></p>
  <div class="row">
    <button type="button" class="hold">Hold to record</button>
    <button type="button" class="snap">Snapshot</button>
    <span class="said" role="status"></span>
  </div>
</div>
"""

BURST_JS = (
    CAMERA_JS
    + """
const PER_SECOND = 10, SIDE = 224, BATCH = 20, MAX_QUEUED = 600;
export default function({ data, parentElement, setStateValue }) {
  const root = parentElement;
  const st = root.__burst || (root.__burst = { queue: [], sent: data.stored || 0 });
  st.set = setStateValue;
  st.target = data.target;
  if (st.waiting && data.stored >= st.waiting) st.waiting = 0;
  const said = root.querySelector('.said'), video = root.querySelector('video');
  const flush = () => {
    if (st.waiting && Date.now() - st.since < 8000) return;  // kept? else send it again
    if (!st.waiting && !st.queue.length) return;
    if (!st.waiting) {
      const target = st.queue[0].target, images = [];
      while (st.queue.length && st.queue[0].target === target && images.length < BATCH) {
        images.push(st.queue.shift().image);
      }
      st.batch = { id: st.sent + 1, target, images };
      st.sent += 1;
    }
    st.waiting = st.batch.id; st.since = Date.now();
    st.set('batch', st.batch);
  };
  const take = () => {
    const image = grab(video, SIDE);
    if (image && st.queue.length < MAX_QUEUED) st.queue.push({ target: st.target, image });
    flush();
  };
  const hold = root.querySelector('.hold'), snap = root.querySelector('.snap');
  const start = () => {
    if (st.timer || !st.stream) return;
    hold.classList.add('on'); hold.textContent = 'Recording...';
    take(); st.timer = setInterval(take, 1000 / PER_SECOND);
  };
  const stop = () => {
    if (!st.timer) return;
    clearInterval(st.timer); st.timer = null;
    hold.classList.remove('on'); hold.textContent = 'Hold to record';
  };
  hold.onpointerdown = (e) => { hold.setPointerCapture(e.pointerId); start(); };
  hold.onpointerup = stop; hold.onpointercancel = stop; hold.onlostpointercapture = stop;
  const press = (e) => e.key === ' ' || e.key === 'Enter';
  hold.onkeydown = (e) => { if (press(e)) { e.preventDefault(); start(); } };
  hold.onkeyup = (e) => { if (press(e)) stop(); };
  hold.onblur = stop;
  snap.onclick = take;
  said.textContent = st.target ? 'Into: ' + st.target : '';
  st.flush = flush;
  if (!st.pump) st.pump = setInterval(() => st.flush(), 500);
  camera(st, root, setStateValue);
  flush();
  return () => { clearInterval(st.pump); st.pump = null; stopCamera(st); };
}
"""
)

_burst = st.components.v2.component(
    "cnnviz_webcam_burst", html=BURST_HTML, css=CAMERA_CSS, js=BURST_JS
)


def webcam_burst(*, key: str, target: str, stored: int) -> None:
    """The camera with **Hold to record** (ten photos a second) and **Snapshot**. Each
    batch reruns the page: the caller keeps it (`st.session_state[key]["batch"]`,
    `{"id", "target", "images"}`) before calling this.

    Args:
        target: the class the photos go into (shown; each batch names its own).
        stored: the number of the last batch kept (the recorder then sends the next).
    """
    _burst(
        key=key,
        data={"target": target, "stored": stored},
        default={"batch": None, "problem": None},
        on_batch_change=lambda: None,
        on_problem_change=lambda: None,
    )
    camera_problem(key)
