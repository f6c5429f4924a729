"""Record that a victims'-rights notice was given: which notice, version, language, when and how.

A :class:`RightsDelivery` is one delivery of one notice to one victim (case number
only). It is recorded once, in one step, and kept as a frozen
:class:`RightsDeliveryState`; giving the notice again (another language, another
method) is another delivery. The record keeps the notice's id, version, language,
citation and translation status as they were when it was given.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime

from protocols.engine.answers import (
    MAX_NOTE_LENGTH,
    CaseNumber,
    check_case_number,
    check_text,
)
from protocols.engine.base import Frozen, RunState, check_content, load
from protocols.engine.clock import require_aware
from protocols.engine.errors import AnswerError
from protocols.engine.languages import language_name
from protocols.models import DeliveryMethod, RightsNotice

METHOD_LABELS: dict[DeliveryMethod, str] = {
    DeliveryMethod.HANDED: "Handed to the victim (printed card)",
    DeliveryMethod.READ_ALOUD: "Read aloud to the victim",
    DeliveryMethod.SENT_EMAIL: "Sent by email",
    DeliveryMethod.SENT_TEXT: "Sent by text message",
    DeliveryMethod.SENT_MAIL: "Sent by post",
}
"""How each delivery method reads to a person."""

REVIEW_LABELS: dict[str, str] = {
    "original": "Original text",
    "needs-review": "Translation under review",
    "reviewed": "Reviewed translation",
}
"""How a notice's ``translation_review`` reads to a person."""

EARLIEST_DAYS = 30
"""A delivery time more than this many days before now is refused as a typing mistake."""

ReviewStatus = Literal["original", "needs-review", "reviewed"]


class RightsDeliveryState(RunState):
    """One notice given to one victim; plain JSON via ``model_dump(mode="json")``."""

    kind: Literal["rights"] = "rights"
    case_number: CaseNumber
    family: str
    language: str
    translation_review: ReviewStatus
    citation: str
    method: DeliveryMethod
    given_at: AwareDatetime
    """When the victim got the notice (may be a little before it was recorded)."""
    recorded_at: AwareDatetime
    notes: str | None = None


class DeliverySummary(Frozen):
    notice_id: str
    title: str
    content_version: str
    language: str
    language_name: str
    translation_review: ReviewStatus
    review_label: str
    method: DeliveryMethod
    method_label: str
    given_at: AwareDatetime
    text: str
    """E.g. ``"ca-marsy-es version 1.0, Spanish (español), translation under review: sent by
    email at 21:14 on Fri 03 May 2024"``."""


def method_options(notice: RightsNotice) -> list[tuple[str, str]]:
    """``(label, value)`` pairs of the delivery methods this notice allows, in its order."""
    return [(METHOD_LABELS[m], m.value) for m in notice.delivery_methods]


def _check_method(notice: RightsNotice, method: object) -> DeliveryMethod:
    allowed = [m.value for m in notice.delivery_methods]
    value = method.value if isinstance(method, DeliveryMethod) else method
    if not isinstance(value, str) or value not in allowed:
        raise AnswerError(f"choose how the notice was given: one of {', '.join(allowed)}")
    return DeliveryMethod(value)


def _check_given_at(given_at: object, now: dt.datetime) -> dt.datetime:
    """``None`` means now; a time ``"HH:MM"`` means today; else an aware datetime or ISO text."""
    if given_at is None or given_at == "":
        return now
    when: dt.datetime
    if isinstance(given_at, dt.datetime):
        when = require_aware(given_at, "the time the notice was given")
    elif isinstance(given_at, dt.time):
        when = dt.datetime.combine(now.date(), given_at.replace(tzinfo=None), tzinfo=now.tzinfo)
    elif isinstance(given_at, str) and len(given_at) <= 40:
        text = given_at.strip()
        try:
            if len(text) <= 5 and ":" in text:
                hours, minutes = (int(p) for p in text.split(":"))
                when = dt.datetime.combine(now.date(), dt.time(hours, minutes), tzinfo=now.tzinfo)
            else:
                parsed = dt.datetime.fromisoformat(text)
                when = parsed if parsed.tzinfo else parsed.replace(tzinfo=now.tzinfo)
        except ValueError:
            raise AnswerError(
                'give the time the notice was given as "21:14" (24-hour, today), or leave it '
                "empty for now"
            ) from None
    else:
        raise AnswerError('give the time the notice was given as "21:14", or leave it empty for now')
    if when > now + dt.timedelta(minutes=1):
        raise AnswerError(
            f"the time given ({when:%H:%M}) is later than now ({now:%H:%M}); record a notice "
            "after you give it"
        )
    if when < now - dt.timedelta(days=EARLIEST_DAYS):
        raise AnswerError(
            f"the time given is more than {EARLIEST_DAYS} days ago; check the date, or ask your "
            "supervisor how to record a late notice"
        )
    return when


class RightsDelivery:
    """The record of one rights notice given to one victim."""

    def __init__(self, notice: RightsNotice, state: RightsDeliveryState) -> None:
        check_content(state, notice.id, notice.version, "rights notice")
        self.notice = notice
        self.state = state

    @classmethod
    def record(
        cls,
        notice: RightsNotice,
        case_number: object,
        method: object,
        now: dt.datetime,
        *,
        given_at: object = None,
        notes: object = None,
    ) -> RightsDelivery:
        """Record that ``notice`` was given for ``case_number`` by ``method``.

        ``given_at`` is when it was given: ``None`` for now, ``"HH:MM"`` for earlier today,
        or a date and time; it may not be later than ``now``. ``notes`` is optional free text.
        """
        now = require_aware(now)
        number = check_case_number(case_number)
        chosen = _check_method(notice, method)
        when = _check_given_at(given_at, now)
        text = None
        if notes is not None and notes != "":
            text = check_text(notes, "the note", max_length=MAX_NOTE_LENGTH)
        return cls(
            notice,
            RightsDeliveryState(
                content_id=notice.id,
                content_version=notice.version,
                case_number=number,
                started_at=now,
                family=notice.family,
                language=notice.language,
                translation_review=notice.translation_review,
                citation=notice.citation,
                method=chosen,
                given_at=when,
                recorded_at=now,
                notes=text,
            ),
        )

    @classmethod
    def restore(cls, notice: RightsNotice, saved: object) -> RightsDelivery:
        """Read a saved delivery (state or JSON) back with the notice it was made with."""
        return cls(notice, load(RightsDeliveryState, saved))

    def summary(self) -> DeliverySummary:
        state = self.state
        return DeliverySummary(
            notice_id=state.content_id,
            title=self.notice.title,
            content_version=state.content_version,
            language=state.language,
            language_name=language_name(state.language),
            translation_review=state.translation_review,
            review_label=REVIEW_LABELS[state.translation_review],
            method=state.method,
            method_label=METHOD_LABELS[state.method],
            given_at=state.given_at,
            text=delivery_text(state),
        )


def delivery_text(state: RightsDeliveryState) -> str:
    """One line for the record: which notice, version and language, how and when.

    Works on a saved state alone, so older deliveries read back even after the notice
    has a new version.
    """
    label = METHOD_LABELS[state.method]
    parts = [f"{state.content_id} version {state.content_version}", language_name(state.language)]
    if state.translation_review != "original":
        parts.append(REVIEW_LABELS[state.translation_review].lower())
    return (
        f"{', '.join(parts)}: {label[0].lower()}{label[1:]} at {state.given_at:%H:%M} on "
        f"{state.given_at:%a %d %b %Y}"
    )
