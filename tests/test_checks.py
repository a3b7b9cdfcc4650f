"""The one set of value checkers.

Every checker's message names the setting, says what fits, and ends with
`Received: name=value`, the value as the user wrote it (JSON).
"""

import math
import re

import numpy as np
import pytest

from cnnviz import checks
from cnnviz.errors import CnnvizError, ParamError, SpecError


@pytest.mark.parametrize(
    "call, value, words",
    [
        (lambda v: checks.whole(v, "epochs", low=1, high=10), 0, "a whole number from 1 to 10"),
        (lambda v: checks.whole(v, "epochs", low=1), 2.5, "a positive whole number"),
        (lambda v: checks.whole(v, "epochs", low=1), True, "a positive whole number"),
        (lambda v: checks.whole(v, "seed", low=0), -1, "a whole number of at least 0"),
        (lambda v: checks.number(v, "lr"), "0.1", "a number, not str"),
        (lambda v: checks.number(v, "lr"), math.inf, "a number (a finite one)"),
        (lambda v: checks.between(v, "rate", 0, 1, high_open=True), 1.0, "at least 0 and below 1"),
        (lambda v: checks.between(v, "deg", 0, 180), 200, "between 0 and 180"),
        (
            lambda v: checks.between(v, "f", 0, 1, low_open=True, high_open=True),
            0,
            "between 0 and 1",
        ),
        (lambda v: checks.boolean(v, "flip"), 1, "true or false"),
        (lambda v: checks.one_of(v, "optimizer", ("adam", "sgd")), "adan", "did you mean 'adam'"),
        (lambda v: checks.number_range(v, "zoom"), [1.2, 0.9], "low <= high"),
        (lambda v: checks.number_range(v, "zoom"), [1, 2, 3], "not 3 values"),
        (lambda v: checks.pair(v, "kernel_size"), [3, 0], "a pair of them like [3, 3]"),
        (lambda v: checks.padding_amount(v, "padding"), -1, "none negative"),
        (lambda v: checks.input_shape(v), [28, 28], "for grayscale images write [28, 28, 1]"),
        (lambda v: checks.image_size(v), (4, 4), "each from 8 to 512"),
        (lambda v: checks.devices(v), 0, "1 trains on one device; N splits every batch"),
    ],
)
def test_every_checker_says_what_fits_and_ends_with_what_it_received(call, value, words):
    with pytest.raises(CnnvizError) as caught:
        call(value)
    message = str(caught.value)
    assert words in message
    name = message.split(" must be ")[0]
    assert re.search(rf"\. Received: {re.escape(name)}=[^\n]+$", message), message


def test_checkers_return_normalised_values():
    assert checks.whole(np.int64(3), "n", low=1) == 3 and type(checks.whole(3, "n")) is int
    assert checks.number(2, "x") == 2.0 and isinstance(checks.number(2, "x"), float)
    assert checks.number_range(1.5, "zoom") == (1.5, 1.5)
    assert checks.pair(3, "k") == (3, 3) and checks.pair([3, 5], "k") == (3, 5)
    assert checks.optional_pair(None, "s") is None
    assert checks.padding_amount([1, 2], "p") == ((1, 1), (2, 2))
    assert checks.input_shape([8, 8, 1]) == (8, 8, 1)
    assert checks.image_size([64, 32]) == (64, 32)
    assert checks.devices(np.int64(2)) == 2
    assert checks.received("name", "a" * 200).endswith("...")  # long values are cut
    assert checks.received("name", {"a"}) == "Received: name={'a'}"  # not JSON: its repr


def test_param_error_is_a_cnnviz_error():
    assert issubclass(ParamError, CnnvizError) and issubclass(SpecError, CnnvizError)


def test_known_keys_names_the_first_unknown_key_and_the_closest_known_one():
    checks.known_keys({"title": 1, "intro": 2}, ("title", "intro"))  # all known: nothing
    with pytest.raises(CnnvizError) as err:
        checks.known_keys({"title": 1, "titel": 2}, ("title", "intro"), where="lesson: ")
    assert (
        str(err.value)
        == "lesson: unknown key 'titel'; did you mean 'title'? known keys: title, intro"
    )
    with pytest.raises(ParamError, match="unknown setting 'x'; known settings: a, b$"):
        checks.known_keys({"x": 1}, ("a", "b"), key="setting", error=ParamError)
