"""What a checklist run shows: its progress and its summary, read from a protocol and a state.

Pure functions of a :class:`~protocols.models.Protocol` and a
:class:`~protocols.engine.checklist_state.ChecklistState`;
:class:`~protocols.engine.checklist.ChecklistRun` offers them as ``progress()`` and ``summary()``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime

from protocols.engine.answers import StoredValue, clipped, display_value
from protocols.engine.base import Frozen
from protocols.engine.checklist_state import ChecklistState, ItemAnswer
from protocols.models import Item, PausePoint, Protocol

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


# --------------------------------------------------------------------------- where the run stands


def run_status(state: ChecklistState) -> RunStatus:
    if state.completed_at is not None:
        return "completed"
    if state.hold is not None:
        return "on-hold"
    return "in-progress"


def first_open(protocol: Protocol, state: ChecklistState) -> tuple[PausePoint | None, Item | None]:
    """The first pause point with an unanswered required item, and that item."""
    answered = state.answered_ids()
    for pp in protocol.pause_points:
        for item in pp.items:
            if not item.optional and item.id not in answered:
                return pp, item
    return None, None


def current_item(protocol: Protocol, state: ChecklistState) -> Item | None:
    """The held item while on hold, else the first unanswered required item."""
    if state.hold is not None:
        return protocol.item(state.hold.item_id)
    return first_open(protocol, state)[1]


def _progress_text(answered: int, total: int, critical_open: int) -> str:
    critical = f"{critical_open} critical open" if critical_open else "no critical items open"
    return f"{answered} of {total} answered · {critical}"


def _pause_point_progress(pp: PausePoint, answered_ids: set[str]) -> PausePointProgress:
    answered = sum(1 for i in pp.items if i.id in answered_ids)
    critical_open = tuple(i.id for i in pp.items if i.critical and i.id not in answered_ids)
    return PausePointProgress(
        id=pp.id, title=pp.title, answered=answered, total=len(pp.items),
        required_open=tuple(i.id for i in pp.items if not i.optional and i.id not in answered_ids),
        critical_open=critical_open,
        text=_progress_text(answered, len(pp.items), len(critical_open)),
    )


def progress(protocol: Protocol, state: ChecklistState) -> ChecklistProgress:
    """Answered/total overall and per pause point, and the critical items still open."""
    answered_ids = state.answered_ids()
    points = tuple(_pause_point_progress(pp, answered_ids) for pp in protocol.pause_points)
    answered = sum(p.answered for p in points)
    total = sum(p.total for p in points)
    critical = tuple(i for p in points for i in p.critical_open)
    current_pp, _ = first_open(protocol, state)
    current = current_item(protocol, state)
    status = run_status(state)
    text = _progress_text(answered, total, len(critical))
    if status == "completed":
        text = f"Completed · {text}"
    elif status == "on-hold" and current is not None:
        text = f"On hold at “{clipped(current.prompt, 40)}” · {text}"
    return ChecklistProgress(
        status=status, answered=answered, total=total, critical_open=critical,
        required_open=tuple(i for p in points for i in p.required_open),
        current_pause_point=current_pp.id if current_pp else None,
        current_item=current.id if current else None,
        pause_points=points, text=text,
    )


# --------------------------------------------------------------------------- what was done


def _outcome(item: Item, answer: ItemAnswer | None, changes: int) -> DoneItem | SkippedItem:
    """What became of one item: its value, or why it was skipped."""
    shown = {"item_id": item.id, "prompt": item.prompt, "critical": item.critical}
    if answer is not None and answer.value is not None:
        return DoneItem(
            **shown, value=answer.value, display=display_value(item.value, answer.value),
            answered_at=answer.answered_at, content_version=answer.content_version,
            changes=changes, source=answer.source,
        )
    if answer is not None:
        return SkippedItem(**shown, why="not-applicable", reason=answer.reason or "", at=answer.answered_at)
    return SkippedItem(**shown, why="optional" if item.optional else "left-open",
                       reason="optional; not answered" if item.optional else "not answered")


def _pause_point_summary(pp: PausePoint, answers: dict[str, ItemAnswer],
                         changes: dict[str, int]) -> PausePointSummary:
    outcomes = [_outcome(item, answers.get(item.id), changes.get(item.id, 0)) for item in pp.items]
    return PausePointSummary(
        id=pp.id, title=pp.title,
        done=tuple(o for o in outcomes if isinstance(o, DoneItem)),
        skipped=tuple(o for o in outcomes if isinstance(o, SkippedItem)),
    )


def summary(protocol: Protocol, state: ChecklistState) -> ChecklistSummary:
    """What was done (value and time) and what was skipped (and why), per pause point."""
    answers = {a.item_id: a for a in state.answers}
    changes: dict[str, int] = {}
    for past in state.history:
        changes[past.answer.item_id] = changes.get(past.answer.item_id, 0) + 1
    return ChecklistSummary(
        protocol_id=protocol.id,
        protocol_title=protocol.title,
        content_version=state.content_version,
        revised=protocol.revised,
        case_number=state.case_number,
        started_at=state.started_at,
        completed_at=state.completed_at,
        status=run_status(state),
        progress_text=progress(protocol, state).text,
        pause_points=tuple(_pause_point_summary(pp, answers, changes) for pp in protocol.pause_points),
    )
