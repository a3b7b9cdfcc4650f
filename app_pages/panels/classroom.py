"""The Class page's tables: every desk's runs, the best first, and the live queue.

Rows for `st.table`, whose cells are Markdown: every name a user typed (desks, models,
datasets) goes through `plain`. Each run with a trained model links to itself as
`inspect?run=RUN_ID` (DESIGN's run link, opened read-only in Inspect). With the
teacher's **Hide desk names** on, no desk name is in the rows at all.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from app_pages.frame.feedback import plain
from app_pages.server.datasets import dataset_label
from app_pages.session.training import about
from cnnviz.results import settings_summary

HIDDEN = "(hidden)"  # a desk's name while the teacher hides them


def run_link(run_id: str) -> str:
    """A Markdown link opening the run in Inspect (read-only)."""
    return f"[Inspect](inspect?{urlencode({'run': run_id})})"


def desk_name(owner: str | None, *, hide_names: bool) -> str:
    """A desk as the projected page names it."""
    if owner is None:
        return "no desk"
    return HIDDEN if hide_names else plain(owner)


def parameters(run) -> str:
    """The model's weight count, "12,345"; "" before the run has read its data (its
    image shape is not known yet), "?" when its spec no longer fits its data."""
    if not run.read_data:  # queued, or stopped before it started
        return ""
    count = run.total_params
    return "?" if count is None else f"{count:,}"  # "?": a damaged run, its row still shows


def _best_first(run) -> tuple:
    accuracy = run.test_accuracy
    return (accuracy is None, -(accuracy or 0.0))  # then newest first (a stable sort)


def leaderboard(runs: list, *, hide_names: bool = False) -> list[dict[str, str]]:
    """One row per run (`cnnviz.runs.Run`, newest first), the best test accuracy first.

    Columns: rank, desk, test accuracy, model, parameters, dataset, epochs (finished /
    planned), status, settings, and a link to Inspect for runs with a trained model.
    """
    rows = []
    for rank, run in enumerate(sorted(runs, key=_best_first), start=1):
        accuracy, config = run.test_accuracy, run.config
        planned = (config.get("training") or {}).get("epochs") or "?"
        rows.append(
            {
                "#": str(rank) if accuracy is not None else "",
                "desk": desk_name(run.owner, hide_names=hide_names),
                "test accuracy": "" if accuracy is None else f"**{accuracy:.1%}**",
                "model": plain(run.spec.name),
                "parameters": parameters(run),
                "dataset": plain(dataset_label(config.get("dataset"))),
                "epochs": f"{run.status.get('epochs_completed') or 0}/{planned}",
                "status": run.state,
                "settings": plain(settings_summary(config)),
                "open": run_link(run.id) if run.has_model else "",
            }
        )
    return rows


def queue_rows(
    queue: list[dict[str, Any]], runs: dict[str, Any], *, hide_names: bool = False
) -> list[dict[str, str]]:
    """The runner's queue (`JobRunner.queue()`: running, then waiting in order) as rows:
    desk, model, dataset, what it does now, and when it ends or starts."""
    rows = []
    for status in queue:
        run = runs.get(status["job_id"])
        latest = status["latest"]
        if status["queue_position"]:
            now = f"waiting · position {status['queue_position']}"
            when = f"starts in {about(status['eta'])}"
        else:
            epoch = f" · epoch {latest.epoch}/{latest.epochs}" if latest is not None else ""
            now = f"**training**{epoch}"
            when = f"ends in {about(status['eta'])}" if latest is not None else "starting"
        rows.append(
            {
                "desk": desk_name(status["owner"], hide_names=hide_names),
                "model": plain(run.spec.name) if run else "",
                "dataset": plain(dataset_label(run.config.get("dataset"))) if run else "",
                "now": now,
                "when": when,
            }
        )
    return rows


def elsewhere_rows(
    active: list[dict[str, Any]], runs: dict[str, Any], here: set[str], *, hide_names: bool
) -> list[dict[str, str]]:
    """The jobs other replicas on the runs folder hold (`cnnviz.claims.active_jobs`, minus
    this server's `here`), in the queue's columns: who, what, and where it runs."""
    rows = []
    for job in active:
        if job["run_id"] in here:
            continue
        run = runs.get(job["run_id"])
        rows.append(
            {
                "desk": desk_name(job["desk"], hide_names=hide_names),
                "model": plain(run.spec.name) if run else "",
                "dataset": plain(dataset_label(run.config.get("dataset"))) if run else "",
                "now": "**training**" if job["status"] == "running" else "waiting",
                "when": "on another server of this class",
            }
        )
    return rows
