"""AppTest drives the Build page: presets, edits, reordering, problems, code."""

import pytest

from tests.app.pages import errors, open_page


@pytest.fixture
def app():
    return open_page("build")


def table(at):
    df = at.dataframe[0].value
    df["type"] = df["layer (type)"].str.extract(r"\((\w+)\)$")[0]
    return df


def test_opens_on_the_default_preset_with_digits_shapes(app):
    df = table(app)
    assert list(df["layer (type)"])[:3] == [
        "input (Input)",
        "conv2d (Conv2D)",
        "max_pooling2d (MaxPooling2D)",
    ]
    assert df["output shape"].iloc[0] == "(None, 8, 8, 1)"
    assert df["output shape"].iloc[-1] == "(None, 10)"
    assert app.metric[0].value == "35,914"
    assert not app.error


def test_editing_filters_updates_shapes_and_params(app):
    first = app.session_state.build_uids[0]
    app.number_input(key=f"build_{first}_filters").set_value(8).run()
    df = table(app)
    assert df["output shape"].iloc[1] == "(None, 8, 8, 8)"
    assert app.metric[0].value == f"{8 * 9 + 8 + 9 * 8 * 64 + 64 + 256 * 64 + 64 + 650:,}"


def test_a_kernel_too_large_is_pinned_to_its_layer(app):
    third = app.session_state.build_uids[2]
    app.selectbox(key=f"build_{third}_padding").set_value("valid").run()
    app.text_input(key=f"build_{third}_kernel_size").set_value("5").run()
    messages = errors(app)
    assert any("layer 3 Conv2D: kernel 5x5 is larger than its 4x4 input" in m for m in messages)
    assert any("Problem at layer 3" in m for m in messages)


def test_add_remove_and_reorder(app):
    app.selectbox(key="build_new_type").set_value("Dropout")
    app.number_input(key="build_new_position").set_value(6)
    app.button(key="build_add").click().run()
    assert list(table(app)["type"])[6] == "Dropout"
    uid = app.session_state.build_uids[5]
    app.button(key=f"build_up_{uid}").click().run()
    assert list(table(app)["type"])[5:7] == ["Dropout", "Flatten"]
    assert (
        any("Dense: needs a flat input" in text or "Dropout" in text for text in errors(app))
        or not app.error
    )
    app.button(key=f"build_del_{uid}").click().run()
    assert "Dropout" not in list(table(app)["type"])


def test_code_and_presets_that_do_not_fit_the_dataset(app):
    assert any("keras.Sequential" in c.value for c in app.code)
    app.selectbox(key="build_preset").set_value("lenet-5")
    app.button(key="build_load").click().run()
    assert "AveragePooling2D" in list(table(app)["type"])
    assert any(
        "layer 3 Conv2D: kernel 5x5 is larger than its 4x4 input" in text for text in errors(app)
    ), errors(app)
    assert not any("keras.Sequential" in c.value for c in app.code)  # only the link is code


def test_a_backbone_layer_goes_first_with_its_name_and_trainable_blocks(app):
    """Issue 27: Build adds a Backbone (always first: it takes the dataset's images) and
    edits its name (a choice) and trainable_blocks (a whole number from 0)."""
    app.selectbox(key="build_new_type").set_value("Backbone")
    app.number_input(key="build_new_position").set_value(4)
    app.button(key="build_add").click().run()
    assert app.session_state.cnnviz_spec["layers"][0] == {
        "type": "Backbone",
        "name": "squeezenet",
        "trainable_blocks": 0,
    }
    uid = app.session_state.build_uids[0]
    name = app.selectbox(key=f"build_{uid}_name")
    assert list(name.options) == ["squeezenet", "mobilenet_v2"] and name.value == "squeezenet"
    blocks = app.number_input(key=f"build_{uid}_trainable_blocks")
    assert blocks.value == 0 and blocks.min == 0
    blocks.set_value(1).run()
    assert app.session_state.cnnviz_spec["layers"][0]["trainable_blocks"] == 1


def test_the_squeezenet_preset_counts_its_frozen_and_unfrozen_weights(app):
    app.selectbox(key="build_preset").set_value("squeezenet-head")
    app.button(key="build_load").click().run()
    assert not app.error, errors(app)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Non-trainable"] == "722,496"  # SqueezeNet 1.1 without conv10 (issue 27)
    assert metrics["Trainable"] == f"{512 * 10 + 10:,}"  # the head: 512 maps to 10 digits
    uid = app.session_state.build_uids[0]
    app.number_input(key=f"build_{uid}_trainable_blocks").set_value(1).run()
    fire9 = (512 * 64 + 64) + (64 * 256 + 256) + (64 * 9 * 256 + 256)  # squeeze, two expands
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Non-trainable"] == f"{722_496 - fire9:,}"
    assert metrics["Trainable"] == f"{fire9 + 5_130:,}"
    df = table(app)
    assert df["type"].iloc[1] == "Backbone" and df["output shape"].iloc[1] == "(None, 13, 13, 512)"
