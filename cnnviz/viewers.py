"""Who may see a run's images: the images of a desk's upload are that desk's own.

Every desk sees every run's metrics and curves (read-only). The images a run was trained
and tested on are another matter when they are a desk's upload: only that desk, the
teacher, or, once the desk shares the upload (`cnnviz.desk_uploads.share_upload`), every desk
sees them (Inspect's test images, mistakes, Compare's disagreements, the coach's scan,
an export's pictures). Built-in and TFDS sets, and the uploads of no desk (the command
line's), are everyone's. A `Viewer` says who looks from a browser; the command line
(`viewer=None`) is the server's own operator and sees everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnviz.data.uploaded import stored_name
from cnnviz.desk_uploads import is_shared
from cnnviz.errors import CnnvizError
from cnnviz.origins import canonical
from cnnviz.uploads import dataset_label

__all__ = ["Viewer", "check_images", "images_hidden", "may_see_images"]


@dataclass(frozen=True)
class Viewer:
    """Who looks at runs from a browser.

    Attributes:
        desk: the viewing session's desk (verified), or None when it has none.
        teacher: the session is signed in as the teacher (sees every desk's images).
    """

    desk: str | None = None
    teacher: bool = False


def images_hidden(run, viewer: Viewer | None) -> str | None:
    """Why `viewer` may not see `run`'s images, in words, or None when they may.

    Args:
        run: a `cnnviz.runs.Run`.
        viewer: who looks; None for the command line (sees everything).
    """
    name = stored_name(canonical(run.config.get("dataset")))
    if viewer is None or viewer.teacher or name is None or not run.owner:
        return None
    if viewer.desk == run.owner or is_shared(name, desk=run.owner, runs_dir=run.dir.parent):
        return None
    return (
        f"run {run.id} was trained on another desk's upload, "
        f"{dataset_label(canonical(run.config['dataset']))}: only that desk and the teacher "
        "see its images (its metrics and curves are everyone's), unless the desk shares it"
    )


def may_see_images(run, viewer: Viewer | None) -> bool:
    """Whether `viewer` may see the images `run` was trained and tested on."""
    return images_hidden(run, viewer) is None


def check_images(run, viewer: Viewer | None) -> None:
    """Raise when `viewer` may not see `run`'s images.

    Raises:
        CnnvizError: the run's images are another desk's upload, not shared.
    """
    why = images_hidden(run, viewer)
    if why is not None:
        raise CnnvizError(why)
