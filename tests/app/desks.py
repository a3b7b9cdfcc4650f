"""Several desks for the app tests: runs copied under each desk, jobs, the whole app."""

import json
import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

TINY = {  # a model that trains in a moment
    "name": "tiny",
    "layers": [
        {"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu"},
        {"type": "Flatten"},
        {"type": "Dense", "units": "num_classes", "activation": "softmax"},
    ],
}


ROUTER = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def owned_copy(root: Path, run_id: str, owner: str | None, suffix: str) -> str:
    """A copy of run `run_id` under the id `<run_id>-<suffix>`, belonging to `owner`.

    Listings are newest first by id, so a later suffix in the alphabet lists first.
    """
    new_id = f"{run_id}-{suffix}"
    shutil.copytree(root / run_id, root / new_id)
    give_to(root, new_id, owner)
    return new_id


def give_to(root: Path, run_id: str, owner: str | None) -> None:
    """Make run `run_id` belong to `owner`."""
    path = root / run_id / "config.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "owner": owner}))


def open_router(timeout: float = 60, **query: str) -> AppTest:
    """The whole app (router, gate, page) after its first run, opened at `?query`."""
    at = AppTest.from_file(ROUTER, default_timeout=timeout)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def press(at: AppTest, label: str) -> AppTest:
    """Press the button (or form submit button) labelled `label`, and rerun."""
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def submit(runs_dir, owner: str, epochs: int) -> str:
    """A job of `owner`'s in the app's own runner (the one the Train page uses)."""
    from cnnviz.plan import TrainConfig
    from cnnviz.request import TrainRequest
    from cnnviz.runners import default_runner
    from cnnviz.spec import ModelSpec

    spec, config = ModelSpec.from_dict(TINY), TrainConfig(epochs=epochs)
    request = TrainRequest(spec, "digits", config, runs_dir=str(runs_dir), owner=owner)
    return default_runner().submit(request)


CLASS_CODE = "maple-42"  # the class code of the classroom tests


class Classroom:
    """A classroom server (CNNVIZ_CLASS_CODE set) and the laptop AppTest stands for: the
    desk cookie `st.context.cookies` would hold (AppTest cannot send cookies, so the
    app's one reader of them, `app_pages.frame.desk.browser_cookies`, reads this jar)."""

    def __init__(self, jar: dict[str, str]):
        self.jar, self.keys = jar, {}

    def laptop(self, desk: str | None, *, teacher: str | None = None) -> None:
        """From now on the browser is `desk`'s laptop (claimed on first use; None: a
        newcomer's), and the teacher's when `teacher` holds a teacher token."""
        from cnnviz.desks import DESK_COOKIE, claim_desk
        from cnnviz.teacher import TEACHER_COOKIE

        self.jar.clear()
        if desk is not None:
            if desk not in self.keys:
                self.keys[desk] = claim_desk(desk).cookie
            self.jar[DESK_COOKIE] = self.keys[desk]
        if teacher is not None:
            self.jar[TEACHER_COOKIE] = teacher
