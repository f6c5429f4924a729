"""Follow-up tracking across open plans, and ELERV performance monitoring by week.

The weekly figures are counts only: no case numbers, no names, no notes, so they can be
shared with command staff and partners as they are.

A week runs Monday to Sunday (an ISO week, in the time zone of the "now" the figures are
made for). A check-in is due in the week its due date falls in (:func:`counts_as_due`); the
tracker's list of what is due this week and the table's "check-ins due" use that one rule.
A screen is a screening with a result: one started and never finished is not counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from protocols.engine import ChecklistRun, FollowUpPlan
from protocols.engine.base import restore_older
from protocols.engine.errors import EngineError
from protocols.engine.followup import Closure, ScheduledCheckIn
from protocols.engine.rights import RightsDelivery
from protocols.engine.screening import ScreeningRun
from protocols.library.loader import Library, UnknownContent
from protocols.records.store import RunRecord, Store

FOLLOW_UP_AID = "follow-up"
SCREENING_AID = "screening"
SCREEN_IN_AID = "screen-in-response"
RIGHTS_AID = "rights-notification"
SPOKE_ITEM = "victim-spoke-to-advocate"


@dataclass(frozen=True)
class DueCheckIn:
    run_id: str
    case_number: str
    plan_title: str
    check_in: str
    """The check-in's label, as the plan shows it."""
    check_in_id: str
    due_at: dt.datetime
    status: str
    """``overdue``, ``due-today`` or ``upcoming``."""


def _plan(record: RunRecord, library: Library) -> FollowUpPlan | None:
    """The plan under the current content (an older-version plan read as it was recorded)."""
    try:
        template = library.template(record.content_id)
        return FollowUpPlan.carry_over(template, record.state)[0]
    except (UnknownContent, EngineError):
        return None


def week_of(moment: dt.datetime, zone: dt.tzinfo | None) -> str:
    """The ISO week a moment falls in, read in the time zone ``zone``: ``2026-W47``."""
    year, week, _ = moment.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def end_of_week(now: dt.datetime) -> dt.datetime:
    """Midnight at the start of the Monday after ``now`` (the end of ``now``'s week), in its zone."""
    local = now.astimezone(now.tzinfo)
    monday = local.date() - dt.timedelta(days=local.weekday())
    return dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(0, 0), tzinfo=local.tzinfo)


def counts_as_due(check_in: ScheduledCheckIn, closure: Closure | None) -> bool:
    """Whether a check-in counts as due (in the week its due date falls in).

    It does, unless its plan was closed before its due time and it was never done: closing a
    plan early makes the check-ins still to come unneeded.
    """
    return check_in.done or closure is None or closure.at >= check_in.due_at


def due_check_ins(store: Store, library: Library, now: dt.datetime,
                  within_days: int | None = None) -> list[DueCheckIn]:
    """Open plans' check-ins not done yet: overdue, due today, or due by the end of next week.

    Weeks end on Sunday night (:func:`end_of_week`), so on a Friday Monday's check-ins are
    listed too; give ``within_days`` to look that many days ahead instead.
    """
    horizon = (end_of_week(now) + dt.timedelta(days=7) if within_days is None
               else now + dt.timedelta(days=within_days))
    rows: list[DueCheckIn] = []
    for record in store.all_runs(FOLLOW_UP_AID):
        plan = _plan(record, library)
        if plan is None or plan.closed:
            continue
        for status in plan.statuses(now):
            if status.status in ("overdue", "due-today") or (
                status.status == "upcoming" and status.due_at < horizon
            ):
                rows.append(DueCheckIn(record.id, record.case_number, plan.template.title, status.label,
                                       status.id, status.due_at, status.status))
    order = {"overdue": 0, "due-today": 1, "upcoming": 2}
    return sorted(rows, key=lambda r: (order[r.status], r.due_at))


@dataclass
class WeekFigures:
    week: str
    """ISO week, e.g. ``2026-W47``."""
    screens: int = 0
    screened_in_rule: int = 0
    screened_in_belief: int = 0
    spoke_to_hotline: int = 0
    screen_in_checklists: int = 0
    rights_notices: int = 0
    check_ins_due: int = 0
    check_ins_done: int = 0
    check_ins_on_time: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.check_ins_on_time / self.check_ins_due if self.check_ins_due else None


@dataclass
class Monitoring:
    weeks: list[WeekFigures] = field(default_factory=list)
    unreadable: int = 0
    """Records that could not be read under the current content (counted, never guessed)."""
    older_versions: int = 0
    """Records made under an older content version, counted from what they recorded."""


_Bucket = Callable[[dt.datetime], "WeekFigures | None"]
"""The row of the week a moment falls in, or ``None`` outside the weeks shown."""


def weekly_figures(store: Store, library: Library, now: dt.datetime, weeks: int = 8) -> Monitoring:
    """Counts by ISO week for the last ``weeks`` weeks (oldest first).

    Each run counts in the week it happened (its own finish, start or delivery time), not the
    week its record was written: a record saved late, or imported, still lands in the right week.
    """
    result = Monitoring()
    table: dict[str, WeekFigures] = {}
    zone = now.tzinfo
    for back in range(weeks - 1, -1, -1):
        label = week_of(now - dt.timedelta(weeks=back), zone)
        table[label] = WeekFigures(label)

    def bucket(moment: dt.datetime) -> WeekFigures | None:
        return table.get(week_of(moment, zone))

    _count_screens(store, library, result, bucket)
    _count_screen_in_checklists(store, library, result, bucket)
    _count_rights_notices(store, library, result, bucket)
    _count_check_ins(store, library, result, bucket, zone)
    result.weeks = list(table.values())
    return result


