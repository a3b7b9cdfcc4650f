"""`uploads` and `share` (issue 25): a desk's uploads, their sizes and who sees their
images, and sharing them; only the owning desk's uploads can be shared."""

import json

from cnnviz import desk_uploads
from tests.helpers_inspect import run_cli
from tests.helpers_uploads import stored_upload


def test_a_desk_lists_and_shares_its_uploads(runs_dir, capsys):
    upload = stored_upload(runs_dir, "ann")
    code, out, err = run_cli(capsys, "uploads", "--owner", "ann")
    assert code == 0 and upload in out and "pets.zip" in out and "its desk" in out
    assert str(runs_dir) not in out
    code, out, err = run_cli(capsys, "share", upload, "--owner", "bob")
    assert code == 2 and err.startswith("error: the upload pets.zip is not among desk bob's")
    assert err.count("\n") == 1 and str(runs_dir) not in err
    code, out, _ = run_cli(capsys, "share", upload, "--owner", "ann")
    assert code == 0 and out == "the images of pets.zip are now seen by every desk\n"
    code, out, _ = run_cli(capsys, "uploads", "--owner", "ann", "--json")
    (listed,) = json.loads(out)["uploads"]
    assert listed["id"] == upload and listed["shared"] is True and listed["label"] == "pets.zip"
    code, out, _ = run_cli(capsys, "share", upload, "--owner", "ann", "--off")
    assert code == 0 and "its desk and the teacher only" in out
    assert not desk_uploads.desk_uploads("ann")[0].shared
    code, out, _ = run_cli(capsys, "uploads", "--owner", "cat")
    assert code == 0 and out == "no uploads of desk cat\n"
