"""Record the victims'-rights notices given to one victim: which notice, version, language, when and how.

A :class:`RightsDelivery` is one run of the rights job aid for one case (case number only).
It holds every notice given in that run, in the order given: a sexual-assault victim in
California gets two (the Marsy's Rights card and the sexual-assault card). Each
:class:`NoticeGiven` keeps the notice's id, title, version, language, citation and
translation status as they were when it was given, so the record reads back the same after
the notice changes. A run saved when a run held a single notice (its fields at the top level
of the state) reads back as a run with that one notice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import AwareDatetime, Field, model_validator

from protocols.engine.answers import (
    MAX_NOTE_LENGTH,
    CaseNumber,
    check_case_number,
    check_text,
)
from protocols.engine.base import Frozen, RunState, check_content, first_state, load, restore_older
from protocols.engine.clock import require_aware
from protocols.engine.errors import AnswerError
from protocols.engine.languages import language_name
from protocols.models import DeliveryMethod, RightsNotice

METHOD_LABELS: dict[DeliveryMethod, str] = {
    DeliveryMethod.HANDED: "Handed to the victim (printed card)",
    DeliveryMethod.READ_ALOUD: "Read aloud to the victim",
    DeliveryMethod.SENT_EMAIL: "Sent by email",
    DeliveryMethod.SENT_TEXT: "Sent by text message",
    DeliveryMethod.SENT_MAIL: "Sent by mail",
}
"""How each delivery method reads to a person."""

REVIEW_LABELS: dict[str, str] = {
    "original": "Original text",
    "needs-review": "Needs translator review",
    "reviewed": "Reviewed translation",
}
"""How a notice's ``translation_review`` reads to a person."""

EARLIEST_DAYS = 30
"""A delivery time more than this many days before now is refused as a typing mistake."""

ReviewStatus = Literal["original", "needs-review", "reviewed"]

_ONE_NOTICE_FIELDS = ("family", "language", "translation_review", "citation", "method", "given_at",
                      "recorded_at", "notes")
"""The fields a single-notice state kept at its top level (now those of its one delivery)."""


class NoticeGiven(Frozen):
    """One notice given: which one, its version and language, when and how."""

    notice_id: str
    notice_version: str
    title: str | None = None
    """The notice's title when it was given (runs saved before titles were kept have none)."""
    family: str
    language: str
    translation_review: ReviewStatus
    citation: str
    method: DeliveryMethod
    given_at: AwareDatetime
    """When the victim got the notice (may be a little before it was recorded)."""
    recorded_at: AwareDatetime
    notes: str | None = None


class RightsDeliveryState(RunState):
    """Every notice given in one run, oldest first; plain JSON via ``model_dump(mode="json")``.

    ``content_id`` and ``content_version`` are those of the first notice given.
    """

    kind: Literal["rights"] = "rights"
    case_number: CaseNumber
    deliveries: list[NoticeGiven] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _one_notice_runs(cls, data: Any) -> Any:
        """A run saved with one notice's fields at the top level becomes a run with that notice."""
        if not isinstance(data, dict) or "deliveries" in data or "method" not in data:
            return data
        rest = {key: value for key, value in data.items() if key not in _ONE_NOTICE_FIELDS}
        given = {key: data[key] for key in _ONE_NOTICE_FIELDS if key in data}
        given |= {"notice_id": data.get("content_id"), "notice_version": data.get("content_version")}
        return rest | {"deliveries": [given]}


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
    """E.g. ``"ca-marsy-es version 1.1, Spanish (español), needs translator review: sent by
    email at 21:14 on Fri 03 May 2024"``."""


def method_options(notice: RightsNotice) -> list[tuple[str, str]]:
    """``(label, value)`` pairs of the delivery methods this notice allows, in its order."""
    return [(METHOD_LABELS[m], m.value) for m in notice.delivery_methods]


def _check_method(notice: RightsNotice, method: object) -> DeliveryMethod:
    allowed = [m.value for m in notice.delivery_methods]
    value = method.value if isinstance(method, DeliveryMethod) else method
    if not isinstance(value, str) or value not in allowed:
        labels = ", ".join(METHOD_LABELS[m] for m in notice.delivery_methods)
        raise AnswerError(f"Choose how the notice was given: {labels}.")
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


