"""The tracker job aid draws due check-ins and records an outcome through the engine and store."""

from __future__ import annotations

import datetime as dt

from test_monitoring import NOW, seed

from protocols.library import default_library
from protocols.records import Store
from protocols.ui.tracker_aid import Tracker, tracker_aid


def test_tracker_records_an_outcome_and_the_list_updates(store: Store) -> None:
    seed(store)
    tracker = Tracker(default_library(), store, clock=lambda: NOW)
    tracker.refresh()
    before = len(tracker.due_box.children)
    overdue = [c for c in tracker.due_box.children if "Overdue" in c.children[0].value]
    assert overdue, "the seeded late plan should be overdue"
    reached = overdue[0].children[1].children[0]
    reached.click()
    assert "Recorded for case W-9" in tracker.status.text.value
    assert len(tracker.due_box.children) == before - 1
    assert "<svg" in tracker.figures.value and "no personal data" in tracker.figures.value


def test_tracker_aid_builds_without_a_kernel(store: Store) -> None:
    box = tracker_aid(store=store, clock=lambda: dt.datetime.now(dt.UTC))
    assert box.children
