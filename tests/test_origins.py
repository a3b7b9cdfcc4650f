"""Where a dataset named from outside may come from (issue 25): a built-in set, TFDS or an
upload; never a folder of the server, and the refusal names none."""

import pytest

from cnnviz.errors import CnnvizError
from cnnviz.origins import canonical, check_origin, exported_config, without_paths

NAME = "0123456789abcdef-pets.zip"


@pytest.mark.parametrize(
    "dataset_id, opened",
    [
        ("digits", "digits"),
        (" shapes ", "shapes"),
        ("shapes:12", "shapes:12"),
        ("tfds:fashion_mnist", "tfds:fashion_mnist"),
        ("tfds:cifar10/1.0:3.0.2", "tfds:cifar10/1.0:3.0.2"),
        (f"upload:{NAME}", f"upload:{NAME}"),
        # an older run's or link's id of an upload: its new id, looked for in a desk's uploads
        (f"folder:/srv/cnnviz/runs/_uploads/alice/{NAME}", f"upload:{NAME}"),
        (f"folder:/srv/cnnviz/runs/_uploads/{NAME}", f"upload:{NAME}"),
        (f"folder:C:\\runs\\_uploads\\bob\\{NAME}", f"upload:{NAME}"),
    ],
)
def test_built_in_sets_tfds_and_uploads_may_be_named(dataset_id, opened):
    assert check_origin(dataset_id, where="config.json in run.zip") == opened


@pytest.mark.parametrize(
    "dataset_id",
    [
        "folder:/etc",
        "folder:/etc/",
        "folder:../../x",
        "folder:~/secrets",
        "folder:/home/teacher/exam/answers.zip",
        f"folder:/srv/runs/_uploads/alice/../../../etc/{NAME}",  # climbs out of the store
        f"folder:/srv/runs/_uploads/alice/sub/{NAME}",  # deeper than a desk's folder
        f"folder:/srv/runs/_uploads/Not A Desk/{NAME}",
        "folder:/srv/runs/_uploads/alice/passwd",  # not a stored name
        "upload:../../etc/passwd",
        "upload:/etc/passwd",
        "upload:0123456789abcdef-../x",
        "upload:.shared",
        "upload:pets.zip",  # no digest: not a stored name
        "tfds:../../etc",
        "tfds:/etc/passwd",
        "file:///etc/passwd",
        "/etc/passwd",
        "http://example.com/evil.zip",
    ],
)
def test_anything_else_is_refused_without_naming_a_server_path(dataset_id):
    with pytest.raises(CnnvizError) as caught:
        check_origin(dataset_id, where="config.json in run.zip")
    message = str(caught.value)
    assert "config.json in run.zip" in message or "unknown dataset" in message
    for part in ("/etc", "passwd", "secrets", "teacher", "answers", "/srv", "example.com"):
        assert part not in message, message


def test_a_typo_still_gets_a_close_match_and_a_huge_id_a_short_message():
    with pytest.raises(CnnvizError, match="Did you mean digits"):
        check_origin("digitz")
    with pytest.raises(CnnvizError, match="at most 1000 characters") as caught:
        check_origin("folder:/" + "x/" * 3000)
    assert len(str(caught.value)) < 300
    for bad in (None, 3, "", "   ", ["digits"]):
        with pytest.raises(CnnvizError, match="may be only a built-in set"):
            check_origin(bad)


def test_canonical_maps_only_upload_paths():
    assert canonical(f"folder:/x/_uploads/ann/{NAME}") == f"upload:{NAME}"
    assert canonical("folder:/data/pets") == "folder:/data/pets"  # the command line's own
    assert canonical("digits") == "digits" and canonical(None) is None


def test_an_exported_config_names_no_path_of_the_server():
    config = {
        "dataset": f"folder:/srv/runs/_uploads/ann/{NAME}",
        "data_dir": "/srv/tfds",
        "model": "/home/teacher/specs/my_spec.json",
        "owner": "ann",
    }
    out = exported_config(config)
    assert out == {
        "dataset": f"upload:{NAME}",
        "data_dir": None,
        "model": "my_spec.json",
        "owner": "ann",
    }
    assert config["data_dir"] == "/srv/tfds"  # the run's own config is not changed
    other = exported_config({"dataset": "folder:/home/me/pets/", "model": "lenet-5"})
    assert other["dataset"] == "folder:pets" and other["model"] == "lenet-5"


def test_without_paths_takes_a_folder_out_of_text(tmp_path):
    text = f"cannot write {tmp_path}/runs/x: full; {tmp_path}/runs"
    assert without_paths(text, tmp_path / "runs") == "cannot write …/x: full; …"
