"""The settings a sweep may vary: names, values, what they change, and the messages."""

import pytest

from cnnviz import sweep_settings
from cnnviz.augment import AugmentSpec
from cnnviz.errors import CnnvizError
from cnnviz.plan import TrainConfig
from cnnviz.sweep_settings import AUGMENT_ON, Parts, canonical, get, settings_for
from tests.helpers_sweep import DROPOUT, preset


def test_every_model_offers_the_hyper_parameters_and_its_own_layers():
    assert list(settings_for(preset())) == [
        "learning_rate",
        "epochs",
        "batch_size",
        "optimizer",
        "augment",
        "conv2d.filters",
        "conv2d_1.filters",
    ]
    names = list(settings_for(DROPOUT))
    assert names[5:] == ["conv2d.filters", "dropout.rate", "dropout_1.rate"]


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("lr", "learning_rate"),
        ("Batch-Size", "batch_size"),
        ("augmentation", "augment"),
        ("dropout", "dropout.rate"),
        ("filters", "conv2d.filters"),
        ("dropout_1.rate", "dropout_1.rate"),
    ],
)
def test_aliases_and_spellings_resolve_to_one_name(typed, name):
    assert canonical(typed) == name
    assert get(typed, DROPOUT).name == name


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("learning_rate", "0.01", 0.01),
        ("epochs", " 3 ", 3),
        ("batch_size", "64", 64),
        ("optimizer", "SGD", "sgd"),
        ("augment", "on", True),
        ("augment", "OFF", False),
        ("dropout.rate", "0", 0.0),
        ("conv2d.filters", "16", 16),
    ],
)
def test_typed_values_are_parsed_and_normalised(name, text, value):
    parsed = get(name, DROPOUT).parse(text)
    assert parsed == value and type(parsed) is type(value)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "lr",
            "fast",
            'learning_rate must be a number, e.g. 0.001. Received: learning_rate="fast"',
        ),
        ("lr", "0", "learning_rate must be above 0"),
        ("epochs", "1.5", 'epochs must be a whole number, e.g. 3. Received: epochs="1.5"'),
        ("batch_size", "0", "Received: batch_size=0"),
        ("optimizer", "adamm", "(did you mean 'adam'?)"),
        ("augment", "maybe", 'augment must be on or off. Received: augment="maybe"'),
        ("dropout", "1", "Received: dropout.rate=1"),
        ("filters", "-4", "Received: conv2d.filters=-4"),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_in_the_house_form(name, text, message):
    with pytest.raises(CnnvizError, match="Received: ") as caught:
        get(name, DROPOUT).parse(text)
    assert message in str(caught.value)


def test_typed_values_from_a_page_are_checked_too():
    assert get("lr").value(0.5) == 0.5
    assert get("augment").value("on") is True
    with pytest.raises(CnnvizError, match="Received: epochs=2.5"):
        get("epochs").value(2.5)
    with pytest.raises(CnnvizError, match="Received: augment=1"):
        get("augment").value(1)


def test_an_unknown_setting_gets_a_did_you_mean_and_the_list():
    with pytest.raises(CnnvizError) as caught:
        get("lerning_rate", preset())
    message = str(caught.value)
    assert "Did you mean 'learning_rate'?" in message
    assert "conv2d_1.filters" in message
    assert message.endswith('Received: setting="lerning_rate"')


def test_a_dropout_setting_on_a_model_without_dropout_says_so():
    with pytest.raises(CnnvizError) as caught:
        get("dropout", preset())
    message = str(caught.value)
    assert "has no Dropout layer" in message and "add one" in message
    assert message.endswith('Received: setting="dropout"')
    with pytest.raises(CnnvizError, match="its Dropout layers: dropout.rate, dropout_1.rate"):
        get("dropout_2.rate", DROPOUT)
    with pytest.raises(CnnvizError, match="its Conv2D layers: conv2d.filters"):
        get("flatten.filters", DROPOUT)


def test_each_setting_changes_exactly_its_part():
    base = Parts(DROPOUT, TrainConfig(epochs=2), AugmentSpec())
    changed = get("lr").apply(base, 0.05)
    assert changed.config == TrainConfig(epochs=2, learning_rate=0.05)
    assert (changed.spec, changed.augment) == (base.spec, base.augment)
    layer = get("dropout_1.rate", DROPOUT).apply(base, 0.5)
    assert [x.params.get("rate") for x in layer.spec.layers] == [None, None, 0.2, None, 0.5, None]
    assert layer.spec.layers[0] == DROPOUT.layers[0] and layer.config == base.config
    assert get("augment").apply(base, True).augment == AUGMENT_ON
    own = base._replace(augment=AugmentSpec(flip_left_right=True))
    assert get("augment").apply(own, True).augment == own.augment  # its own augmentation
    assert get("augment").apply(own, False).augment.is_identity


def test_values_are_read_back_from_a_run_config():
    config = {"training": {"learning_rate": 0.01}, "augment": {"rotation_degrees": 10.0}}
    assert get("lr").read(config, DROPOUT) == 0.01
    assert get("augment").read(config, DROPOUT) is True
    assert get("augment").read({"augment": None}, DROPOUT) is False
    assert get("dropout_1.rate").read(config, DROPOUT) == 0.1
    assert get("dropout.rate").read(config, preset()) is None  # no such layer


def test_is_setting_knows_the_vocabulary_without_a_model():
    assert sweep_settings.is_setting("lr") and sweep_settings.is_setting("conv2d_7.filters")
    assert not sweep_settings.is_setting("seed") and not sweep_settings.is_setting("x.units")
