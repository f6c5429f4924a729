"""What a checklist run records: its answers, their history, holds and events.

:class:`ChecklistState` is the frozen, JSON-ready record a :class:`~protocols.engine.checklist.ChecklistRun`
replaces after every change; the old state is never changed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, model_validator

from protocols.engine.answers import CaseNumber, StoredValue
from protocols.engine.base import Frozen, RunState


class AnswerKind(StrEnum):
    VALUE = "value"
    NOT_APPLICABLE = "not-applicable"


class ItemAnswer(Frozen):
    """The answer an item holds now: a value, or not applicable with a reason."""

    item_id: str
    kind: AnswerKind
    value: StoredValue | None = None
    reason: str | None = None
    answered_at: AwareDatetime
    content_version: str
    source: str | None = None
    """Set when the run filled the value in from another record (``"screening"``) rather than
    the officer; an answer the officer gives, even the same value, has none."""

    @model_validator(mode="after")
    def _kind_fits(self) -> ItemAnswer:
        if self.kind is AnswerKind.VALUE and (self.value is None or self.reason is not None):
            raise ValueError("a value answer holds a value and no reason")
        not_applicable = self.kind is AnswerKind.NOT_APPLICABLE
        if not_applicable and (self.reason is None or self.value is not None):
            raise ValueError("a not-applicable answer holds a reason and no value")
        return self

    def same_as(self, other: ItemAnswer) -> bool:
        """Whether ``other`` records the same answer (whenever and under whichever version)."""
        return (self.kind, self.value, self.reason, self.source) == (
            other.kind, other.value, other.reason, other.source)


class PastAnswer(Frozen):
    """An answer that was changed or cleared, kept so the record shows every value given."""

    answer: ItemAnswer
    replaced_at: AwareDatetime
    change: Literal["changed", "cleared", "item-removed"]


class Hold(Frozen):
    item_id: str
    held_at: AwareDatetime


class RunEvent(Frozen):
    """A step in the run's life, for after-action review."""

    event: Literal["started", "held", "resumed", "completed", "reopened", "upgraded", "prefilled"]
    at: AwareDatetime
    item_id: str | None = None
    note: str | None = None


class ChecklistState(RunState):
    """Everything a checklist run has recorded; plain JSON via ``model_dump(mode="json")``."""

    kind: Literal["checklist"] = "checklist"
    case_number: CaseNumber
    answers: tuple[ItemAnswer, ...] = ()
    history: tuple[PastAnswer, ...] = ()
    hold: Hold | None = None
    completed_at: AwareDatetime | None = None
    events: tuple[RunEvent, ...] = ()

    @model_validator(mode="after")
    def _one_answer_per_item(self) -> ChecklistState:
        ids = [a.item_id for a in self.answers]
        if len(ids) != len(set(ids)):
            raise ValueError("an item has more than one current answer")
        if self.hold is not None and self.completed_at is not None:
            raise ValueError("a completed run cannot be on hold")
        return self

    def answered_ids(self) -> set[str]:
        """The ids of the items that hold an answer now."""
        return {a.item_id for a in self.answers}

    def with_events(self, *events: RunEvent, **changes: object) -> ChecklistState:
        """A copy with ``events`` added to the log and the other fields ``changes``."""
        return self.model_copy(update={**changes, "events": (*self.events, *events)})
