"""Follow-up care: dated check-ins from a template, their status, outcomes and closure.

Check-in times are ``start + offset_hours``. A check-in marked ``business_day``
that lands on a Saturday, Sunday (or a listed holiday) moves to the next
business day, at the start of the victim's safe contact window if one was
given, else at 09:00. Statuses are by calendar day in the plan's time zone:
due today, overdue (an earlier day and not done) or upcoming.

Like every run here, each change replaces ``plan.state`` with a new frozen
:class:`FollowUpState` and returns it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime

from protocols.engine.answers import (
    MAX_NOTE_LENGTH,
    CaseNumber,
    check_case_number,
    check_id,
    check_reason,
    check_text,
    named,
)
from protocols.engine.base import Frozen, RunState, check_content, first_state, load, require_open, restore_older
from protocols.engine.clock import require_aware
from protocols.engine.errors import AnswerError, StateError
from protocols.models import CheckIn, ContactMethod, FollowUpTemplate

DEFAULT_CONTACT_TIME = dt.time(9, 0)
_CONTACT_PHRASES = {
    ContactMethod.PHONE: "by phone",
    ContactMethod.TEXT: "by text",
    ContactMethod.EMAIL: "by email",
    ContactMethod.IN_PERSON: "in person",
    ContactMethod.THROUGH_ADVOCATE: "through an advocate",
}
_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]):([0-5]\d)$")


class SafeContact(Frozen):
    """How and when the victim said it is safe to reach them. Every field is optional."""

    method: ContactMethod | None = None
    window: str | None = None
    """Safe hours as ``"HH:MM-HH:MM"`` (24-hour), e.g. ``"09:00-12:00"``."""
    may_leave_message: bool | None = None
    code_word: str | None = None

    def window_times(self) -> tuple[dt.time, dt.time] | None:
        if self.window is None:
            return None
        match = _WINDOW.match(self.window)
        if match is None:  # pragma: no cover - checked on the way in
            return None
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        return dt.time(h1, m1), dt.time(h2, m2)

    def text(self) -> str:
        parts = []
        if self.method is not None:
            parts.append(_CONTACT_PHRASES[self.method])
        if self.window is not None:
            parts.append(f"between {self.window.replace('-', ' and ')}")
        if self.may_leave_message is not None:
            parts.append("may leave a message" if self.may_leave_message else "leave no message")
        if self.code_word is not None:
            parts.append("use the agreed code word")
        return "; ".join(parts) or "no contact preferences recorded"


class CheckInResult(StrEnum):
    REACHED = "reached"
    NOT_REACHED = "not-reached"
    DECLINED = "declined"


RESULT_LABELS: dict[CheckInResult, str] = {
    CheckInResult.REACHED: "Reached the victim",
    CheckInResult.NOT_REACHED: "Could not reach the victim",
    CheckInResult.DECLINED: "The victim declined the check-in",
}
"""Each check-in result in plain words."""

METHOD_LABELS: dict[ContactMethod, str] = {
    ContactMethod.PHONE: "Phone call",
    ContactMethod.TEXT: "Text message",
    ContactMethod.EMAIL: "Email",
    ContactMethod.IN_PERSON: "In person",
    ContactMethod.THROUGH_ADVOCATE: "Through an advocate",
}
"""Each safe contact method in plain words."""


class Attempt(Frozen):
    result: CheckInResult
    at: AwareDatetime
    notes: str | None = None
    content_version: str


class ScheduledCheckIn(Frozen):
    id: str
    label: str
    due_at: AwareDatetime
    planned_at: AwareDatetime
    """``start + offset_hours``, before any move to a business day."""
    attempts: tuple[Attempt, ...] = ()

    @property
    def done(self) -> bool:
        return any(a.result is not CheckInResult.NOT_REACHED for a in self.attempts)


class Closure(Frozen):
    at: AwareDatetime
    confirmed: tuple[str, ...]
    reason: str | None = None


class FollowUpState(RunState):
    kind: Literal["followup"] = "followup"
    case_number: CaseNumber
    contact: SafeContact = SafeContact()
    check_ins: tuple[ScheduledCheckIn, ...]
    closure: Closure | None = None


StatusName = Literal["done", "due-today", "overdue", "upcoming", "closed"]


class CheckInStatus(Frozen):
    id: str
    label: str
    due_at: AwareDatetime
    status: StatusName
    tasks: tuple[str, ...]
    attempts: int
    last_result: CheckInResult | None
    moved: bool
    """Moved off a weekend or holiday to the next business day."""
    outside_window: bool
    """Due outside the victim's safe contact window."""
    text: str


