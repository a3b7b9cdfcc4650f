"""The router's URL state in AppTest: experiment links in, the state mirrored out (through
page changes and refreshes), run links, projector mode, and hostile links."""

import base64
import json
import zlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.frame.access import CSS as ACCESS_CSS
from app_pages.session.config import TRAIN_WIDGETS
from cnnviz.links import Experiment, decode, encode
from cnnviz.plan import TrainConfig
from cnnviz.spec import ModelSpec, validate
from tests.app.pages import errors, run_box, shown

ROUTER = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
SPEC = ModelSpec.from_dict(
    {
        "name": "shared-model",
        "layers": [
            {"type": "Conv2D", "filters": 12, "kernel_size": 3, "activation": "relu"},
            {"type": "Flatten"},
            {"type": "Dense", "units": 20, "activation": "relu"},
            {"type": "Dense", "units": "num_classes", "activation": "softmax"},
        ],
    }
)
TRAINING = TrainConfig(epochs=7, batch_size=16, optimizer="sgd", learning_rate=0.02, seed=5)
TOKEN = encode(Experiment(SPEC, "digits", training=TRAINING))
PARAMS = validate(SPEC, input_shape=(8, 8, 1), num_classes=10).total_params


def router(query: dict | None = None) -> AppTest:
    """The app as a browser opening `?query` gets it (a new session): solo, or the laptop
    a test's `classroom` fixture made it (who a browser is: tests/app/test_desk.py)."""
    at = AppTest.from_file(ROUTER, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def go(at: AppTest, page: str) -> AppTest:
    """A sidebar link: the browser drops the query string, the session stays."""
    at.query_params.clear()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def url(at: AppTest) -> dict:
    """The address's parameters."""
    return {key: at.query_params[key] for key in at.query_params}


def train_values(at: AppTest) -> dict:
    values = {n.key: n.value for n in at.number_input if n.key in TRAIN_WIDGETS}  # the config
    return {**values, "train_optimizer": at.selectbox(key="train_optimizer").value}


EXPECTED = {
    "train_epochs": 7,
    "train_batch_size": 16,
    "train_lr": 0.02,
    "train_val_split": 0.1,
    "train_seed": 5,
    "train_optimizer": "sgd",
}


def test_an_experiment_link_fills_build_and_train_and_a_refresh_keeps_it(runs_dir):
    at = router({"experiment": TOKEN})
    assert "Opened the experiment from the link" in shown(at.success[0].value)
    assert "shared-model" in shown(at.success[0].value)
    go(at, "build")
    assert at.title[0].value == "Build"
    assert at.metric[0].label == "Total params" and at.metric[0].value == f"{PARAMS:,}"
    assert decode(url(at)["experiment"]).spec == SPEC  # written back after the page change
    go(at, "train")
    assert train_values(at) == EXPECTED
    again = router(url(at))  # a refresh is a new session reading the URL
    go(again, "train")
    assert train_values(again) == EXPECTED
    go(again, "build")
    assert again.metric[0].value == f"{PARAMS:,}"


def test_what_the_learner_changes_on_train_goes_into_the_url_and_stays(runs_dir):
    at = router()
    assert "experiment" not in url(at)  # the defaults: a clean address
    go(at, "train")
    at.number_input(key="train_epochs").set_value(9).run()
    at.selectbox(key="train_optimizer").set_value("rmsprop").run()
    training = decode(url(at)["experiment"]).training
    assert (training.epochs, training.optimizer) == (9, "rmsprop")
    go(at, "build")
    go(at, "train")
    assert at.number_input(key="train_epochs").value == 9
    assert at.selectbox(key="train_optimizer").value == "rmsprop"


def pack(data: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(data, 9)).decode().rstrip("=")


HOSTILE = {
    "garbled": "%%%not-a-token%%%",
    "truncated": TOKEN[: len(TOKEN) // 2],
    "bad checksum": TOKEN[:-3] + ("AAA" if not TOKEN.endswith("AAA") else "BBB"),
    "over-long": "A" * 55_000,
    "zip bomb": pack(b" " * 20_000_000),
    "a server file as the model": pack(json.dumps({"model": "/etc/passwd"}).encode()),
    "nested a million deep": pack(b"[" * 1_000_000),
    "script": "<script>alert(1)</script>",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_link_shows_a_message_and_the_defaults(name, runs_dir):
    at = router({"experiment": HOSTILE[name]})
    messages = errors(at)
    assert messages and messages[0].startswith("This link's experiment cannot be opened:")
    assert at.session_state.cnnviz_spec["name"] == "digits-small"
    assert "experiment" not in url(at)  # the address now says the defaults too
    go(at, "build")
    assert at.metric[0].value == "35,914"


def test_a_link_beyond_the_train_pages_ranges_is_fitted_and_says_so(runs_dir):
    big = encode(Experiment(SPEC, training=TrainConfig(epochs=9000, batch_size=50000)))
    at = router({"experiment": big})
    notes = [shown(w.value) for w in at.warning]
    assert any("epochs 9000 is outside" in n and "set to 500" in n for n in notes), notes
    go(at, "train")
    assert at.number_input(key="train_epochs").value == 500
    assert at.number_input(key="train_batch_size").value == 4096


def hand_made_token(document: dict) -> str:
    """A link token as anybody could make one (cnnviz itself never writes a folder)."""
    import base64
    import json
    import zlib

    packed = zlib.compress(json.dumps(document).encode("utf-8"), 9)
    return base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def test_a_link_to_a_folder_of_the_server_keeps_the_dataset(runs_dir, tmp_path):
    folder = tmp_path / "secret" / "cats"
    folder.mkdir(parents=True)
    document = {"v": 1, "dataset": f"folder:{folder.parent}", "model": SPEC.to_dict()}
    at = router({"experiment": hand_made_token(document)})
    said = " ".join(errors(at))
    assert "names a folder of the server" in said and str(tmp_path) not in said
    assert at.session_state.cnnviz_dataset == "digits"


def test_a_link_to_a_dataset_uploaded_to_this_app_opens_it_by_its_name(runs_dir):
    from cnnviz.uploads import store, upload_id
    from tests.app.test_data_page import pets_zip

    path = store(pets_zip(6, 6), "pets.zip", runs_dir=runs_dir)
    token = encode(Experiment(SPEC, dataset=f"folder:{path}"))  # an older run's id
    at = router({"experiment": token})
    assert at.session_state.cnnviz_dataset == upload_id(path)  # no path of the server
    opened = shown(at.success[0].value)
    assert "on pets.zip" in opened and str(path) not in opened
    assert str(runs_dir) not in str(dict(at.query_params))  # nor in the address


def test_a_run_link_opens_that_run_in_inspect(runs_with_model):
    _, run_id = runs_with_model
    at = router({"run": run_id})
    assert at.title[0].value == "Inspect"
    assert at.session_state.cnnviz_run == run_id
    assert run_box(at, "inspect_run").value == run_id
    assert "read-only" in shown(at.info[0].value)
    assert "run" not in url(at)  # once: the address moves on


def test_a_link_to_another_desks_run_opens_it_among_everyones(runs_with_model, classroom):
    from tests.app.desks import give_to, owned_copy

    root, run_id = runs_with_model
    own = owned_copy(root, run_id, "ada", "a")  # the desk's own run, newer: the default
    give_to(root, run_id, "bob")
    classroom.laptop("ada")
    at = router({"run": run_id})
    assert at.title[0].value == "Inspect"
    assert run_box(at, "inspect_run").value == run_id != own
    assert at.toggle(key="inspect_run_everyone").value  # bob's run, read-only among all


@pytest.mark.parametrize("run_id", ["nope", "../../etc", "x" * 3000])
def test_an_unknown_run_link_says_so(run_id, runs_dir):
    at = router({"run": run_id})
    assert at.title[0].value == "Concepts"
    assert "does not exist here" in errors(at)[0]


def test_projector_mode_from_the_url_is_kept_across_pages(runs_dir):
    at = router({"projector": "1"})
    css = [h.proto.body for h in at.html if "font-size: 130%" in h.proto.body]
    assert len(css) == 1
    assert at.toggle(key="sidebar_projector").value is True
    go(at, "build")
    assert url(at) == {"projector": "1"}
    assert any("font-size: 130%" in h.proto.body for h in at.html)


def test_the_projector_switch_reloads_the_page_at_the_new_address(runs_dir):
    at = router()
    assert [h.proto.body for h in at.html] == [ACCESS_CSS]  # contrast and focus: every page
    at.toggle(key="sidebar_projector").set_value(True).run()
    assert url(at) == {"projector": "1"}
    bodies = [h.proto.body for h in at.html]
    assert any("location.replace" in b and "projector=1" in b for b in bodies)
    at.run()  # only once
    assert not any("location.replace" in h.proto.body for h in at.html)
    at.toggle(key="sidebar_projector").set_value(False).run()
    assert url(at) == {}
    assert not any("font-size: 130%" in h.proto.body for h in at.html)


def test_a_projector_value_that_is_not_understood_is_a_warning(runs_dir):
    at = router({"projector": "maybe"})
    assert "projector=maybe is not understood" in shown(at.warning[0].value)
    assert at.toggle(key="sidebar_projector").value is False


def test_copy_link_shows_this_pages_link_with_the_experiment(runs_dir):
    at = router({"experiment": TOKEN})
    go(at, "build")
    link = next(c.value for c in at.code if "?experiment=" in c.value)
    assert decode(link.split("?experiment=", 1)[1]).spec == SPEC
    go(at, "train")
    link = next(c.value for c in at.code if "?experiment=" in c.value)
    assert decode(link.split("?experiment=", 1)[1]).training == TRAINING