def _count_screens(store: Store, library: Library, result: Monitoring, bucket: _Bucket) -> None:
    for record in store.all_runs(SCREENING_AID):
        try:
            instrument = library.instrument(record.content_id)
            screening, made_under = restore_older(partial(ScreeningRun.restore, instrument), record.state)
            result.older_versions += made_under is not None
            outcome = screening.evaluate().outcome
        except (UnknownContent, EngineError):
            result.unreadable += 1
            continue
        finished_at = screening.state.finished_at
        row = bucket(finished_at) if finished_at is not None else None  # no result: not a screen
        if row is None:
            continue
        row.screens += 1
        row.screened_in_rule += outcome == "screened-in-protocol"
        row.screened_in_belief += outcome == "screened-in-officer-belief"


def _count_screen_in_checklists(store: Store, library: Library, result: Monitoring, bucket: _Bucket) -> None:
    for record in store.all_runs(SCREEN_IN_AID):
        try:
            protocol = library.protocol(record.content_id)
            changed = record.updated_at if record.updated_at.tzinfo else record.updated_at.replace(tzinfo=dt.UTC)
            run = ChecklistRun.upgrade(protocol, record.state, changed)
            result.older_versions += record.content_version != protocol.version
        except (UnknownContent, EngineError):
            result.unreadable += 1
            continue
        row = bucket(run.state.started_at)
        if row is None:
            continue
        row.screen_in_checklists += 1
        answer = run.answer_for(SPOKE_ITEM) if SPOKE_ITEM in {i.id for i in run.protocol.items()} else None
        row.spoke_to_hotline += answer is not None and answer.value == "spoke"


def _count_rights_notices(store: Store, library: Library, result: Monitoring, bucket: _Bucket) -> None:
    for record in store.all_runs(RIGHTS_AID):
        try:
            notice = library.notice(record.content_id)
            delivery, made_under = RightsDelivery.carry_over(notice, record.state)
            result.older_versions += made_under is not None
        except (UnknownContent, EngineError):
            result.unreadable += 1
            continue
        for given in delivery.state.deliveries:  # a run may record several notices
            row = bucket(given.given_at)
            if row is not None:
                row.rights_notices += 1


def _count_check_ins(store: Store, library: Library, result: Monitoring, bucket: _Bucket,
                     zone: dt.tzinfo | None) -> None:
    for record in store.all_runs(FOLLOW_UP_AID):
        plan = _plan(record, library)
        if plan is None:
            result.unreadable += 1
            continue
        result.older_versions += plan.template.version != record.content_version
        for check_in in plan.state.check_ins:
            row = bucket(check_in.due_at)
            if row is None or not counts_as_due(check_in, plan.state.closure):
                continue
            row.check_ins_due += 1
            first_contact = min((a.at for a in check_in.attempts if a.result.value != "not-reached"), default=None)
            row.check_ins_done += first_contact is not None
            due_day = check_in.due_at.astimezone(zone).date()
            if first_contact is not None and first_contact.astimezone(zone).date() <= due_day:
                row.check_ins_on_time += 1


FIGURE_DEFINITIONS: dict[str, str] = {
    "week": "The year and week number. A week runs from Monday to Sunday.",
    "screens": "Danger screenings finished that week, so each has a result. A screening that was "
               "started but never finished is not counted.",
    "screened in (rule)": "Screens where the answers met a screen-in rule.",
    "screened in (officer belief)": "Screens where no rule was met but the officer screened in on "
                                    "their belief, with a reason.",
    "spoke to hotline": "Screen-in checklists started that week where the victim spoke with the "
                        "hotline advocate.",
    "rights notices given": "Rights notices given to victims that week.",
    "check-ins due": "Follow-up check-ins whose due date falls in that week, done or not. This week's "
                     "row also counts check-ins due later this week. A check-in is not counted if its "
                     "plan was closed before its date and it was never done.",
    "on time": "Of the check-ins due, how many reached the victim, or the victim declined, on or "
               "before the due date.",
}
"""What each column of :func:`figures_as_rows` counts, in plain words (the tracker's legend)."""


def figures_as_rows(monitoring: Monitoring) -> list[dict[str, Any]]:
    """The weekly figures as plain rows, for tables and charts (columns: :data:`FIGURE_DEFINITIONS`)."""
    rows = []
    for w in monitoring.weeks:
        rate = w.on_time_rate
        rows.append({"week": w.week, "screens": w.screens, "screened in (rule)": w.screened_in_rule,
                     "screened in (officer belief)": w.screened_in_belief,
                     "spoke to hotline": w.spoke_to_hotline, "rights notices given": w.rights_notices,
                     "check-ins due": w.check_ins_due,
                     "on time": "–" if rate is None else f"{w.check_ins_on_time} ({rate:.0%})"})
    return rows
