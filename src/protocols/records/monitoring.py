"""Follow-up tracking across open plans, and ELERV performance monitoring by week.

The weekly figures are counts only: no case numbers, no names, no notes, so they can be
shared with command staff and partners as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from protocols.engine import ChecklistRun, FollowUpPlan
from protocols.engine.base import restore_older
from protocols.engine.errors import EngineError
from protocols.engine.rights import RightsDelivery
from protocols.engine.screening import ScreeningRun
from protocols.library import Library, UnknownContent
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


def due_check_ins(store: Store, library: Library, now: dt.datetime, within_days: int = 7) -> list[DueCheckIn]:
    """Open plans' check-ins that are overdue, due today, or due within ``within_days``."""
    horizon = now + dt.timedelta(days=within_days)
    rows: list[DueCheckIn] = []
    for record in store.all_runs(FOLLOW_UP_AID):
        plan = _plan(record, library)
        if plan is None or plan.closed:
            continue
        for status in plan.statuses(now):
            if status.status in ("overdue", "due-today") or (
                status.status == "upcoming" and status.due_at <= horizon
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


def _week(moment: dt.datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_figures(store: Store, library: Library, now: dt.datetime, weeks: int = 8) -> Monitoring:
    """Counts by ISO week for the last ``weeks`` weeks (oldest first)."""
    result = Monitoring()
    table: dict[str, WeekFigures] = {}
    for back in range(weeks - 1, -1, -1):
        label = _week(now - dt.timedelta(weeks=back))
        table[label] = WeekFigures(label)

    def bucket(moment: dt.datetime) -> WeekFigures | None:
        return table.get(_week(moment))

    # Each run counts in the week it happened (its own start or delivery time), not the week
    # its record was written: a record saved late, or imported, still lands in the right week.
    for record in store.all_runs(SCREENING_AID):
        try:
            instrument = library.instrument(record.content_id)
            screening, made_under = restore_older(partial(ScreeningRun.restore, instrument), record.state)
            result.older_versions += made_under is not None
            outcome = screening.evaluate().outcome
        except (UnknownContent, EngineError):
            result.unreadable += 1
            continue
        row = bucket(screening.state.started_at)
        if row is None:
            continue
        row.screens += 1
        row.screened_in_rule += outcome == "screened-in-protocol"
        row.screened_in_belief += outcome == "screened-in-officer-belief"
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
    for record in store.all_runs(RIGHTS_AID):
        try:
            notice = library.notice(record.content_id)
            delivery, made_under = restore_older(partial(RightsDelivery.restore, notice), record.state)
            result.older_versions += made_under is not None
        except (UnknownContent, EngineError):
            result.unreadable += 1
            continue
        row = bucket(delivery.state.given_at)
        if row is not None:
            row.rights_notices += 1
    for record in store.all_runs(FOLLOW_UP_AID):
        plan = _plan(record, library)
        if plan is None:
            result.unreadable += 1
            continue
        result.older_versions += plan.template.version != record.content_version
        for check_in in plan.state.check_ins:
            row = bucket(check_in.due_at)
            if row is None or check_in.due_at > now:
                continue
            row.check_ins_due += 1
            first_contact = min((a.at for a in check_in.attempts if a.result.value != "not-reached"), default=None)
            if first_contact is not None and first_contact.date() <= check_in.due_at.date():
                row.check_ins_on_time += 1
    result.weeks = list(table.values())
    return result


def figures_as_rows(monitoring: Monitoring) -> list[dict[str, Any]]:
    """The weekly figures as plain rows, for tables and charts."""
    rows = []
    for w in monitoring.weeks:
        rate = w.on_time_rate
        rows.append({"week": w.week, "screens": w.screens, "screened in (rule)": w.screened_in_rule,
                     "screened in (officer belief)": w.screened_in_belief,
                     "spoke to hotline": w.spoke_to_hotline, "rights notices given": w.rights_notices,
                     "check-ins due": w.check_ins_due,
                     "on time": "–" if rate is None else f"{w.check_ins_on_time} ({rate:.0%})"})
    return rows
