"""The tracker job aid draws due check-ins and records an outcome through the engine and store."""

from __future__ import annotations

import datetime as dt

from test_monitoring import NOW, seed

from protocols.library.loader import default_library
from protocols.records import Store
from protocols.records.monitoring import weekly_figures
from protocols.ui.tracker_aid import NO_SCREENS, Tracker, chart_svg, tracker_aid


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


def test_weekly_chart_names_its_series_in_words_and_shows_each_count(store: Store) -> None:
    seed(store)
    monitoring = weekly_figures(store, default_library(), NOW, weeks=4)
    chart = chart_svg(monitoring)
    assert "Screens</span>" in chart and "Screened in (by rule or officer belief)</span>" in chart
    this_week = monitoring.weeks[-1]
    assert this_week.screens == 3
    assert f'fill="#1b1f24">{this_week.screens}</text>' in chart  # the count stands above its bar
    empty = [w for w in monitoring.weeks if w.screens == 0]
    assert empty and chart.count("</text>") == len(monitoring.weeks) * 2 - len(empty)


def test_an_empty_weekly_chart_says_no_screens_were_recorded(store: Store) -> None:
    """A unit with no screens yet sees why the chart has no bars, not a blank box."""
    chart = chart_svg(weekly_figures(store, default_library(), NOW, weeks=4))
    assert NO_SCREENS in chart
    seed(store)
    assert NO_SCREENS not in chart_svg(weekly_figures(store, default_library(), NOW, weeks=4))
