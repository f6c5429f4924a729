"""The tracker's list and its weekly table count the same check-ins, and only finished screens."""

from __future__ import annotations

import datetime as dt

from protocols.engine import FollowUpPlan
from protocols.engine.screening import ScreeningRun
from protocols.library.loader import Library
from protocols.records import Store
from protocols.records.monitoring import FIGURE_DEFINITIONS, figures_as_rows, weekly_figures
from protocols.ui.tracker_aid import Tracker

MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # ISO week 2026-W48
WEEK = "2026-W48"


def _save(store: Store, aid: str, run: object, case: str, status: str = "in-progress") -> None:
    state = run.state  # type: ignore[attr-defined]
    store.create(aid, state.content_id, state.content_version, case, status, state.model_dump_json())


def _three_plans_due_tomorrow(store: Store, library: Library) -> None:
    """Three plans made an hour ago: each first check-in is due on Tuesday, the next a week later."""
    for n in range(3):
        plan = FollowUpPlan.create(library.template("standard-follow-up"), f"26-09{n}", MONDAY - dt.timedelta(hours=1))
        _save(store, "follow-up", plan, f"26-09{n}")


def _card_texts(tracker: Tracker) -> list[str]:
    return [card.children[0].value for card in tracker.due_box.children if card.children]


def test_the_list_and_the_table_agree_on_this_week(store: Store, library: Library) -> None:
    _three_plans_due_tomorrow(store, library)
    tracker = Tracker(library, store, clock=lambda: MONDAY)
    tracker.refresh()
    listed = [text for text in _card_texts(tracker) if "Later this week" in text]
    assert len(listed) == 3, "the three Tuesday check-ins"
    next_week = [text for text in _card_texts(tracker) if "Next week" in text]
    assert len(next_week) == 3 and all("Mon 30 Nov" in text for text in next_week)
    this_week = weekly_figures(store, library, MONDAY, weeks=2).weeks[-1]
    assert this_week.week == WEEK and this_week.check_ins_due == 3
    row = figures_as_rows(weekly_figures(store, library, MONDAY, weeks=2))[-1]
    assert row["check-ins due"] == 3
    assert f"3 check-ins are due (the row for {WEEK} in the table below): 0 done and 3 still to do." \
        in tracker.week_line.value


def test_a_check_in_done_this_week_stays_in_this_week_row(store: Store, library: Library) -> None:
    plan = FollowUpPlan.create(library.template("standard-follow-up"), "26-0950", MONDAY - dt.timedelta(hours=1))
    plan.record("first-contact", "reached", MONDAY + dt.timedelta(days=1))
    _save(store, "follow-up", plan, "26-0950")
    later = MONDAY + dt.timedelta(days=2)
    week = weekly_figures(store, library, later, weeks=1).weeks[-1]
    assert (week.check_ins_due, week.check_ins_done, week.check_ins_on_time) == (1, 1, 1)
    tracker = Tracker(library, store, clock=lambda: later)
    tracker.refresh()
    assert "1 check-in is due" in tracker.week_line.value and "1 done and 0 still to do" in tracker.week_line.value


def test_a_plan_closed_early_does_not_make_its_later_check_ins_due(store: Store, library: Library) -> None:
    plan = FollowUpPlan.create(library.template("standard-follow-up"), "26-0960", MONDAY - dt.timedelta(days=8))
    plan.close(MONDAY - dt.timedelta(days=6), [], "The victim moved away and asked for no contact")
    _save(store, "follow-up", plan, "26-0960", "completed")
    last_week = weekly_figures(store, library, MONDAY, weeks=2).weeks[0]
    # Monday's first contact was due before the plan closed (missed); Sunday's one-week check-in was not.
    assert [c.id for c in plan.state.check_ins[:2]] == ["first-contact", "one-week"]
    assert all(c.due_at.isocalendar()[1] == 47 for c in plan.state.check_ins[:2])
    assert (last_week.check_ins_due, last_week.check_ins_on_time) == (1, 0)


def test_only_a_screening_with_a_result_is_a_screen(store: Store, library: Library) -> None:
    instrument = library.instrument("sample-danger-screen")
    finished = ScreeningRun.start(instrument, "26-0970", MONDAY)
    finished.answer(1, "yes", MONDAY)
    finished.finish(MONDAY + dt.timedelta(minutes=5))
    _save(store, "screening", finished, "26-0970", "completed")
    abandoned = ScreeningRun.start(instrument, "26-0971", MONDAY)
    _save(store, "screening", abandoned, "26-0971")
    half = ScreeningRun.start(instrument, "26-0972", MONDAY)
    half.answer(2, "yes", MONDAY)
    _save(store, "screening", half, "26-0972")
    week = weekly_figures(store, library, MONDAY + dt.timedelta(hours=1), weeks=1).weeks[-1]
    assert (week.screens, week.screened_in_rule, week.screened_in_belief) == (1, 1, 0)


def test_the_table_defines_each_count_under_it(store: Store, library: Library) -> None:
    tracker = Tracker(library, store, clock=lambda: MONDAY)
    tracker.refresh()
    shown = tracker.figures.value
    assert "What each column counts" in shown
    table_end = shown.index("</table>")
    for column in figures_as_rows(weekly_figures(store, library, MONDAY, weeks=1))[0]:
        assert column in FIGURE_DEFINITIONS
        assert f"<dt>{column.capitalize()}</dt>" in shown[table_end:]
    assert "started but never finished is not counted" in shown


def test_a_check_in_missed_before_its_plan_closed_is_counted_in_the_sentence(store: Store, library: Library) -> None:
    """Due Tuesday, never done, plan closed Wednesday: the week's due count keeps it; the line says so."""
    plan = FollowUpPlan.create(library.template("standard-follow-up"), "26-0960", MONDAY - dt.timedelta(hours=1))
    plan.close(MONDAY + dt.timedelta(days=2), reason="The victim moved out of the area.")
    _save(store, "follow-up", plan, "26-0960", status="completed")
    later = MONDAY + dt.timedelta(days=3)
    week = weekly_figures(store, library, later, weeks=1).weeks[-1]
    assert (week.check_ins_due, week.check_ins_done) == (1, 0)
    tracker = Tracker(library, store, clock=lambda: later)
    tracker.refresh()
    assert "1 check-in is due" in tracker.week_line.value
    assert "0 done, 0 still to do and 1 missed before its plan was closed." in tracker.week_line.value
