"""The desk gate and the desk in the URL, through the whole app (router) in AppTest."""

from cnnviz import checks
from tests.app.desks import give_to, open_router, owned_copy, press
from tests.app.pages import errors, shown


def titles(at) -> list[str]:
    return [t.value for t in at.title]


def test_a_newcomer_names_a_desk_before_any_page_runs(runs_dir):
    at = open_router()
    assert titles(at) == ["Welcome to cnnviz"]  # the gate only: no page, no sidebar
    assert not at.sidebar.markdown and "cnnviz_desk" not in at.session_state
    at.text_input(key="desk_name").input("Zoë!")
    press(at, "Start")
    assert titles(at) == ["Welcome to cnnviz"]
    assert any("desk must be a short name" in text for text in errors(at))
    at.text_input(key="desk_name").input("Ada Lovelace")
    press(at, "Start")
    assert titles(at) == ["Concepts"]
    assert at.session_state.cnnviz_desk == "ada-lovelace"
    assert dict(at.query_params) == {"desk": "ada-lovelace"}  # the URL keeps it
    assert any(shown(m.value) == "**Desk:** ada-lovelace" for m in at.sidebar.markdown)


def test_give_me_a_name_makes_a_usable_desk(runs_dir):
    at = press(open_router(), "Give me a name")
    desk = at.session_state.cnnviz_desk
    assert checks.desk_name(desk) == desk and desk.count("-") == 2
    assert titles(at) == ["Concepts"]


def test_the_url_names_the_desk_and_keeps_it_across_pages(runs_dir):
    at = open_router(desk="Bob", projector="1")
    assert titles(at) == ["Concepts"] and at.session_state.cnnviz_desk == "bob"
    assert dict(at.query_params) == {"desk": "bob", "projector": "1"}  # the others kept
    at.query_params.clear()  # what the browser's sidebar link does to the URL
    at.switch_page("app_pages/build.py").run()
    assert not at.exception and titles(at) == ["Build"]
    assert at.session_state.cnnviz_desk == "bob"
    assert dict(at.query_params) == {"desk": "bob", "projector": "1"}  # the state, written back


def test_a_hostile_desk_in_the_url_gets_the_gate_and_a_message(runs_dir):
    at = open_router(desk="<script>alert(1)</script>")
    assert titles(at) == ["Welcome to cnnviz"]
    assert any("The link's desk name cannot be used" in text for text in errors(at))
    assert "cnnviz_desk" not in at.session_state


def test_a_refresh_opens_the_desks_own_newest_run_not_the_servers(runs_with_model):
    root, run_id = runs_with_model
    mine = owned_copy(root, run_id, "ada", "a")
    owned_copy(root, run_id, "bob", "b")  # newer (listed first): another desk's
    at = open_router(desk="ada")
    assert at.session_state.cnnviz_run == mine
    assert open_router(desk="cyd").session_state.cnnviz_run == run_id  # of no desk
    give_to(root, run_id, "bob")
    assert open_router(desk="cyd").session_state.cnnviz_run is None  # none to show


def test_a_link_opened_by_a_newcomer_applies_once_the_desk_is_named(runs_dir):
    from cnnviz.links import Experiment, decode, encode
    from cnnviz.presets import PRESETS

    spec = PRESETS["lenet-5"].spec
    at = open_router(experiment=encode(Experiment(spec, "digits")))
    assert titles(at) == ["Welcome to cnnviz"]  # the gate first, the link kept
    at.text_input(key="desk_name").input("cy")
    press(at, "Start")
    assert titles(at) == ["Concepts"] and at.session_state.cnnviz_desk == "cy"
    assert at.session_state.cnnviz_spec == spec.to_dict()
    assert at.query_params["desk"] == "cy"
    assert decode(at.query_params["experiment"]).spec == spec
    assert any("Opened the experiment from the link" in shown(m.value) for m in at.success)
