"""The desk filter of every run list (`app_pages.panels.run_picker`): a desk's own runs (and those
of no desk, the command line's), everyone's one switch away, on every page alike."""

from tests.app.desks import give_to, open_router, owned_copy
from tests.app.pages import browser_states, open_page, run_as_stale_browser, run_box


def test_inspect_lists_the_desks_own_runs_and_everyones_on_a_switch(runs_with_model, classroom):
    root, run_id = runs_with_model
    mine = owned_copy(root, run_id, "ada", "a")
    theirs = owned_copy(root, run_id, "bob", "b")
    at = open_page("inspect", timeout=120, cnnviz_desk="ada")
    picker = run_box(at, "inspect_run")
    assert picker.options == [mine, f"{run_id} · no desk"] and picker.value == mine
    at.toggle(key="inspect_run_everyone").set_value(True).run()
    picker = run_box(at, "inspect_run")
    assert picker.options == [f"{theirs} · desk bob", mine, f"{run_id} · no desk"]
    assert picker.value == mine  # still the desk's own until another is picked


def test_a_desk_without_runs_is_told_what_to_do(runs_with_model, classroom):
    root, run_id = runs_with_model
    give_to(root, run_id, "bob")
    at = open_page("predict", cnnviz_desk="cyd")
    assert any("No trained model yet for your desk" in i.value for i in at.info)
    assert not at.get("file_uploader")


def test_the_everyone_switch_is_one_value_for_the_session_across_pages(runs_with_model, classroom):
    root, run_id = runs_with_model
    owned_copy(root, run_id, "ada", "a")
    owned_copy(root, run_id, "bob", "b")
    classroom.laptop("ada")
    at = open_router(timeout=120)
    at.switch_page("app_pages/train.py").run()
    assert list(at.dataframe[0].value["desk"]) == ["ada", ""]  # the CLI's run: no desk
    at.toggle(key="train_everyone").set_value(True).run()
    assert list(at.dataframe[0].value["desk"]) == ["bob", "ada", ""]
    at.switch_page("app_pages/predict.py").run()
    assert not at.exception and at.toggle(key="predict_run_everyone").value
    assert len(run_box(at, "predict_run").options) == 3


def test_compare_picks_from_the_desks_runs_and_everyones_on_the_switch(runs_with_model, classroom):
    root, run_id = runs_with_model
    mine = owned_copy(root, run_id, "ada", "a")
    theirs = owned_copy(root, run_id, "bob", "b")
    give_to(root, run_id, "cyd")
    at = open_page("compare", timeout=180, cnnviz_desk="ada")
    assert any("Compare needs two trained runs" in i.value for i in at.info)  # ada has one
    at.toggle(key="compare_everyone").set_value(True).run()
    assert not at.exception
    a, b = at.selectbox(key="compare_run_a"), at.selectbox(key="compare_run_b")
    assert a.options == [f"{theirs} · desk bob", mine, f"{run_id} · desk cyd"]
    assert (a.value, b.value) == (mine, theirs)  # the second newest against the newest


def test_a_run_made_current_elsewhere_moves_the_pickers_that_are_already_drawn(
    runs_with_model, classroom
):
    """A keyed select box keeps its old choice: once a desk's job ends (or a link opens a
    run), Train's and Inspect's pickers must show that run, not write the old one back."""
    root, run_id = runs_with_model
    at = open_page("train", cnnviz_desk="ada")
    assert run_box(at, "train_current_run").value == run_id  # a run of no desk
    own = owned_copy(root, run_id, "ada", "b")  # the desk's job that just ended
    at.session_state.cnnviz_run = own
    at.run()
    assert run_box(at, "train_current_run").value == own
    assert at.session_state.cnnviz_run == own
    run_box(at, "train_current_run").set_value(run_id).run()  # the learner's choice
    assert at.session_state.cnnviz_run == run_id
    inspect = open_page("inspect", cnnviz_desk="ada", cnnviz_run=run_id)
    assert run_box(inspect, "inspect_run").value == run_id
    inspect.session_state.cnnviz_run = own
    inspect.run()
    assert run_box(inspect, "inspect_run").value == own


def test_a_click_before_the_page_redrew_does_not_put_the_old_run_back(runs_with_model, classroom):
    """The server made the desk's ended job current and drew Train's picker on it; the
    learner clicked Inspect before the browser redrew, so the click carried the picker's
    old value. Inspect must open the job's run, not the old one (seen in CI under load)."""
    root, run_id = runs_with_model
    classroom.laptop("ada")
    at = open_router()
    at.switch_page("app_pages/train.py").run()
    assert run_box(at, "train_current_run").value == run_id  # a run of no desk
    before = browser_states(at)  # the page the browser still shows
    own = owned_copy(root, run_id, "ada", "b")
    at.session_state.cnnviz_run = own  # the desk's job ended
    at.run()
    assert run_box(at, "train_current_run").value == own
    at.switch_page("app_pages/inspect.py")
    run_as_stale_browser(at, before)
    assert not at.exception
    assert at.session_state.cnnviz_run == own
    assert run_box(at, "inspect_run").value == own


def test_a_job_that_ended_unseen_opens_on_the_next_page_but_never_swaps_within_one(
    runs_with_model, classroom
):
    """The Train page's poll may miss a job's end (the learner moved on, or a busy server
    lost a fragment's rerun): arriving at Inspect opens the desk's new run, not the run
    of no desk the desk started from; a learner already on Inspect keeps what it shows."""
    from cnnviz.runners import default_runner
    from tests.app.desks import submit
    from tests.helpers_runs import wait_for

    root, run_id = runs_with_model
    runner = default_runner()
    classroom.laptop("ada")
    at = open_router()
    at.switch_page("app_pages/inspect.py").run()
    assert run_box(at, "inspect_run").value == run_id  # of no desk: ada has none yet
    job = submit(root, "ada", epochs=1)
    at.session_state.train_job = job  # what Start leaves in the session
    wait_for(lambda: runner.status(job)["status"] == "completed", 120)
    at.run()  # still on Inspect: nothing swaps under the learner
    assert run_box(at, "inspect_run").value == run_id
    at.switch_page("app_pages/predict.py").run()
    assert not at.exception
    assert at.session_state.cnnviz_run == job and not at.session_state.train_job
    at.switch_page("app_pages/inspect.py").run()
    assert run_box(at, "inspect_run").value == job
