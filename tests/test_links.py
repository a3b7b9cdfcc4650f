"""Experiment links: round trips, the compact form, and every way a token can be hostile."""

import base64
import json
import time
import tracemalloc
import zlib

import pytest

from cnnviz import json_input, presets
from cnnviz.augment import AugmentSpec
from cnnviz.errors import CnnvizError
from cnnviz.links import MAX_TOKEN_CHARS, Experiment, decode, encode, preset_of, to_query
from cnnviz.plan import TrainConfig
from cnnviz.spec import ModelSpec

CUSTOM = ModelSpec.from_dict(
    {
        "name": "mine",
        "layers": [
            {"type": "Conv2D", "filters": 8, "kernel_size": 3, "activation": "relu"},
            {"type": "MaxPooling2D", "pool_size": 2},
            {"type": "Flatten"},
            {"type": "Dense", "units": "num_classes", "activation": "softmax"},
        ],
    }
)


def pack(document) -> str:
    """A token made by hand, the way `encode` makes one (an independent writer)."""
    text = document if isinstance(document, (str, bytes)) else json.dumps(document)
    raw = zlib.compress(text if isinstance(text, bytes) else text.encode())
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unpack(token: str):
    return json.loads(zlib.decompress(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))))


def test_a_custom_experiment_round_trips_exactly():
    experiment = Experiment(
        spec=CUSTOM,
        dataset="shapes:800",
        image_size=(48, 40),
        augment=AugmentSpec(rotation_degrees=20, flip_left_right=True),
        training=TrainConfig(epochs=7, batch_size=16, optimizer="sgd", learning_rate=0.01),
    )
    token = encode(experiment)
    assert decode(token) == experiment
    assert to_query(experiment) == f"?experiment={token}"
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_the_token_is_compact_json_with_defaults_left_out():
    experiment = Experiment(
        spec=presets.PRESETS["lenet-5"].spec,
        dataset="tfds:mnist",
        training=TrainConfig.suggested("lenet-5", epochs=3),
    )
    document = unpack(encode(experiment))
    assert document == {
        "v": 1,
        "dataset": "tfds:mnist",
        "model": "lenet-5",
        "training": {"epochs": 3},
    }
    assert len(encode(experiment)) <= 100  # characters, for a whole LeNet-5 experiment
    custom = unpack(encode(Experiment(CUSTOM, augment=AugmentSpec(zoom=(0.9, 1.1)))))
    assert custom["model"] == CUSTOM.to_dict()
    assert custom["augment"] == {"zoom": [0.9, 1.1]}
    assert "training" not in custom and "image_size" not in custom


def test_a_spec_equal_to_a_preset_is_named_as_that_preset():
    spec = ModelSpec.from_dict(presets.PRESETS["tinyvgg"].spec.to_dict())
    assert preset_of(spec) == "tinyvgg" and preset_of(CUSTOM) is None
    assert unpack(encode(Experiment(spec)))["model"] == "tinyvgg"


def test_missing_training_settings_are_the_presets_suggestions():
    experiment = decode(pack({"model": "lab-cifar10", "training": {"learning_rate": 0.0005}}))
    suggested = TrainConfig.suggested("lab-cifar10")
    assert experiment.training.epochs == suggested.epochs == 20
    assert experiment.training.learning_rate == 0.0005
    assert experiment.dataset == "digits" and experiment.image_size is None


def test_describe_names_the_model_data_and_hyper_parameters():
    text = Experiment(CUSTOM, "shapes", training=TrainConfig(epochs=7, optimizer="sgd")).describe()
    assert text == (
        "model mine (4 layers) on shapes, 7 epochs, batch size 32, sgd, learning rate 0.001"
    )


