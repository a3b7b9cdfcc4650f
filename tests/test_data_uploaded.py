"""`upload:NAME`: a desk's upload, loaded only from that desk's own uploads, and named by
the name it was uploaded as in every message (issue 25)."""

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from cnnviz.data import load_dataset
from cnnviz.errors import CnnvizError
from tests.helpers_uploads import pets_zip, stored_upload


def test_an_upload_loads_for_its_desk_and_names_no_path(runs_dir):
    upload = stored_upload(runs_dir, "ann")
    data = load_dataset(upload, desk="ann", image_size=(12, 12))
    assert data.info.id == upload  # what a run records: no path
    assert data.info.class_names == ("cats", "dogs")
    assert data.info.description.startswith("images from pets.zip: 2 class folders")
    assert str(runs_dir) not in data.info.description


def test_another_desk_cannot_load_it_and_is_told_so_without_a_path(runs_dir):
    upload = stored_upload(runs_dir, "ann")
    for desk in ("bob", None):
        with pytest.raises(CnnvizError) as caught:
            load_dataset(upload, desk=desk)
        message = str(caught.value)
        assert "pets.zip is not among" in message and "_uploads" not in message
        assert str(runs_dir) not in message


@pytest.mark.parametrize(
    "dataset_id",
    ["upload:../ann/x.zip", "upload:0123456789abcdef-../../etc", "upload:/etc/passwd"],
)
def test_a_hostile_upload_id_is_refused(runs_dir, dataset_id):
    stored_upload(runs_dir, "ann")
    with pytest.raises(CnnvizError, match="not the id of an upload") as caught:
        load_dataset(dataset_id, desk="ann")
    assert "/etc" not in str(caught.value).split("Received")[0]


def test_a_bad_upload_is_named_by_its_upload_name(runs_dir):
    from cnnviz import uploads

    one_class = pets_zip(cats=4, dogs=0)
    upload = uploads.upload_id(uploads.store(one_class, "cats.zip", owner="ann"))
    with pytest.raises(CnnvizError) as caught:
        load_dataset(upload, desk="ann")
    message = str(caught.value)
    assert message.startswith("cats.zip needs at least 2 class sub-folders")
    assert str(runs_dir) not in message and "_uploads" not in message


def test_a_folder_upload_loads_the_same_way_and_follows_no_link(runs_dir, tmp_path):
    outside = tmp_path / "outside.png"
    Image.fromarray(np.full((10, 10), 200, np.uint8)).save(outside)
    folder = runs_dir / "_uploads" / "ann" / "0123456789abcdef-drawings"
    for name in ("cats", "dogs"):
        (folder / name).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(np.full((10, 10), i * 40, np.uint8)).save(folder / name / f"{i}.png")
    (folder / "cats" / "stolen.png").symlink_to(outside)  # a link out of the upload
    data = load_dataset("upload:0123456789abcdef-drawings", desk="ann", image_size=(8, 8))
    assert sum(data.info.per_class["train"]) + sum(data.info.per_class["test"]) == 6
    assert data.info.description.startswith("images from drawings:")


def test_zip_members_that_climb_out_are_named_only_as_written(runs_dir):
    from cnnviz import uploads

    buffer = pets_zip()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("../../etc/evil.png", b"x")
    upload = uploads.upload_id(uploads.store(out.getvalue(), "pets.zip", owner="ann"))
    data = load_dataset(upload, desk="ann", image_size=(8, 8))
    assert any("climbs out" in w for w in data.info.warnings)
    assert not any(str(runs_dir) in w for w in data.info.warnings)
