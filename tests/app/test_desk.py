"""Who a browser is, through the whole app (router) in AppTest: solo opens straight in;
in a classroom a desk is whoever holds its key (a cookie only the app's route sets), the
URL names no desk, and a newcomer joins with the class code first.

Oracles: the claim files in the runs folder, the cookie routes' tickets, the pages shown.
"""

from urllib.parse import parse_qs, urlparse

import pytest

from app_pages.server import cookies
from cnnviz import desks
from tests.app.desks import CLASS_CODE, give_to, open_router, owned_copy, press
from tests.app.pages import errors, shown


def titles(at) -> list[str]:
    return [t.value for t in at.title]


def ticket_of(at) -> tuple[str, str, str]:
    """The cookie the page sends the browser to get (name, value, where it comes back)."""
    script = next(h.proto.body for h in at.html if "window.location.assign" in h.proto.body)
    url = script.split('assign("', 1)[1].split('"', 1)[0]
    assert urlparse(url).path == cookies.COOKIE_PATH
    return cookies._take(parse_qs(urlparse(url).query)["ticket"][0])


def test_solo_opens_straight_on_the_app_with_no_question(runs_dir):
    at = open_router()
    assert titles(at) == ["Concepts"]  # no form first
    assert at.session_state.cnnviz_dataset == "digits"
    assert "cnnviz_desk" not in at.session_state
    assert not any("You are" in shown(m.value) for m in at.sidebar.markdown)


def test_a_newcomer_joins_with_the_class_code_and_a_desk_name(runs_dir, classroom):
    classroom.laptop(None)
    at = open_router()
    assert titles(at) == ["Welcome to cnnviz"]  # the form only: no page, no sidebar
    assert not at.sidebar.markdown
    at.text_input(key="join_code").input("wrong")
    at.text_input(key="join_name").input("Ada")
    press(at, "Join")
    assert titles(at) == ["Welcome to cnnviz"] and not desks.claimed_desks()
    assert any("not this class's code" in text for text in errors(at))
    at.text_input(key="join_code").input(CLASS_CODE)
    at.text_input(key="join_name").input("Zoë!")
    press(at, "Join")
    assert any("desk must be a short name" in text for text in errors(at))
    at.text_input(key="join_name").input("Ada Lovelace")
    press(at, "Join")
    name, value, back = ticket_of(at)
    assert name == desks.DESK_COOKIE and back == "/"
    assert desks.desk_of(value) == "ada-lovelace"  # the key of the claimed desk
    classroom.jar[name] = value  # the route set it; the browser comes back with it
    at = open_router()
    assert titles(at) == ["Concepts"]
    assert any(shown(m.value) == "**You are:** desk ada-lovelace" for m in at.sidebar.markdown)
    assert "desk" not in at.query_params  # the URL names no desk


def test_a_taken_name_belongs_to_the_first_laptop(runs_dir, classroom):
    classroom.laptop("bob")  # bob's laptop claimed the name first
    classroom.laptop(None)  # another laptop
    at = open_router()
    at.text_input(key="join_code").input(CLASS_CODE)
    at.text_input(key="join_name").input("bob")
    press(at, "Join")
    assert any("belongs to another laptop: ask your teacher" in text for text in errors(at))
    assert not [h for h in at.html if "window.location.assign" in h.proto.body]


@pytest.mark.parametrize(
    "cookie", ["bob.forged-key", "bob." + "A" * 43, "garbage", "x" * 5000, "../../etc"]
)
def test_a_forged_cookie_is_nobody(runs_dir, classroom, cookie):
    classroom.laptop("bob")
    classroom.jar[desks.DESK_COOKIE] = cookie
    at = open_router()
    assert titles(at) == ["Welcome to cnnviz"] and "cnnviz_desk" not in at.session_state


def test_a_reset_desk_is_a_newcomer_again(runs_dir, classroom):
    classroom.laptop("cyd")
    assert titles(open_router()) == ["Concepts"]
    desks.reset_desk("cyd")
    assert titles(open_router()) == ["Welcome to cnnviz"]


def test_desk_in_the_url_is_only_a_label(runs_with_model, classroom):
    root, run_id = runs_with_model
    give_to(root, run_id, "bob")
    classroom.laptop("ada")
    at = open_router(desk="bob", projector="1")
    assert titles(at) == ["Concepts"] and at.session_state.cnnviz_desk == "ada"
    assert any("a link cannot make you another desk" in shown(i.value) for i in at.info)
    assert at.session_state.cnnviz_everyone  # bob's runs, to look at
    assert dict(at.query_params) == {"projector": "1"}  # the label is not kept
    at = open_router(desk="<script>alert(1)</script>")
    assert at.session_state.cnnviz_desk == "ada" and not at.exception


def test_a_refresh_opens_the_desks_own_newest_run_not_the_servers(runs_with_model, classroom):
    root, run_id = runs_with_model
    mine = owned_copy(root, run_id, "ada", "a")
    owned_copy(root, run_id, "bob", "b")  # newer (listed first): another desk's
    classroom.laptop("ada")
    assert open_router().session_state.cnnviz_run == mine
    classroom.laptop("cyd")
    assert open_router().session_state.cnnviz_run == run_id  # of no desk
    give_to(root, run_id, "bob")
    assert open_router().session_state.cnnviz_run is None  # none to show


def test_a_link_opened_by_a_newcomer_comes_back_with_it(runs_dir, classroom):
    from cnnviz.links import Experiment, decode, encode
    from cnnviz.presets import PRESETS

    spec = PRESETS["lenet-5"].spec
    token = encode(Experiment(spec, "digits"))
    classroom.laptop(None)
    at = open_router(experiment=token)
    assert titles(at) == ["Welcome to cnnviz"]  # the form first
    at.text_input(key="join_code").input(CLASS_CODE)
    at.text_input(key="join_name").input("cy")
    press(at, "Join")
    name, value, back = ticket_of(at)
    assert parse_qs(urlparse(back).query)["experiment"] == [token]  # back to the link
    classroom.jar[name] = value
    at = open_router(experiment=token)
    assert titles(at) == ["Concepts"] and at.session_state.cnnviz_desk == "cy"
    assert at.session_state.cnnviz_spec == spec.to_dict()
    assert decode(at.query_params["experiment"]).spec == spec


def test_a_code_in_the_address_is_refused_and_dropped(runs_dir):
    at = open_router(teacher="the-teachers-secret-code")
    assert any("A code never goes in an address" in text for text in errors(at))
    assert "teacher" not in at.query_params
    assert not any("the-teachers-secret-code" in shown(m.value) for m in at.markdown)
