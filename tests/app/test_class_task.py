"""A desk and the teacher's class experiment, through the whole app (router) in AppTest:
the desk takes its combination at its next page change (never under a running job), the
session opens it with a notice, and the run it trains (for real, thread runner) carries
the record in its config.json; a desk that changed the varied setting is told, and one
click opens its combination again.

Oracles: `cnnviz.sweep_desks.assignment` (what the k-th desk is given), the run's files.
"""

import json
import time

from cnnviz.class_experiment import start_class_experiment
from cnnviz.classstate import read_class_state
from cnnviz.links import Experiment
from cnnviz.plan import TrainConfig
from cnnviz.runners import default_runner
from cnnviz.spec import ModelSpec
from cnnviz.sweep import Sweep
from cnnviz.sweep_desks import assignment
from tests.app.desks import TINY, open_router, submit
from tests.app.pages import shown

BASE = Experiment(ModelSpec.from_dict(TINY), "digits", training=TrainConfig(epochs=1))


def notices(at) -> list[str]:
    return [shown(s.value) for s in at.success]


def until_ended(job: str, seconds: float = 120) -> None:
    runner, deadline = default_runner(), time.monotonic() + seconds
    while runner.status(job)["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, "the job did not end"
        time.sleep(0.3)


def test_a_desk_takes_its_combination_at_its_next_page_change(runs_dir, classroom):
    sweep = Sweep.parse(["lr=0.003,0.01"], BASE.spec, question="Does the <b>rate</b> matter?")
    start_class_experiment(sweep, BASE)
    long_job = submit(runs_dir, "ada", epochs=500)  # ada trains: nothing changes under it
    classroom.laptop("ada")
    at = open_router(timeout=120)
    assert read_class_state().experiment.desks == ()
    default_runner().stop(long_job)
    until_ended(long_job)
    at.switch_page("app_pages/build.py").run()  # the next page change, the job ended
    assert read_class_state().experiment.desks == ("ada",)
    given = assignment(sweep, BASE, "ada", 0)
    assert notices(at) == [
        "Your teacher's experiment: you try learning rate 0.003 — press **Start training**. "
        "The question: Does the <b>rate</b> matter?"
    ]
    assert at.session_state.cnnviz_spec == given.experiment.spec.to_dict()

    at.switch_page("app_pages/train.py").run()
    assert at.number_input(key="train_lr").value == 0.003
    assert any("you try learning rate 0.003" in shown(i.value) for i in at.info)  # the card
    at.button(key="train_start").click().run()
    job = at.session_state.train_job
    until_ended(job)
    config = json.loads((runs_dir / job / "config.json").read_text())
    assert config["experiment"] == given.record  # the record reached the run
    assert config["experiment"]["settings"] == {"learning_rate": 0.003}
    assert json.loads((runs_dir / job / "status.json").read_text())["status"] == "completed"
    at.run()
    assert any(
        shown(s.value).startswith("You tried learning rate 0.003 for your teacher's experiment")
        for s in at.success
    )  # the card now sends the desk to the answer
    at.switch_page("app_pages/inspect.py").run()  # another page change: nothing new
    assert read_class_state().experiment.desks == ("ada",)
    assert not any("Your teacher's experiment" in n for n in notices(at))


def test_a_late_desk_gets_the_next_combination_and_is_told_when_it_leaves_it(runs_dir, classroom):
    sweep = Sweep.parse(["lr=0.003,0.01"], BASE.spec)
    start_class_experiment(sweep, BASE)
    for desk in ("ada", "bee"):
        classroom.laptop(desk)
        at = open_router(timeout=120)  # arriving is a page change
    assert read_class_state().experiment.desks == ("ada", "bee")
    assert notices(at) == [
        "Your teacher's experiment: you try learning rate 0.01 — press **Start training**."
    ]
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="train_lr").set_value(0.05).run()  # bee changes the varied setting
    (warning,) = [shown(w.value) for w in at.warning]
    assert warning.startswith("Your teacher's experiment gave you learning rate 0.01, and your")
    at.button(key="train_start").click().run()  # this run is not part of the experiment
    job = at.session_state.train_job
    until_ended(job)
    assert "experiment" not in json.loads((runs_dir / job / "config.json").read_text())
    at.button(key="train_task_open").click().run()  # one click: the combination again
    assert at.number_input(key="train_lr").value == 0.01
    assert not any("teacher" in w.value for w in at.warning)  # (the coach still speaks)