class FollowUpOverview(Frozen):
    statuses: tuple[CheckInStatus, ...]
    overdue: int
    due_today: int
    upcoming: int
    done: int
    closed: bool
    contact: str
    text: str
    """E.g. ``"1 overdue · 1 due today · 2 upcoming"``."""


def _check_contact(
    template: FollowUpTemplate,
    method: object,
    window: object,
    may_leave_message: object,
    code_word: object,
) -> SafeContact:
    allowed = [m.value for m in template.contact_methods]
    chosen: ContactMethod | None = None
    if method is not None:
        value = method.value if isinstance(method, ContactMethod) else method
        if not isinstance(value, str) or value not in allowed:
            raise AnswerError(f"The contact method must be one of: {', '.join(allowed)}.")
        chosen = ContactMethod(value)
    span: str | None = None
    if window is not None:
        short = isinstance(window, str) and len(window) < 30
        match = _WINDOW.match(window.strip()) if short and isinstance(window, str) else None
        if match is None:
            raise AnswerError(
                'The safe contact window must look like "09:00-12:00" (24-hour, start-end).'
            )
        h1, m1, h2, m2 = match.groups()
        if (h1, m1) >= (h2, m2):
            raise AnswerError(
                "The safe contact window must end later the same day than it starts, "
                'for example "09:00-12:00".'
            )
        span = f"{h1}:{m1}-{h2}:{m2}"
    if may_leave_message is not None and not isinstance(may_leave_message, bool):
        raise AnswerError("Whether a message may be left must be true or false (or not given).")
    word: str | None = None
    if code_word is not None:
        word = check_text(code_word, "the code word", max_length=40)
        if "\n" in word or "\t" in word:
            raise AnswerError("The code word must be on one line.")
    return SafeContact(
        method=chosen, window=span, may_leave_message=may_leave_message, code_word=word
    )


def _next_business_day(
    due: dt.datetime, at: dt.time, holidays: Collection[dt.date]
) -> dt.datetime | None:
    day = due.date()
    if day.weekday() < 5 and day not in holidays:
        return None
    for _ in range(366):
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            return dt.datetime.combine(day, at, tzinfo=due.tzinfo)
    raise AnswerError("No business day was found within a year. Check the holiday list.")


def schedule(
    check_in: CheckIn,
    start: dt.datetime,
    contact: SafeContact,
    holidays: Collection[dt.date] = (),
) -> ScheduledCheckIn:
    """When one check-in falls for a plan starting at ``start``."""
    planned = start + dt.timedelta(hours=check_in.offset_hours)
    due = planned
    if check_in.business_day:
        window = contact.window_times()
        at = window[0] if window else DEFAULT_CONTACT_TIME
        due = _next_business_day(planned, at, holidays) or planned
    return ScheduledCheckIn(id=check_in.id, label=check_in.label, due_at=due, planned_at=planned)


