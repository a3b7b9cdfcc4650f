"""The class's results for the teacher: one row per run, as rows and as CSV.

Columns, in order (`COLUMNS`, then one per class)::

    desk, run_id, model, parameters, dataset, epochs, status, test_accuracy, settings,
    recall_<class>, ...

`epochs` counts the finished epochs; `parameters` is the model's weight count
(`Run.report().total_params`), empty before the run has read its data; `settings` is
`settings_summary` ("adam, lr 0.003, batch 64, augmented"); `recall_<class>` is the run's
test recall of that class, one column per class name of any listed run (first seen
first), empty for a run without test metrics or without that class. An uploaded dataset
is named as it was uploaded, never by the server's path. The same CSV is the Class page's
**Download results (CSV)** and `python -m cnnviz results --csv`.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from typing import Any

from cnnviz.errors import CnnvizError
from cnnviz.runs import Run, list_runs
from cnnviz.uploads import dataset_label

__all__ = [
    "COLUMNS",
    "result_rows",
    "results",
    "results_csv",
    "settings_summary",
]

COLUMNS = (
    "desk",
    "run_id",
    "model",
    "parameters",
    "dataset",
    "epochs",
    "status",
    "test_accuracy",
    "settings",
)
RECALL = "recall_"  # + a class name
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell


def settings_summary(config: dict[str, Any]) -> str:
    """A run's main hyper-parameters in one line: "adam, lr 0.003, batch 64, augmented"."""
    training = config.get("training") or {}
    parts = [
        str(training.get("optimizer", "?")),
        f"lr {training.get('learning_rate', '?')}",
        f"batch {training.get('batch_size', '?')}",
    ]
    if config.get("augment"):
        parts.append("augmented")
    return ", ".join(parts)


def _recall(run: Run) -> dict[str, float]:
    try:
        metrics = run.metrics()
    except CnnvizError:  # a damaged metrics.json: the rest of the row still counts
        return {}
    if metrics is None:
        return {}
    return {RECALL + name: float(r) for name, r in zip(metrics.class_names, metrics.recall)}


def result_rows(runs: Iterable[Run]) -> list[dict[str, Any]]:
    """One row per run, in the order given: `COLUMNS` then a `recall_<class>` key per
    class name of any of the runs (None where a run has no such value).

    Returns:
        list of dicts with the same keys; `parameters`, `epochs` ints, `test_accuracy`
        and recalls floats in [0, 1], None where unknown; the rest text.
    """
    rows, recall_columns = [], {}
    for run in runs:
        recall = _recall(run)
        recall_columns.update(dict.fromkeys(recall))
        rows.append(
            {
                "desk": run.owner or "",
                "run_id": run.id,
                "model": run.spec.name,
                "parameters": run.total_params,
                "dataset": dataset_label(run.config.get("dataset", "")),
                "epochs": int(run.status.get("epochs_completed") or 0),
                "status": run.state,
                "test_accuracy": run.test_accuracy,
                "settings": settings_summary(run.config),
                **recall,
            }
        )
    columns = [*COLUMNS, *recall_columns]
    return [{c: row.get(c) for c in columns} for row in rows]


def results(
    *, owner: str | None = None, runs_dir: str | os.PathLike | None = None
) -> list[dict[str, Any]]:
    """`result_rows` of every run under the runs root (only `owner`'s when given),
    newest first.

    Raises:
        CnnvizError: the runs root is a file.
    """
    return result_rows(list_runs(runs_dir, owner=owner))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text  # no formula runs


def results_csv(rows: list[dict[str, Any]]) -> str:
    """Rows of `result_rows` as CSV text: a header (`COLUMNS`, then the recall columns),
    then one line per row; fractions with 4 decimals, unknown values empty. A cell a
    spreadsheet would run as a formula (a model named "=...") starts with a quote."""
    columns = list(rows[0]) if rows else list(COLUMNS)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_cell(c) for c in columns])
    writer.writerows([_cell(row.get(c)) for c in columns] for row in rows)
    return out.getvalue()
