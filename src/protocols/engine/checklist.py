"""Run a checklist protocol: record values (not ticks), hold and resume, complete.

A :class:`ChecklistRun` pairs a :class:`~protocols.models.Protocol` with a
:class:`ChecklistState`. Each operation checks its input, builds a new frozen
state and points ``run.state`` at it; the old state is never changed. Operations
that change the run return the new state, so a caller can save it at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, model_validator

from protocols.engine.answers import (
    CaseNumber,
    StoredValue,
    check_case_number,
    check_id,
    check_reason,
    check_value,
    display_value,
    named,
)
from protocols.engine.base import Frozen, RunState, check_content, load
from protocols.engine.clock import require_aware
from protocols.engine.errors import (
    AnswerError,
    CompletionRefused,
    ContentMismatch,
    RunClosed,
    StateError,
)
from protocols.models import Item, PausePoint, Protocol

# --------------------------------------------------------------------------- state


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


# --------------------------------------------------------------------------- views

RunStatus = Literal["in-progress", "on-hold", "completed"]


class PausePointProgress(Frozen):
    id: str
    title: str
    answered: int
    total: int
    required_open: tuple[str, ...]
    critical_open: tuple[str, ...]
    text: str
    """E.g. ``"3 of 5 answered · 1 critical open"``."""

    @property
    def done(self) -> bool:
        return not self.required_open


class ChecklistProgress(Frozen):
    status: RunStatus
    answered: int
    total: int
    critical_open: tuple[str, ...]
    required_open: tuple[str, ...]
    current_pause_point: str | None
    """The first pause point with an unanswered required item; ``None`` when all are done."""
    current_item: str | None
    """The held item while on hold, else the first unanswered required item."""
    pause_points: tuple[PausePointProgress, ...]
    text: str
    """E.g. ``"7 of 12 answered · 1 critical open"``."""


class DoneItem(Frozen):
    item_id: str
    prompt: str
    critical: bool
    value: StoredValue
    display: str
    """The value as a person reads it (choice labels, number with unit)."""
    answered_at: AwareDatetime
    content_version: str
    changes: int
    """How many earlier values this item had."""
    source: str | None = None
    """Where the value was taken from when the run filled it in (see :attr:`ItemAnswer.source`)."""


class SkippedItem(Frozen):
    item_id: str
    prompt: str
    critical: bool
    why: Literal["not-applicable", "optional", "left-open"]
    reason: str
    """The user's reason for not applicable; a stock phrase otherwise."""
    at: AwareDatetime | None = None


class PausePointSummary(Frozen):
    id: str
    title: str
    done: tuple[DoneItem, ...]
    skipped: tuple[SkippedItem, ...]


class ChecklistSummary(Frozen):
    protocol_id: str
    protocol_title: str
    content_version: str
    revised: dt.date
    case_number: str
    started_at: AwareDatetime
    completed_at: AwareDatetime | None
    status: RunStatus
    progress_text: str
    pause_points: tuple[PausePointSummary, ...]


