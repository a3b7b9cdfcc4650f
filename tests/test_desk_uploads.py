"""A desk's own uploads (issue 25): listed with their size, shared only by their desk,
removed with their shared mark; a folder made in the browser is one upload."""

import pytest

from cnnviz import desk_uploads, uploads
from cnnviz.errors import CnnvizError


def test_sharing_is_the_owners_and_shows_in_the_listing(runs_dir):
    path = uploads.store(b"zip bytes", "pets.zip", owner="ann")
    upload = uploads.upload_id(path)
    (listed,) = desk_uploads.desk_uploads("ann")
    assert (listed.id, listed.label, listed.bytes, listed.shared) == (upload, "pets.zip", 9, False)
    with pytest.raises(CnnvizError, match="not among desk bob's uploads"):
        desk_uploads.share_upload(upload, desk="bob")  # only its desk shares it
    desk_uploads.share_upload(upload, desk="ann")
    assert (
        desk_uploads.is_shared(path.name, desk="ann") and desk_uploads.desk_uploads("ann")[0].shared
    )
    assert not desk_uploads.is_shared(path.name, desk="bob")
    desk_uploads.share_upload(upload, desk="ann", shared=False)
    assert not desk_uploads.is_shared(path.name, desk="ann")
    desk_uploads.share_upload(upload, desk="ann")
    desk_uploads.remove_upload(upload, desk="ann")
    assert not path.exists() and desk_uploads.desk_uploads("ann") == []
    assert not desk_uploads.is_shared(path.name, desk="ann")


def test_a_folder_made_in_the_browser_counts_and_goes_as_one_upload(runs_dir):
    folder = runs_dir / "_uploads" / "ann" / "0123456789abcdef-drawings"
    (folder / "cats").mkdir(parents=True)
    (folder / "cats" / "1.png").write_bytes(b"x" * 1000)
    (listed,) = desk_uploads.desk_uploads("ann")
    assert listed.label == "drawings" and listed.bytes == 1000
    assert uploads.find_upload(folder.name, desk="ann") == folder
    desk_uploads.remove_upload(listed.id, desk="ann")
    assert not folder.exists()
