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