def _given(notice: RightsNotice, method: object, now: dt.datetime, given_at: object,
           notes: object) -> NoticeGiven:
    """The checked record of ``notice`` given by ``method``; raises ``AnswerError``."""
    chosen = _check_method(notice, method)
    when = _check_given_at(given_at, now)
    text = None
    if notes is not None and notes != "":
        text = check_text(notes, "the note", max_length=MAX_NOTE_LENGTH)
    return NoticeGiven(notice_id=notice.id, notice_version=notice.version, title=notice.title,
                       family=notice.family, language=notice.language,
                       translation_review=notice.translation_review, citation=notice.citation,
                       method=chosen, given_at=when, recorded_at=now, notes=text)


class RightsDelivery:
    """The record of the rights notices given to one victim in one run.

    ``notice`` is the first notice given (the run's content); later ones are added with
    :meth:`give`.
    """

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
        """Start the run with ``notice``, given for ``case_number`` by ``method``.

        ``given_at`` is when it was given: ``None`` for now, ``"HH:MM"`` for earlier today,
        or a date and time; it may not be later than ``now``. ``notes`` is optional free text.
        """
        now = require_aware(now)
        number = check_case_number(case_number)
        given = _given(notice, method, now, given_at, notes)
        return cls(notice, first_state(RightsDeliveryState, notice, now, case_number=number, deliveries=[given]))

    def give(self, notice: RightsNotice, method: object, now: dt.datetime, *, given_at: object = None,
             notes: object = None) -> NoticeGiven:
        """Add another notice given in this run (the sexual-assault card after the Marsy's card).

        The same notice given the same way at the same minute is refused as a repeat.
        """
        now = require_aware(now)
        given = _given(notice, method, now, given_at, notes)
        for earlier in self.state.deliveries:
            if (earlier.notice_id, earlier.notice_version, earlier.method) == (
                    given.notice_id, given.notice_version, given.method) and \
                    earlier.given_at.replace(second=0, microsecond=0) == given.given_at.replace(
                        second=0, microsecond=0):
                raise AnswerError(f"this notice is already recorded as given this way at "
                                  f"{earlier.given_at:%H:%M}")
        self.state = self.state.model_copy(update={"deliveries": [*self.state.deliveries, given]})
        return given

    @classmethod
    def restore(cls, notice: RightsNotice, saved: object) -> RightsDelivery:
        """Read a saved run (state or JSON) back with the first notice it was made with."""
        return cls(notice, load(RightsDeliveryState, saved))

    @classmethod
    def carry_over(cls, notice: RightsNotice, saved: object) -> tuple[RightsDelivery, str | None]:
        """Restore a saved run, one begun under an older version of ``notice`` included.

        Returns the run and the version it was begun under (``None``: the current one). Each
        notice given keeps the version it was given in.
        """
        return restore_older(lambda data: cls.restore(notice, data), saved)

    def summary(self) -> list[DeliverySummary]:
        """Each notice given in this run, oldest first."""
        return [delivery_summary(given) for given in self.state.deliveries]


def delivery_summary(given: NoticeGiven) -> DeliverySummary:
    return DeliverySummary(
        notice_id=given.notice_id,
        title=given.title or given.notice_id,
        content_version=given.notice_version,
        language=given.language,
        language_name=language_name(given.language),
        translation_review=given.translation_review,
        review_label=REVIEW_LABELS[given.translation_review],
        method=given.method,
        method_label=METHOD_LABELS[given.method],
        given_at=given.given_at,
        text=delivery_text(given),
    )


def delivery_text(given: NoticeGiven) -> str:
    """One line for the record: which notice, version and language, how and when.

    Works on the saved record alone, so older deliveries read back even after the notice
    has a new version.
    """
    label = METHOD_LABELS[given.method]
    parts = [f"{given.notice_id} version {given.notice_version}", language_name(given.language)]
    if given.translation_review != "original":
        parts.append(REVIEW_LABELS[given.translation_review].lower())
    return (
        f"{', '.join(parts)}: {label[0].lower()}{label[1:]} at {given.given_at:%H:%M} on "
        f"{given.given_at:%a %d %b %Y}"
    )


def run_lines(state: RightsDeliveryState) -> list[str]:
    """:func:`delivery_text` of every notice given in a saved run, oldest first."""
    return [delivery_text(given) for given in state.deliveries]
