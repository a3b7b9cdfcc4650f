"""Folding a job's event stream into progress, speed and curves."""

import math

from cnnviz.events import StatusEvent, event_from_dict
from cnnviz.progress import progress_from_events


def batch(epoch, b, loss, acc, **extra):
    return event_from_dict(
        {
            "kind": "batch",
            "epoch": epoch,
            "epochs": 2,
            "batch": b,
            "batches": 4,
            "elapsed": epoch + b / 4,
            "eta": 3.0,
            "images_per_second": 100.0,
            "loss": loss,
            "accuracy": acc,
            **extra,
        }
    )


def epoch_end(epoch, loss, acc, val_loss, val_acc, partial=False):
    return event_from_dict(
        {
            "kind": "epoch",
            "epoch": epoch,
            "epochs": 2,
            "batch": 4,
            "batches": 4,
            "elapsed": 2.0 * epoch,
            "eta": 0.0,
            "images_per_second": 120.0,
            "loss": loss,
            "accuracy": acc,
            "val_loss": val_loss,
            "val_accuracy": val_acc,
            "partial": partial,
        }
    )


def test_empty_stream_is_queued():
    p = progress_from_events([])
    assert p.status == "queued" and p.active and p.fraction == 0.0


def test_progress_history_and_batch_curve():
    events = [
        StatusEvent("queued", "waiting"),
        StatusEvent("running", "starting"),
        batch(1, 2, 2.0, 0.2),
        epoch_end(1, 1.5, 0.5, 1.4, 0.55),
        batch(2, 2, 1.0, 0.7),
    ]
    p = progress_from_events(events)
    assert p.status == "running" and p.active
    assert (p.epoch, p.batch, p.batches, p.epochs) == (2, 2, 4, 2)
    assert math.isclose(p.fraction, 6 / 8)
    assert p.history == {
        "loss": [1.5],
        "accuracy": [0.5],
        "val_loss": [1.4],
        "val_accuracy": [0.55],
    }
    assert p.batch_curve["epoch"] == [0.5, 1.5]
    assert p.batch_curve["loss"] == [2.0, 1.0]
    assert "epoch 2/2" in p.label() and "batch 2/4" in p.label() and "100 images/s" in p.label()


def test_partial_epoch_is_not_history_and_completion_is_full():
    events = [
        epoch_end(1, 1.0, 0.5, 1.0, 0.5),
        epoch_end(2, 0.9, 0.6, 0.9, 0.6, partial=True),
        StatusEvent("completed", "done", test_accuracy=0.9),
    ]
    p = progress_from_events(events)
    assert p.history["loss"] == [1.0]
    assert p.status == "completed" and not p.active
    assert p.fraction == 1.0 and p.test_accuracy == 0.9


def test_the_news_changes_with_the_status_and_each_epoch_never_with_a_batch():
    """What a screen reader is told (the Train page's live region)."""
    said = []
    events = [
        StatusEvent("queued", "waiting"),
        StatusEvent("running", "starting"),
        batch(1, 2, 2.0, 0.2),
        batch(1, 3, 1.8, 0.3),
        epoch_end(1, 1.5, 0.5, 1.4, 0.55),
        batch(2, 2, 1.0, 0.7),
        epoch_end(2, 0.9, 0.6, 0.9, 0.625),
        StatusEvent("completed", "done", test_accuracy=0.9),
    ]
    for n in range(1, len(events) + 1):
        news = progress_from_events(events[:n]).news()
        if not said or said[-1] != news:
            said.append(news)
    assert said == [
        "Training is waiting to start.",
        "Training has started: the first epoch is running.",
        "Training: epoch 1 of 2 done, validation accuracy 55.0%.",
        "Training: epoch 2 of 2 done, validation accuracy 62.5%.",
        "Training completed: test accuracy 90.0%.",
    ]
    stopped = progress_from_events([StatusEvent("stopped", "stopped by the learner")])
    assert stopped.news() == "Training stopped: stopped by the learner."