# --------------------------------------------------------------------------- the run


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class ChecklistRun:
    """A checklist run over one protocol.

    Start one with :meth:`start`; continue a saved one with :meth:`restore`.
    """

    def __init__(self, protocol: Protocol, state: ChecklistState) -> None:
        check_content(state, protocol.id, protocol.version, "protocol")
        self.protocol = protocol
        self._items = {item.id: item for item in protocol.items()}
        self._check_answers(state)
        self.state = state

    # ----------------------------------------------------------------- creation

    @classmethod
    def start(cls, protocol: Protocol, case_number: object, now: dt.datetime) -> ChecklistRun:
        """A new run for the incident or case number (no names)."""
        now = require_aware(now)
        state = ChecklistState(
            content_id=protocol.id,
            content_version=protocol.version,
            case_number=check_case_number(case_number),
            started_at=now,
            events=(RunEvent(event="started", at=now),),
        )
        return cls(protocol, state)

    @classmethod
    def restore(cls, protocol: Protocol, saved: object) -> ChecklistRun:
        """Continue a saved run (a :class:`ChecklistState` or its JSON) exactly where it stopped.

        Raises :class:`ContentMismatch` if it was made with another protocol or version.
        """
        return cls(protocol, load(ChecklistState, saved))

    @classmethod
    def upgrade(cls, protocol: Protocol, saved: object, now: dt.datetime) -> ChecklistRun:
        """Move a saved run made with an older version of ``protocol`` to this version.

        Answers keep the version they were given under. Answers to items the new
        version no longer has move to the history (marked ``item-removed``).
        """
        now = require_aware(now)
        state = load(ChecklistState, saved)
        if state.content_id != protocol.id:
            raise ContentMismatch(
                f"This saved run belongs to the checklist {named(state.content_id)}, not "
                f"{named(protocol.id)}."
            )
        if state.content_version == protocol.version:
            return cls(protocol, state)
        ids = {item.id for item in protocol.items()}
        kept = tuple(a for a in state.answers if a.item_id in ids)
        removed = tuple(
            PastAnswer(answer=a, replaced_at=now, change="item-removed")
            for a in state.answers
            if a.item_id not in ids
        )
        hold = state.hold if state.hold is None or state.hold.item_id in ids else None
        event = RunEvent(
            event="upgraded",
            at=now,
            note=f"from version {state.content_version} to {protocol.version}",
        )
        upgraded = state.model_copy(
            update={
                "content_version": protocol.version,
                "answers": kept,
                "history": state.history + removed,
                "hold": hold,
                "events": (*state.events, event),
            }
        )
        return cls(protocol, upgraded)

    def _check_answers(self, state: ChecklistState) -> None:
        for answer in state.answers:
            item = self._items.get(answer.item_id)
            if item is None:
                raise StateError(
                    f"The saved run answers the item {named(answer.item_id)}, which version "
                    f"{self.protocol.version} of “{self.protocol.title}” does not have."
                )
            if answer.kind is AnswerKind.VALUE and answer.content_version == self.protocol.version:
                try:
                    check_value(item.value, answer.value)
                except AnswerError as error:
                    raise StateError(
                        f"The saved answer to the item {named(item.id)} is not valid. {error}"
                    ) from None
        if state.hold is not None and state.hold.item_id not in self._items:
            raise StateError(f"The saved run is held at an unknown item, {named(state.hold.item_id)}.")

    # ----------------------------------------------------------------- lookups

    def item(self, item_id: object) -> Item:
        """The protocol's item with this id; :class:`AnswerError` if there is none."""
        key = check_id(item_id, "the item id")
        item = self._items.get(key)
        if item is None:
            raise AnswerError(
                f"The checklist “{self.protocol.title}” has no item {named(key)}. Check the item id."
            )
        return item

    def answer_for(self, item_id: object) -> ItemAnswer | None:
        """The current answer to an item, or ``None``."""
        key = self.item(item_id).id
        for answer in self.state.answers:
            if answer.item_id == key:
                return answer
        return None

    def answer_text(self, item_id: object) -> str | None:
        """The current answer as a person reads it (``"Read aloud"``, ``"Not applicable: …"``)."""
        item = self.item(item_id)
        answer = self.answer_for(item.id)
        if answer is None:
            return None
        if answer.value is None:
            return f"Not applicable: {answer.reason}"
        return display_value(item.value, answer.value)

    def history(self, item_id: object) -> tuple[PastAnswer, ...]:
        """Earlier answers to an item, oldest first."""
        key = self.item(item_id).id
        return tuple(p for p in self.state.history if p.answer.item_id == key)

    @property
    def status(self) -> RunStatus:
        if self.state.completed_at is not None:
            return "completed"
        if self.state.hold is not None:
            return "on-hold"
        return "in-progress"

    def _answered_ids(self) -> set[str]:
        return {a.item_id for a in self.state.answers}

    def _first_open(self) -> tuple[PausePoint | None, Item | None]:
        answered = self._answered_ids()
        for pp in self.protocol.pause_points:
            for item in pp.items:
                if not item.optional and item.id not in answered:
                    return pp, item
        return None, None

    @property
    def current_pause_point(self) -> PausePoint | None:
        """The first pause point with an unanswered required item."""
        return self._first_open()[0]

    @property
    def current_item(self) -> Item | None:
        """The held item while on hold, else the first unanswered required item."""
        if self.state.hold is not None:
            return self._items[self.state.hold.item_id]
        return self._first_open()[1]

    def pause_point_of(self, item_id: object) -> PausePoint:
        key = self.item(item_id).id
        for pp in self.protocol.pause_points:
            if any(i.id == key for i in pp.items):
                return pp
        raise AnswerError(f"The item {named(key)} is in no pause point.")  # pragma: no cover

    # ----------------------------------------------------------------- changes

    def _require_open(self, doing: str) -> None:
        if self.state.completed_at is not None:
            raise RunClosed(
                f"This checklist was completed at {self.state.completed_at:%H:%M} and cannot be "
                f"changed; reopen it (with a reason) before {doing}."
            )
        if self.state.hold is not None:
            held = self._items[self.state.hold.item_id]
            raise StateError(
                f"This checklist is on hold at “{_short(held.prompt, 40)}” since "
                f"{self.state.hold.held_at:%H:%M}; resume it before {doing}."
            )

    def _set(self, new: ItemAnswer, now: dt.datetime) -> ChecklistState:
        current = self.answer_for(new.item_id)
        if current is not None and (current.kind, current.value, current.reason, current.source) == (
            new.kind,
            new.value,
            new.reason,
            new.source,
        ):
            return self.state
        answers = (*(a for a in self.state.answers if a.item_id != new.item_id), new)
        history = self.state.history
        if current is not None:
            history = (*history, PastAnswer(answer=current, replaced_at=now, change="changed"))
        self.state = self.state.model_copy(update={"answers": answers, "history": history})
        return self.state

    def answer(self, item_id: object, value: object, now: dt.datetime) -> ChecklistState:
        """Record a value for an item (or change it; the old value goes to the history)."""
        now = require_aware(now)
        item = self.item(item_id)
        self._require_open("answering")
        stored = check_value(item.value, value, f"“{_short(item.prompt)}”")
        return self._set(
            ItemAnswer(
                item_id=item.id,
                kind=AnswerKind.VALUE,
                value=stored,
                answered_at=now,
                content_version=self.protocol.version,
            ),
            now,
        )

    def prefill(
        self, values: Mapping[str, object], now: dt.datetime, source: str
    ) -> tuple[str, ...]:
        """Fill in items from another record (``source``, e.g. ``"screening"``); the ids filled in.

        Only items that were never answered are filled in: an answer the officer gave, changed
        or cleared stays as it is. Ids this protocol lacks and values an item refuses are
        passed over. Each value can be changed like any answer; the record keeps its source.
        """
        now = require_aware(now)
        self._require_open("filling it in")
        touched = {a.item_id for a in self.state.answers} | {p.answer.item_id for p in self.state.history}
        filled: list[str] = []
        for item_id, value in values.items():
            item = self._items.get(item_id)
            if item is None or item_id in touched:
                continue
            try:
                stored = check_value(item.value, value)
            except AnswerError:
                continue
            self._set(ItemAnswer(item_id=item.id, kind=AnswerKind.VALUE, value=stored, answered_at=now,
                                 content_version=self.protocol.version, source=source), now)
            filled.append(item.id)
        if filled:
            events = tuple(RunEvent(event="prefilled", at=now, item_id=i, note=f"from the {source}")
                           for i in filled)
            self.state = self.state.model_copy(update={"events": (*self.state.events, *events)})
        return tuple(filled)

    def mark_not_applicable(
        self, item_id: object, reason: object, now: dt.datetime
    ) -> ChecklistState:
        """Mark an item not applicable; needs a reason and an item that allows it."""
        now = require_aware(now)
        item = self.item(item_id)
        self._require_open("changing an item")
        if not item.na_allowed:
            raise AnswerError(
                f"“{_short(item.prompt)}” cannot be marked not applicable; record its value."
            )
        text = check_reason(reason, "the reason it does not apply")
        return self._set(
            ItemAnswer(
                item_id=item.id,
                kind=AnswerKind.NOT_APPLICABLE,
                reason=text,
                answered_at=now,
                content_version=self.protocol.version,
            ),
            now,
        )

    def clear(self, item_id: object, now: dt.datetime) -> ChecklistState:
        """Remove an item's answer (kept in the history). Clearing an open item does nothing."""
        now = require_aware(now)
        item = self.item(item_id)
        self._require_open("clearing an item")
        current = self.answer_for(item.id)
        if current is None:
            return self.state
        self.state = self.state.model_copy(
            update={
                "answers": tuple(a for a in self.state.answers if a.item_id != item.id),
                "history": (
                    *self.state.history,
                    PastAnswer(answer=current, replaced_at=now, change="cleared"),
                ),
            }
        )
        return self.state

    def hold(self, item_id: object, now: dt.datetime) -> ChecklistState:
        """Put the run on hold at an item (after an interruption); :meth:`resume` continues."""
        now = require_aware(now)
        item = self.item(item_id)
        if self.state.completed_at is not None:
            raise RunClosed("This checklist is completed, so there is nothing to hold.")
        if self.state.hold is not None and self.state.hold.item_id == item.id:
            return self.state
        self.state = self.state.model_copy(
            update={
                "hold": Hold(item_id=item.id, held_at=now),
                "events": (*self.state.events, RunEvent(event="held", at=now, item_id=item.id)),
            }
        )
        return self.state

    def resume(self, now: dt.datetime) -> ChecklistState:
        """Take the run off hold; :attr:`current_item` shows where to carry on."""
        now = require_aware(now)
        hold = self.state.hold
        if hold is None:
            raise StateError("This checklist is not on hold, so there is nothing to resume.")
        self.state = self.state.model_copy(
            update={
                "hold": None,
                "events": (
                    *self.state.events,
                    RunEvent(event="resumed", at=now, item_id=hold.item_id),
                ),
            }
        )
        return self.state

    def complete(self, now: dt.datetime) -> ChecklistState:
        """The completion call. Refused while a critical item is unanswered."""
        now = require_aware(now)
        self._require_open("completing it")
        open_critical = self.progress().critical_open
        if open_critical:
            names = ", ".join(
                f"“{_short(self._items[i].prompt, 50)}” ({i})" for i in open_critical
            )
            verb = "is" if len(open_critical) == 1 else "are"
            raise CompletionRefused(
                f"{_plural(len(open_critical), 'critical item')} {verb} unanswered: {names}. "
                "Answer them, or mark them not applicable with a reason, then complete.",
                open_critical,
            )
        self.state = self.state.model_copy(
            update={
                "completed_at": now,
                "events": (*self.state.events, RunEvent(event="completed", at=now)),
            }
        )
        return self.state

    def reopen(self, reason: object, now: dt.datetime) -> ChecklistState:
        """Reopen a completed run so it can be changed; needs a reason."""
        now = require_aware(now)
        if self.state.completed_at is None:
            raise StateError("This checklist is not completed, so it does not need reopening.")
        text = check_reason(reason, "the reason for reopening")
        self.state = self.state.model_copy(
            update={
                "completed_at": None,
                "events": (*self.state.events, RunEvent(event="reopened", at=now, note=text)),
            }
        )
        return self.state

    # ----------------------------------------------------------------- views

    def progress(self) -> ChecklistProgress:
        """Answered/total overall and per pause point, and the critical items still open."""
        answered_ids = self._answered_ids()
        points: list[PausePointProgress] = []
        for pp in self.protocol.pause_points:
            answered = sum(1 for i in pp.items if i.id in answered_ids)
            required_open = tuple(
                i.id for i in pp.items if not i.optional and i.id not in answered_ids
            )
            critical_open = tuple(i.id for i in pp.items if i.critical and i.id not in answered_ids)
            points.append(
                PausePointProgress(
                    id=pp.id,
                    title=pp.title,
                    answered=answered,
                    total=len(pp.items),
                    required_open=required_open,
                    critical_open=critical_open,
                    text=_progress_text(answered, len(pp.items), len(critical_open)),
                )
            )
        answered = sum(p.answered for p in points)
        total = sum(p.total for p in points)
        critical = tuple(i for p in points for i in p.critical_open)
        current_pp, _ = self._first_open()
        current = self.current_item
        text = _progress_text(answered, total, len(critical))
        if self.status == "completed":
            text = f"Completed · {text}"
        elif self.status == "on-hold" and current is not None:
            text = f"On hold at “{_short(current.prompt, 40)}” · {text}"
        return ChecklistProgress(
            status=self.status,
            answered=answered,
            total=total,
            critical_open=critical,
            required_open=tuple(i for p in points for i in p.required_open),
            current_pause_point=current_pp.id if current_pp else None,
            current_item=current.id if current else None,
            pause_points=tuple(points),
            text=text,
        )

    def summary(self) -> ChecklistSummary:
        """What was done (value and time) and what was skipped (and why), per pause point."""
        answers = {a.item_id: a for a in self.state.answers}
        changes: dict[str, int] = {}
        for past in self.state.history:
            changes[past.answer.item_id] = changes.get(past.answer.item_id, 0) + 1
        points: list[PausePointSummary] = []
        for pp in self.protocol.pause_points:
            done: list[DoneItem] = []
            skipped: list[SkippedItem] = []
            for item in pp.items:
                answer = answers.get(item.id)
                if answer is not None and answer.value is not None:
                    done.append(
                        DoneItem(
                            item_id=item.id,
                            prompt=item.prompt,
                            critical=item.critical,
                            value=answer.value,
                            display=display_value(item.value, answer.value),
                            answered_at=answer.answered_at,
                            content_version=answer.content_version,
                            changes=changes.get(item.id, 0),
                            source=answer.source,
                        )
                    )
                elif answer is not None:
                    skipped.append(
                        SkippedItem(
                            item_id=item.id,
                            prompt=item.prompt,
                            critical=item.critical,
                            why="not-applicable",
                            reason=answer.reason or "",
                            at=answer.answered_at,
                        )
                    )
                else:
                    skipped.append(
                        SkippedItem(
                            item_id=item.id,
                            prompt=item.prompt,
                            critical=item.critical,
                            why="optional" if item.optional else "left-open",
                            reason="optional; not answered" if item.optional else "not answered",
                        )
                    )
            points.append(
                PausePointSummary(
                    id=pp.id, title=pp.title, done=tuple(done), skipped=tuple(skipped)
                )
            )
        return ChecklistSummary(
            protocol_id=self.protocol.id,
            protocol_title=self.protocol.title,
            content_version=self.state.content_version,
            revised=self.protocol.revised,
            case_number=self.state.case_number,
            started_at=self.state.started_at,
            completed_at=self.state.completed_at,
            status=self.status,
            progress_text=self.progress().text,
            pause_points=tuple(points),
        )


def _progress_text(answered: int, total: int, critical_open: int) -> str:
    critical = f"{critical_open} critical open" if critical_open else "no critical items open"
    return f"{answered} of {total} answered · {critical}"
