"""Exports of runs, made once for the whole server: the zip a learner downloads.

Streamlit-side only, over `cnnviz.export.export_archive`. An export takes seconds (a
conversion, then the check against Keras on the run's test images), so it is made only
when a learner asks (`build_export`), one at a time in the process, and kept: the rerun
that a download click or any widget causes finds it (`built_export`) instead of
exporting again, and so does another learner asking for the same run, epoch and format.
Entries are keyed by the run's `cnnviz.runs.run_stamp`, so a retrained or reimported
run is exported afresh; the oldest are let go past `MAX_KEPT`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import streamlit as st

from cnnviz import export_formats, runs
from cnnviz.export import ExportResult

MAX_KEPT = 8  # exports held in memory (a small model's zip is tens of kB, a backbone's MBs)

Export = tuple[bytes, ExportResult]  # the zip's bytes, and how it matched Keras


class _Shelf:
    """The exports made so far, the newest last, and the lock that makes one at a time
    (two conversions at once would only slow both on a small server)."""

    def __init__(self) -> None:
        self.kept: OrderedDict[tuple, Export] = OrderedDict()
        self.making = threading.Lock()
        self.reading = threading.Lock()

    def get(self, key: tuple) -> Export | None:
        with self.reading:
            found = self.kept.get(key)
            if found is not None:
                self.kept.move_to_end(key)
            return found

    def put(self, key: tuple, made: Export) -> None:
        with self.reading:
            self.kept[key] = made
            while len(self.kept) > MAX_KEPT:
                self.kept.popitem(last=False)


@st.cache_resource
def _shelf() -> _Shelf:
    return _Shelf()


def _key(run_id: str, format: str, epoch: int | None) -> tuple:
    root = runs.runs_root()
    name = export_formats.get(format).name
    return (str(root), run_id, runs.run_stamp(root / run_id), epoch, name)


def built_export(run_id: str, format: str, *, epoch: int | None = None) -> Export | None:
    """The export of this run (the weights after `epoch`, None: the final model) in
    `format`, if one was made since the run last changed; None otherwise (nothing is
    exported here)."""
    return _shelf().get(_key(run_id, format, epoch))


def build_export(run_id: str, format: str, *, epoch: int | None = None) -> Export:
    """Export the run and keep the result (`cnnviz.export.export_archive`): the zip's
    bytes and its ExportResult (`path` is the file name to offer).

    Raises:
        CnnvizError: as `export_archive`: a format needing packages not installed, a
            run still training, without weights or damaged, test images that cannot be
            read, an export that does not match Keras.
    """
    from cnnviz.export import export_archive

    shelf, key = _shelf(), _key(run_id, format, epoch)
    with shelf.making:
        made = shelf.get(key)  # another learner may have made it while this one waited
        if made is None:
            run = runs.load_run(run_id, key[0])
            made = export_archive(run, format, epoch=epoch)
            shelf.put(key, made)
    return made
