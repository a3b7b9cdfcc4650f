"""The event vocabulary: every event crosses a process as JSON and comes back equal."""

import json

import pytest

from cnnviz.events import (
    ACTIVE,
    ENDED,
    STATUSES,
    WITH_WEIGHTS,
    BatchEvent,
    EpochEvent,
    StatusEvent,
    event_from_dict,
)

STEP = dict(epoch=2, epochs=5, batch=3, batches=7, elapsed=1.5, images_per_second=90.0, eta=4.0)


@pytest.mark.parametrize(
    "event",
    [
        BatchEvent(**STEP, logs={"loss": 0.5, "accuracy": 0.8}),
        EpochEvent(**STEP, logs={"loss": 0.4, "val_loss": 0.6, "val_class_3": 1.0}, partial=True),
        EpochEvent(**{**STEP, "eta": None}),
        StatusEvent("completed", "trained 5 epochs", test_accuracy=0.93),
        StatusEvent("queued"),
    ],
)
def test_events_round_trip_through_json(event):
    document = json.loads(json.dumps(event.to_dict()))
    assert document["kind"] == event.kind
    assert event_from_dict(document) == event


def test_the_flat_document_keeps_the_old_shape():
    event = EpochEvent(**STEP, logs={"loss": 0.4, "accuracy": 0.9})
    assert event.to_dict() == {
        "kind": "epoch",
        **STEP,
        "partial": False,
        "loss": 0.4,
        "accuracy": 0.9,
    }
    assert event.loss == 0.4 and event.val_loss is None


def test_status_words():
    assert set(ACTIVE) | set(ENDED) == set(STATUSES) and not set(ACTIVE) & set(ENDED)
    assert set(WITH_WEIGHTS) <= set(ENDED) and "failed" not in WITH_WEIGHTS
    with pytest.raises(ValueError, match="status must be one of"):
        StatusEvent("done")
    with pytest.raises(ValueError, match="not an event"):
        event_from_dict({"kind": "shout"})
