"""Run a checklist protocol: record values (not ticks), hold and resume, complete.

A :class:`ChecklistRun` pairs a :class:`~protocols.models.Protocol` with a
:class:`ChecklistState`. Each operation checks its input, builds a new frozen
state and points ``run.state`` at it; the old state is never changed. Operations
that change the run return the new state, so a caller can save it at once.

The state lives in :mod:`protocols.engine.checklist_state`, the progress and summary
views in :mod:`protocols.engine.checklist_views`; both are importable from here too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from protocols.engine import checklist_views as views
from protocols.engine.answers import (
    StoredValue,
    check_case_number,
    check_id,
    check_reason,
    check_value,
    clipped,
    display_value,
    named,
    plural,
)
from protocols.engine.base import check_content, first_state, load, require_open
from protocols.engine.checklist_state import (
    AnswerKind,
    ChecklistState,
    Hold,
    ItemAnswer,
    PastAnswer,
    RunEvent,
)
from protocols.engine.checklist_views import (
    ChecklistProgress,
    ChecklistSummary,
    DoneItem,
    PausePointProgress,
    PausePointSummary,
    RunStatus,
    SkippedItem,
)
from protocols.engine.clock import require_aware
from protocols.engine.errors import (
    AnswerError,
    CompletionRefused,
    ContentMismatch,
    RunClosed,
    StateError,
)
from protocols.models import Item, PausePoint, Protocol

__all__ = [
    "AnswerKind",
    "ChecklistProgress",
    "ChecklistRun",
    "ChecklistState",
    "ChecklistSummary",
    "DoneItem",
    "Hold",
    "ItemAnswer",
    "PastAnswer",
    "PausePointProgress",
    "PausePointSummary",
    "RunEvent",
    "RunStatus",
    "SkippedItem",
]


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
        state = first_state(ChecklistState, protocol, now, case_number=check_case_number(case_number),
                            events=(RunEvent(event="started", at=now),))
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
        event = RunEvent(event="upgraded", at=now,
                         note=f"from version {state.content_version} to {protocol.version}")
        upgraded = state.with_events(event, content_version=protocol.version, answers=kept,
                                     history=state.history + removed, hold=hold)
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
        return views.run_status(self.state)

    @property
    def current_pause_point(self) -> PausePoint | None:
        """The first pause point with an unanswered required item."""
        return views.first_open(self.protocol, self.state)[0]

    @property
    def current_item(self) -> Item | None:
        """The held item while on hold, else the first unanswered required item."""
        return views.current_item(self.protocol, self.state)

    def pause_point_of(self, item_id: object) -> PausePoint:
        key = self.item(item_id).id
        for pp in self.protocol.pause_points:
            if any(i.id == key for i in pp.items):
                return pp
        raise AnswerError(f"The item {named(key)} is in no pause point.")  # pragma: no cover

    # ----------------------------------------------------------------- changes

    def _require_open(self, doing: str) -> None:
        require_open(self.state.completed_at, "This checklist was completed at {at:%H:%M} and cannot be "
                     f"changed; reopen it (with a reason) before {doing}.")
        if self.state.hold is not None:
            held = self._items[self.state.hold.item_id]
            raise StateError(
                f"This checklist is on hold at “{clipped(held.prompt, 40)}” since "
                f"{self.state.hold.held_at:%H:%M}; resume it before {doing}."
            )

    def _record(self, item: Item, now: dt.datetime, *, value: StoredValue | None = None,
                reason: str | None = None, source: str | None = None) -> ChecklistState:
        """Give ``item`` a value (or, with ``reason``, mark it not applicable); the old answer goes to the history."""
        new = ItemAnswer(item_id=item.id, kind=AnswerKind.VALUE if reason is None else AnswerKind.NOT_APPLICABLE,
                         value=value, reason=reason, answered_at=now,
                         content_version=self.protocol.version, source=source)
        current = self.answer_for(new.item_id)
        if current is not None and current.same_as(new):
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
        return self._record(item, now, value=check_value(item.value, value, f"“{clipped(item.prompt)}”"))

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
        touched = self.state.answered_ids() | {p.answer.item_id for p in self.state.history}
        filled: list[str] = []
        for item_id, value in values.items():
            item = self._items.get(item_id)
            if item is None or item_id in touched:
                continue
            try:
                stored = check_value(item.value, value)
            except AnswerError:
                continue
            self._record(item, now, value=stored, source=source)
            filled.append(item.id)
        if filled:
            self.state = self.state.with_events(
                *(RunEvent(event="prefilled", at=now, item_id=i, note=f"from the {source}") for i in filled))
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
                f"“{clipped(item.prompt)}” cannot be marked not applicable; record its value."
            )
        return self._record(item, now, reason=check_reason(reason, "the reason it does not apply"))

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
        self.state = self.state.with_events(RunEvent(event="held", at=now, item_id=item.id),
                                            hold=Hold(item_id=item.id, held_at=now))
        return self.state

    def resume(self, now: dt.datetime) -> ChecklistState:
        """Take the run off hold; :attr:`current_item` shows where to carry on."""
        now = require_aware(now)
        hold = self.state.hold
        if hold is None:
            raise StateError("This checklist is not on hold, so there is nothing to resume.")
        self.state = self.state.with_events(RunEvent(event="resumed", at=now, item_id=hold.item_id), hold=None)
        return self.state

    def complete(self, now: dt.datetime) -> ChecklistState:
        """The completion call. Refused while a critical item is unanswered."""
        now = require_aware(now)
        self._require_open("completing it")
        open_critical = self.progress().critical_open
        if open_critical:
            names = ", ".join(
                f"“{clipped(self._items[i].prompt, 50)}” ({i})" for i in open_critical
            )
            verb = "is" if len(open_critical) == 1 else "are"
            raise CompletionRefused(
                f"{plural(len(open_critical), 'critical item')} {verb} unanswered: {names}. "
                "Answer them, or mark them not applicable with a reason, then complete.",
                open_critical,
            )
        self.state = self.state.with_events(RunEvent(event="completed", at=now), completed_at=now)
        return self.state

    def reopen(self, reason: object, now: dt.datetime) -> ChecklistState:
        """Reopen a completed run so it can be changed; needs a reason."""
        now = require_aware(now)
        if self.state.completed_at is None:
            raise StateError("This checklist is not completed, so it does not need reopening.")
        text = check_reason(reason, "the reason for reopening")
        self.state = self.state.with_events(RunEvent(event="reopened", at=now, note=text), completed_at=None)
        return self.state

    # ----------------------------------------------------------------- views

    def progress(self) -> ChecklistProgress:
        """Answered/total overall and per pause point, and the critical items still open."""
        return views.progress(self.protocol, self.state)

    def summary(self) -> ChecklistSummary:
        """What was done (value and time) and what was skipped (and why), per pause point."""
        return views.summary(self.protocol, self.state)
