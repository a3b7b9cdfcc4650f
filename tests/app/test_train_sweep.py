"""A learner alone runs a sweep from Train's **Try several settings**, through the whole
app (router) in AppTest: its runs train for real (thread runner) one after another in the
learner's own queue, each submitted only when the one before has ended, and one click
opens them in Compare.

Oracles: the runner's jobs at each submit, each run's config.json, `Sweep.slots`.
"""

import json
import time

from cnnviz.events import ACTIVE
from cnnviz.runners import default_runner
from cnnviz.runs import list_runs
from tests.app.desks import TINY, open_router
from tests.app.pages import errors, shown


def test_the_solo_sweep_queues_its_slots_one_after_another(runs_dir, monkeypatch):
    runner = default_runner()
    active_at_submit, submitted, submit = [], [], runner.submit

    def spy(request):
        active_at_submit.append(
            [j for j in runner.job_ids() if runner.status(j)["status"] in ACTIVE]
        )
        submitted.append(submit(request))
        return submitted[-1]

    monkeypatch.setattr(runner, "submit", spy)
    at = open_router(timeout=120)
    at.session_state.cnnviz_spec = TINY
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="train_epochs").set_value(1).run()
    at.multiselect(key="train_sweep_settings").set_value(["learning_rate"]).run()
    at.text_input(key="train_sweep_values_learning_rate").input("0.003, 0.01, 0.03").run()
    assert any("3 values, 1 × each: 3 runs" in shown(c.value) for c in at.caption)
    at.button(key="train_sweep_start").click().run()
    assert not at.error, errors(at)
    assert any(
        shown(i.value).startswith(
            "Sweep learning_rate 0.003, 0.01, 0.03; 1 repeat: 3 runs. "
            "Run 1 of 3, learning_rate = 0.003, is in your queue"
        )
        for i in at.info
    )
    assert at.button(key="train_start").disabled  # the desk trains the sweep's first run

    deadline = time.monotonic() + 300
    while not any("Your last sweep" in c.value for c in at.caption):
        assert time.monotonic() < deadline, "the sweep did not end"
        time.sleep(1)
        at.run()
    assert any(shown(c.value) == "Your last sweep: all 3 runs have trained." for c in at.caption)
    assert active_at_submit == [[], [], []]  # each run submitted once the one before ended
    # in the order submitted (ids sort to the second: 1-epoch runs can share one)
    by_id = {run.id: run for run in list_runs(runs_dir)}
    assert sorted(by_id) == sorted(submitted)
    runs = [by_id[run_id] for run_id in submitted]
    records = [run.config["experiment"] for run in runs]
    assert [r["settings"]["learning_rate"] for r in records] == [0.003, 0.01, 0.03]
    assert len({r["id"] for r in records}) == 1
    assert [run.config["training"]["learning_rate"] for run in runs] == [0.003, 0.01, 0.03]
    assert all(run.state == "completed" and run.config["training"]["epochs"] == 1 for run in runs)
    for older, newer in zip(runs, runs[1:]):
        ended = json.loads((runs_dir / older.id / "status.json").read_text())["updated"]
        assert newer.config["created"] >= ended

    compare = next(b for b in at.button if b.key == "train_sweep_compare")
    assert compare.label == "Compare its 3 trained runs, grouped by learning rate"
    compare.click().run()
    assert [t.value for t in at.title] == ["Compare"]
    assert at.multiselect(key="compare_runs").value == [run.id for run in runs]
    assert at.selectbox(key="compare_group_by").value == "learning_rate"