class FollowUpPlan:
    """A follow-up plan for one case, made from a template."""

    def __init__(self, template: FollowUpTemplate, state: FollowUpState) -> None:
        check_content(state, template.id, template.version, "follow-up template")
        ids = [c.id for c in template.check_ins]
        if [c.id for c in state.check_ins] != ids:
            raise StateError(
                "The saved plan's check-ins do not match this template. Open it with the "
                "template version it was made with."
            )
        self.template = template
        self._tasks = {c.id: tuple(c.tasks) for c in template.check_ins}
        self.state = state

    @classmethod
    def create(
        cls,
        template: FollowUpTemplate,
        case_number: object,
        start: dt.datetime,
        *,
        method: object = None,
        window: object = None,
        may_leave_message: object = None,
        code_word: object = None,
        holidays: Collection[dt.date] = (),
    ) -> FollowUpPlan:
        """A plan whose check-ins count from ``start``, with the victim's safe contact details."""
        start = require_aware(start, "the start time")
        contact = _check_contact(template, method, window, may_leave_message, code_word)
        return cls(
            template,
            first_state(
                FollowUpState, template, start,
                case_number=check_case_number(case_number),
                contact=contact,
                check_ins=tuple(schedule(c, start, contact, holidays) for c in template.check_ins),
            ),
        )

    @classmethod
    def restore(cls, template: FollowUpTemplate, saved: object) -> FollowUpPlan:
        return cls(template, load(FollowUpState, saved))

    @classmethod
    def carry_over(cls, template: FollowUpTemplate, saved: object) -> tuple[FollowUpPlan, str | None]:
        """Restore a saved plan, one made under an older version of ``template`` included.

        A plan runs for weeks, so a revised template must not freeze it: one that still fits
        continues under the current version. Returns the plan and the version it was made
        under (``None`` when current). Raises :class:`EngineError` if it no longer fits.
        """
        return restore_older(lambda data: cls.restore(template, data), saved)

    @property
    def closed(self) -> bool:
        return self.state.closure is not None

    def check_in(self, check_in_id: object) -> ScheduledCheckIn:
        key = check_id(check_in_id, "the check-in id")
        for c in self.state.check_ins:
            if c.id == key:
                return c
        raise AnswerError(
            f"This plan has no check-in {named(key)}; the check-ins are: "
            + ", ".join(c.id for c in self.state.check_ins) + "."
        )

    # ----------------------------------------------------------------- status

    def _status(self, c: ScheduledCheckIn, now: dt.datetime) -> CheckInStatus:
        status: StatusName
        today = now.astimezone(c.due_at.tzinfo).date()
        if c.done:
            status = "done"
        elif self.closed:
            status = "closed"
        elif c.due_at.date() < today:
            status = "overdue"
        elif c.due_at.date() == today:
            status = "due-today"
        else:
            status = "upcoming"
        window = self.state.contact.window_times()
        local = c.due_at.time()
        outside = window is not None and not (window[0] <= local < window[1])
        last = c.attempts[-1].result if c.attempts else None
        words = {
            "done": "Done",
            "closed": "Not needed (plan closed)",
            "overdue": "Overdue",
            "due-today": "Due today",
            "upcoming": "Upcoming",
        }
        parts = [words[status], f"{c.label}", f"{c.due_at:%a %d %b %H:%M}"]
        if c.due_at != c.planned_at:
            parts.append("moved to the next business day")
        if outside and status not in ("done", "closed"):
            parts.append(f"outside the safe contact window ({self.state.contact.window})")
        if c.attempts:
            tried = "1 attempt" if len(c.attempts) == 1 else f"{len(c.attempts)} attempts"
            parts.append(f"{tried}, last: {c.attempts[-1].result.value}")
        return CheckInStatus(
            id=c.id,
            label=c.label,
            due_at=c.due_at,
            status=status,
            tasks=self._tasks[c.id],
            attempts=len(c.attempts),
            last_result=last,
            moved=c.due_at != c.planned_at,
            outside_window=outside,
            text=" · ".join(parts),
        )

    def statuses(self, now: dt.datetime) -> tuple[CheckInStatus, ...]:
        """Each check-in's status relative to ``now``."""
        now = require_aware(now)
        return tuple(self._status(c, now) for c in self.state.check_ins)

    def overview(self, now: dt.datetime) -> FollowUpOverview:
        statuses = self.statuses(now)
        counts = {name: sum(1 for s in statuses if s.status == name) for name in (
            "overdue", "due-today", "upcoming", "done"
        )}
        if self.state.closure is not None:
            text = f"Closed on {self.state.closure.at:%d %b %Y}"
        else:
            text = " · ".join(
                f"{n} {label}"
                for label, n in (
                    ("overdue", counts["overdue"]),
                    ("due today", counts["due-today"]),
                    ("upcoming", counts["upcoming"]),
                    ("done", counts["done"]),
                )
                if n
            )
        return FollowUpOverview(
            statuses=statuses,
            overdue=counts["overdue"],
            due_today=counts["due-today"],
            upcoming=counts["upcoming"],
            done=counts["done"],
            closed=self.closed,
            contact=self.state.contact.text(),
            text=text,
        )

    # ----------------------------------------------------------------- changes

    def _require_open(self) -> None:
        require_open(None if self.state.closure is None else self.state.closure.at,
                     "This follow-up plan was closed on {at:%d %b %Y}. "
                     "Start a new plan if follow-up is needed again.")

    def record(
        self, check_in_id: object, result: object, now: dt.datetime, notes: object = None
    ) -> FollowUpState:
        """Record a check-in attempt: reached, not reached or declined, with optional notes."""
        now = require_aware(now)
        target = self.check_in(check_in_id)
        self._require_open()
        value = result.value if isinstance(result, CheckInResult) else result
        if not isinstance(value, str) or value not in {r.value for r in CheckInResult}:
            raise AnswerError(
                'The check-in result must be "reached", "not-reached" or "declined".'
            )
        text = None
        if notes is not None and notes != "":
            text = check_text(notes, "the note", max_length=MAX_NOTE_LENGTH)
        attempt = Attempt(
            result=CheckInResult(value),
            at=now,
            notes=text,
            content_version=self.template.version,
        )
        check_ins = tuple(
            c.model_copy(update={"attempts": (*c.attempts, attempt)}) if c.id == target.id else c
            for c in self.state.check_ins
        )
        self.state = self.state.model_copy(update={"check_ins": check_ins})
        return self.state

    def close(
        self,
        now: dt.datetime,
        confirmed: Collection[int | str] = (),
        reason: object = None,
    ) -> FollowUpState:
        """Close the plan once every closure criterion is confirmed, or early with a reason.

        ``confirmed`` lists criteria by position (0, 1 …) or by their exact text.
        """
        now = require_aware(now)
        self._require_open()
        criteria = list(self.template.closure_criteria)
        if isinstance(confirmed, str | bytes) or not isinstance(
            confirmed, list | tuple | set | frozenset
        ):
            raise AnswerError("Give the confirmed closure criteria as a list.")
        ticked: set[int] = set()
        for entry in confirmed:
            is_index = isinstance(entry, int) and not isinstance(entry, bool)
            if is_index and isinstance(entry, int) and 0 <= entry < len(criteria):
                ticked.add(entry)
            elif isinstance(entry, str) and entry in criteria:
                ticked.add(criteria.index(entry))
            else:
                raise AnswerError(
                    f"{named(entry)} is not one of this plan's {len(criteria)} closure criteria. "
                    f"Give their positions (0-{len(criteria) - 1}) or their exact text."
                )
        missing = [c for i, c in enumerate(criteria) if i not in ticked]
        text: str | None = None
        if reason is not None and reason != "":
            text = check_reason(reason, "the reason for closing the plan")
        elif missing:
            raise AnswerError(
                f"{len(missing)} closure criteri{'on is' if len(missing) == 1 else 'a are'} not "
                "confirmed: " + "; ".join(missing) + ". Confirm them, or give a reason for "
                "closing the plan early."
            )
        self.state = self.state.model_copy(
            update={
                "closure": Closure(
                    at=now,
                    confirmed=tuple(c for i, c in enumerate(criteria) if i in ticked),
                    reason=text,
                )
            }
        )
        return self.state
