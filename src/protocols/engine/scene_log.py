"""The scene log: a run's timeline, read from what the run has recorded.

Every time in a run's state was set by the engine from the ``now`` its caller passed (the
server's clock in a job aid; never the browser's), so the log is worked out from the state:
nothing is recorded twice, and an old run gets its log too. :func:`scene_log` reads:

- a checklist: the run started; each pause point started (its first answer) and finished
  (the answer that left no required item open); each critical item answered (every time it
  was, with changes); held, resumed, completed, reopened;
- a screening: started, finished, and when the case screened in (by a rule or on belief);
- a rights notice: when each notice was given, and how;
- any other run: when it started and, once finished, when it finished.

Events never carry a typed note or an answer's value: a log line names the step only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import AwareDatetime

from protocols.engine.answers import clipped
from protocols.engine.base import Frozen, RunState
from protocols.engine.checklist import ChecklistRun
from protocols.engine.rights import METHOD_LABELS, RightsDeliveryState
from protocols.engine.screening import ScreeningRun

EventKind = Literal["started", "pause-point-started", "pause-point-finished", "critical-answered",
                    "held", "resumed", "completed", "reopened", "screened-in", "notice-given", "finished"]

KIND_WORDS: dict[str, str] = {
    "started": "Started",
    "pause-point-started": "Pause point started",
    "pause-point-finished": "Pause point finished",
    "critical-answered": "Critical item answered",
    "held": "On hold",
    "resumed": "Resumed",
    "completed": "Completed",
    "reopened": "Reopened",
    "screened-in": "Screened in",
    "notice-given": "Rights notice given",
    "finished": "Finished",
}
"""Each kind of event as a person reads it."""


class SceneEvent(Frozen):
    """One line of the scene log: when, what kind of step, and which step (no values, no notes)."""

    at: AwareDatetime
    kind: EventKind
    ref: str = ""
    """The pause point, item, question or notice the event is about (its id), or ""."""
    label: str
    """The line as a person reads it, e.g. ``Pause point finished: Scene safe``."""

    def as_row(self) -> dict[str, str]:
        """The event as plain JSON (what an export and the records store keep)."""
        return {"at": self.at.isoformat(), "kind": self.kind, "ref": self.ref, "label": self.label}


def _event(at: dt.datetime, kind: EventKind, ref: str = "", what: str = "") -> SceneEvent:
    words = KIND_WORDS[kind]
    return SceneEvent(at=at, kind=kind, ref=ref, label=f"{words}: {what}" if what else words)


def checklist_events(run: ChecklistRun) -> list[SceneEvent]:
    """A checklist run's timeline (see the module's docstring)."""
    state = run.state
    given: dict[str, list[dt.datetime]] = {}
    for past in state.history:
        given.setdefault(past.answer.item_id, []).append(past.answer.answered_at)
    current = {a.item_id: a.answered_at for a in state.answers}
    for item_id, at in current.items():
        given.setdefault(item_id, []).append(at)
    events = [_event(state.started_at, "started", run.protocol.id, run.protocol.title)]
    for pp in run.protocol.pause_points:
        times = [at for item in pp.items for at in given.get(item.id, [])]
        if times:
            events.append(_event(min(times), "pause-point-started", pp.id, pp.title))
        required = [item.id for item in pp.items if not item.optional]
        if required and all(i in current for i in required):
            events.append(_event(max(current[i] for i in required), "pause-point-finished", pp.id, pp.title))
        for item in pp.items:
            if item.critical:
                events.extend(_event(at, "critical-answered", item.id, clipped(item.prompt, 80))
                              for at in sorted(given.get(item.id, [])))
    steps: dict[str, EventKind] = {"held": "held", "resumed": "resumed", "completed": "completed",
                                   "reopened": "reopened"}
    for logged in state.events:
        kind = steps.get(logged.event)
        if kind is not None:
            events.append(_event(logged.at, kind, logged.item_id or ""))
    return events


def screening_events(run: ScreeningRun) -> list[SceneEvent]:
    """A screening's timeline: started, finished, and the screen-in (when it screened in)."""
    state = run.state
    title = run.instrument.title
    events = [_event(state.started_at, "started", run.instrument.id, title)]
    if state.finished_at is not None:
        events.append(_event(state.finished_at, "finished", run.instrument.id, title))
        result = run.evaluate()
        if result.screened_in:
            how = "on the officer's belief" if result.officer_belief_reason and not result.fired else "by its rules"
            events.append(_event(state.finished_at, "screened-in", run.instrument.id, f"{title}, {how}"))
    return events


def rights_events(state: RightsDeliveryState) -> list[SceneEvent]:
    """When each rights notice was given, and how (the notice keeps its own title)."""
    events: list[SceneEvent] = []
    for given in state.deliveries:
        title = given.title or given.notice_id
        events.append(_event(given.given_at, "notice-given", given.notice_id,
                             f"{title} ({METHOD_LABELS[given.method].lower()})"))
    return events


def general_events(state: RunState, finished_at: dt.datetime | None, title: str) -> list[SceneEvent]:
    """Any other run: started and, once finished, finished."""
    events = [_event(state.started_at, "started", state.content_id, title)]
    if finished_at is not None:
        events.append(_event(finished_at, "finished", state.content_id, title))
    return events


def ordered(events: list[SceneEvent]) -> tuple[SceneEvent, ...]:
    """Events oldest first; events at the same time keep the order they were listed in."""
    return tuple(sorted(events, key=lambda e: e.at))


def scene_log(run: Any) -> tuple[SceneEvent, ...]:
    """The timeline of any engine run (checklist, screening, rights, or any other), oldest first."""
    if isinstance(run, ChecklistRun):
        return ordered(checklist_events(run))
    if isinstance(run, ScreeningRun):
        return ordered(screening_events(run))
    state = run.state
    if isinstance(state, RightsDeliveryState):
        return ordered(rights_events(state))
    return ordered(general_events(state, finished_time(run), content_title(run)))


def finished_time(run: Any) -> dt.datetime | None:
    """When a run of another kind finished, from its state; ``None`` while it is open."""
    state = run.state
    for name in ("finished_at", "completed_at"):
        value = getattr(state, name, None)
        if isinstance(value, dt.datetime):
            return value
    closure = getattr(state, "closure", None)
    if closure is not None and isinstance(getattr(closure, "at", None), dt.datetime):
        return closure.at  # type: ignore[no-any-return]
    if getattr(run, "finished", False):
        times = [t for t in (getattr(step, "answered_at", None) for step in _steps(state))
                 if isinstance(t, dt.datetime)]
        return max(times) if times else None
    return None


def _steps(state: Any) -> tuple[Any, ...]:
    for name in ("path", "decisions"):
        value = getattr(state, name, None)
        if isinstance(value, tuple | list):
            return tuple(value)
    return ()


def content_title(run: Any) -> str:
    """The title of the content a run is made with (its id when it has no title)."""
    for name in ("protocol", "instrument", "guide", "template", "scenario", "catalogue", "notice"):
        content = getattr(run, name, None)
        title = getattr(content, "title", None)
        if isinstance(title, str):
            return title
    return str(run.state.content_id)
