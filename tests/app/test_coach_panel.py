"""The coach's panel on Train (once a run has ended) and on Inspect, on a real run."""

import pytest

from cnnviz.cli import main
from cnnviz.coach import diagnose_run
from cnnviz.errors import CnnvizError
from cnnviz.runs import load_run
from tests.app.pages import open_page, shown


def panel_text(at) -> tuple[str, list[str]]:
    (expander,) = [e for e in at.expander if e.label.startswith("Coach: ")]
    return expander.label, [shown(e.value) for e in (*expander.warning, *expander.success)]


def expected(run_id, root) -> tuple[str, list[str]]:
    findings = diagnose_run(load_run(run_id, root))
    warnings = [f.title for f in findings if f.warning]
    label = "Coach: " + ("; ".join(warnings) if warnings else "nothing to fix")
    texts = [
        f"**{f.title}.** {f.evidence}  \n**Try next:** {f.suggestion}"
        for f in sorted(findings, key=lambda f: not f.warning)
    ]
    return label, texts


def test_inspect_shows_the_coach_on_the_run(runs_with_model):
    root, run_id = runs_with_model
    at = open_page("inspect", timeout=120)
    label, texts = panel_text(at)
    assert (label, texts) == expected(run_id, root)
    assert "Still improving when training stopped" in label  # 3 epochs on 600 digits


def test_train_shows_the_coach_once_the_shown_run_has_ended(runs_with_model):
    root, run_id = runs_with_model
    at = open_page("train", timeout=120, train_shown=run_id)
    assert panel_text(at) == expected(run_id, root)


def test_train_shows_no_coach_before_a_run(runs_dir):
    at = open_page("train", timeout=120)
    assert not [e for e in at.expander if e.label.startswith("Coach")]


def test_a_job_stopped_while_it_waited_shows_no_coach_and_no_error(runs_with_model):
    """A job stopped in the queue never read its data (no image shape, no epochs): the
    coach has nothing to look at and says nothing on Train, where it raised a KeyError;
    the command line's `diagnose` says why in its error line."""
    from cnnviz.runners import default_runner
    from tests.app.desks import submit
    from tests.helpers_runs import wait_for

    root, _ = runs_with_model
    runner = default_runner()
    first = submit(root, "ada", epochs=50)
    waiting = submit(root, "bob", epochs=1)
    assert runner.status(waiting)["status"] == "queued"
    runner.stop(waiting, owner="bob")
    runner.stop(first, owner="ada")
    wait_for(lambda: runner.status(first)["status"] == "stopped", 120)
    assert "image_shape" not in load_run(waiting, root).config
    at = open_page("train", timeout=120, cnnviz_desk="bob", train_shown=waiting)
    assert not at.exception, [e.value for e in at.exception]
    assert not [e for e in at.expander if e.label.startswith("Coach")]
    with pytest.raises(CnnvizError, match=f"run {waiting} never read its dataset"):
        diagnose_run(load_run(waiting, root))
    assert main(["diagnose", waiting, "--runs-dir", str(root)]) == 2  # error: ..., no traceback