@pytest.mark.parametrize(
    "token, words",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("not a token!", "characters a cnnviz link never has"),
        ("<script>alert(1)</script>", "characters a cnnviz link never has"),
        ("A", "garbled or cut short"),  # base64 of length 1 mod 4
        ("eJzLSM3JyVcozy_KSQEAGgQEXQ", "not a link cnnviz made"),  # a bad checksum
        (pack({"model": "digits-small"})[:-6], "cut short"),
        (pack({"model": "digits-small"}) + "AAAA", "extra characters"),
        (pack(b"\xff\xfe not utf-8"), "not a text"),
        (pack("{not json"), "not valid JSON"),
        (pack("[" * 10_000 + "]" * 10_000), "levels deep"),
        (pack('{"model": "digits-small", "training": {"epochs": 1' + "0" * 5000 + "}}"), "digits"),
        (pack([1, 2]), 'an object with "model"'),
        (pack({"dataset": "digits"}), 'no "model"'),
        (pack({"model": "digits-small", "colour": "red"}), "unknown key 'colour'"),
        (pack({"model": "digits-small", "v": 2}), "v must be 1"),
        (pack({"model": "digits-smal"}), "did you mean 'digits-small'"),
        (pack({"model": "/etc/passwd"}), "is not a preset"),
        (pack({"model": {"layers": "many"}}), '"layers" must be a list'),
        (pack({"model": "digits-small", "dataset": "digitz"}), "unknown dataset"),
        (pack({"model": "digits-small", "dataset": "x" * 5000}), "at most 1000 characters"),
        (pack({"model": "digits-small", "image_size": [4, 4]}), "each from 8 to 512"),
        (pack({"model": "digits-small", "augment": {"spin": 3}}), "unknown augmentation"),
        (pack({"model": "digits-small", "augment": {"zoom": [2, 1]}}), "low <= high"),
        (pack({"model": "digits-small", "training": {"epochs": 0}}), "epochs must be"),
        (pack({"model": "digits-small", "training": {"optimizer": "magic"}}), "optimizer"),
        (pack({"model": "digits-small", "training": [1]}), "training must be"),
        ("A" * (MAX_TOKEN_CHARS + 1), "characters long"),
    ],
)
def test_a_hostile_token_is_a_clear_error(token, words):
    with pytest.raises(CnnvizError, match="experiment link") as caught:
        decode(token)
    assert words in str(caught.value)


def test_a_token_that_inflates_to_many_megabytes_stops_at_the_limit_cheaply():
    bomb = zlib.compressobj(9)
    parts = [bomb.compress(b" " * 2**20) for _ in range(32)]  # 32 MB of spaces
    token = base64.urlsafe_b64encode(b"".join(parts) + bomb.flush()).decode().rstrip("=")
    assert len(token) < MAX_TOKEN_CHARS  # small enough to be read at all
    tracemalloc.start()
    with pytest.raises(CnnvizError, match="unpacks to more than 1 MB"):
        decode(token)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 10 * json_input.MAX_JSON_BYTES  # the 32 MB were never made


def test_non_string_tokens_are_errors_too():
    for token in (None, 42, b"abc", ["x"]):
        with pytest.raises(CnnvizError, match="empty"):
            decode(token)


def test_decoding_a_long_valid_token_is_fast_enough_to_do_on_every_link():
    """Recorded, not asserted: a 200-layer spec's token decodes in milliseconds."""
    layers = [{"type": "Dense", "units": 4, "activation": "relu"} for _ in range(199)]
    spec = ModelSpec.from_dict({"name": "deep", "input_shape": [8, 8, 1], "layers": layers})
    token = encode(Experiment(spec))
    start = time.perf_counter()
    assert decode(token).spec == spec
    print(f"{len(token)} characters decoded in {(time.perf_counter() - start) * 1e3:.1f} ms")


# --- issue 25: a link names only what a desk may open -------------------------------------


@pytest.mark.parametrize(
    "dataset",
    ["folder:/etc", "folder:../../x", "folder:/srv/runs/_uploads/ann/../../../etc", "/etc"],
)
def test_a_link_naming_a_server_folder_is_refused_without_a_path(dataset):
    token = pack({"model": "digits-small", "dataset": dataset})
    with pytest.raises(CnnvizError, match="the experiment link: ") as caught:
        decode(token)
    assert "/etc" not in str(caught.value) and "../" not in str(caught.value)
    with pytest.raises(CnnvizError, match="a link names"):
        encode(Experiment(presets.get("digits-small"), dataset=dataset))  # none is written


def test_a_link_to_a_desks_upload_opens_it_for_that_desk_only(runs_dir):
    from cnnviz.data import load_dataset
    from tests.helpers_uploads import stored_upload

    upload = stored_upload(runs_dir, "ann")
    old = f"folder:{runs_dir.resolve()}/_uploads/ann/{upload[7:]}"  # as the address bar had it
    for dataset in (upload, old):
        opened = decode(pack({"model": "digits-small", "dataset": dataset}))
        assert opened.dataset == upload  # a refresh keeps the desk's own upload
    token = encode(Experiment(presets.get("digits-small"), dataset=old))
    assert unpack(token)["dataset"] == upload and str(runs_dir) not in json.dumps(unpack(token))
    assert load_dataset(decode(token).dataset, desk="ann").info.id == upload
    with pytest.raises(CnnvizError, match="not among desk bob's uploads"):
        load_dataset(decode(token).dataset, desk="bob")
