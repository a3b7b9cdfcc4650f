"""The runs listing every run list starts from: read once, read again on any change."""

import os

from app_pages.server.listing import listed_runs
from cnnviz.runs import create_run, list_runs
from cnnviz.runstatus import write_status
from cnnviz.spec import ModelSpec
from tests.app.desks import TINY


def test_the_listing_follows_new_runs_and_status_changes_and_filters_by_desk(runs_dir):
    assert listed_runs() == []
    spec = ModelSpec.from_dict(TINY)
    ada = create_run(spec, {"dataset": "digits", "owner": "ada"}, runs_dir=runs_dir)
    first = listed_runs()
    assert [r.id for r in first] == [ada.id] and listed_runs() is first  # cached
    bob = create_run(spec, {"dataset": "digits", "owner": "bob"}, runs_dir=runs_dir)
    assert [r.id for r in listed_runs()] == [r.id for r in list_runs(runs_dir)]  # the oracle
    assert {r.id for r in listed_runs()} == {ada.id, bob.id}
    stamp = (ada.dir / "status.json").stat().st_mtime_ns
    write_status(ada.dir, "failed", "out of memory")
    os.utime(ada.dir / "status.json", ns=(stamp + 10**9, stamp + 10**9))  # a later write
    assert next(r for r in listed_runs() if r.id == ada.id).state == "failed"
    assert [r.id for r in listed_runs("bob")] == [bob.id]
    (runs_dir / "_uploads" / "ada").mkdir(parents=True)  # not a run folder: skipped
    assert len(listed_runs()) == 2
