"""The one reader of user JSON: documents are refused before parsing when too large or
too deep, numbers of absurd size are refused, files are checked before they are read."""

import json

import pytest

from cnnviz import json_input
from cnnviz.errors import CnnvizError, SpecError


def test_parse_json_reads_a_normal_document():
    text = json.dumps({"name": "m", "layers": [{"type": "Dense", "units": 3, "x": 0.5}]})
    assert json_input.parse_json(text, "the spec") == json.loads(text)
    assert json_input.parse_json(text.encode(), "the spec") == json.loads(text)


@pytest.mark.parametrize(
    "text, words",
    [
        ("[" * 100_000 + "]" * 100_000, "nests [ and { 100,000 levels deep; at most 32"),
        ('{"filters": ' + "9" * 5001 + "}", "a number of 5,001 digits"),
        ('{"x": 1e999}', "a number too large to hold"),
        ('{"x": NaN}', "NaN is not a number JSON allows"),
        ('{"x": Infinity}', "Infinity is not a number JSON allows"),
        ('{"name": "' + "x" * 1_000_001 + '"}', "1.0 MB; a JSON document here is at most 1 MB"),
        ('{"a": 1,,}', "not valid JSON: Expecting property name"),
        (b"\xff\xfe{}", "not a text (UTF-8 JSON) file"),
    ],
)
def test_parse_json_refuses_hostile_documents_with_a_message(text, words):
    with pytest.raises(SpecError) as caught:
        json_input.parse_json(text, "the spec", SpecError)
    assert words in str(caught.value) and str(caught.value).startswith("the spec")


def test_brackets_inside_strings_do_not_count_as_depth():
    text = json.dumps({"name": "[" * 1000, "layers": []})
    assert json_input.parse_json(text, "the spec")["name"] == "[" * 1000


def test_read_json_file_checks_the_size_before_reading(tmp_path):
    big = tmp_path / "big.json"
    big.write_text('{"name": "' + "x" * 2_000_000 + '"}')
    with pytest.raises(CnnvizError, match=r"big.json is 2.0 MB; the spec file is at most 1 MB"):
        json_input.read_json_file(big, "spec file")
    with pytest.raises(CnnvizError, match="no such spec file"):
        json_input.read_json_file(tmp_path / "missing.json", "spec file")
    with pytest.raises(CnnvizError, match="is a folder"):
        json_input.read_json_file(tmp_path, "spec file")


def test_read_json_file_refuses_files_that_never_end(tmp_path):
    with pytest.raises(CnnvizError, match="/dev/zero is not a regular file, so it cannot be"):
        json_input.read_json_file("/dev/zero", "augmentation spec file")
