"""Connects a live checklist widget to the engine and the records store.

Each message from the front end becomes one engine call and one saved
revision; the reply goes back only after the store confirms, so the page never
says "saved" for an answer that was not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from protocols.engine import ChecklistRun, ChecklistState
from protocols.engine.errors import CompletionRefused, EngineError
from protocols.models import Protocol
from protocols.records import RevisionConflict, Store, StoreError

Clock = Callable[[], dt.datetime]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).astimezone()


def answers_for_front_end(run: ChecklistRun) -> dict[str, Any]:
    """The current answers as the front end draws them."""
    out: dict[str, Any] = {}
    for answer in run.state.answers:
        local = answer.answered_at.astimezone()
        entry: dict[str, Any] = {"at": local.strftime("%H:%M")}
        if answer.kind.value == "not-applicable":
            entry.update(na=True, reason=answer.reason)
        else:
            entry["value"] = answer.value
        out[answer.item_id] = entry
    return out


class ChecklistSession:
    """One checklist run, saved after every change."""

    def __init__(self, run: ChecklistRun, store: Store, run_id: str, revision: int,
                 aid: str, clock: Clock = _now) -> None:
        self._item_ids = frozenset(i.id for i in run.protocol.items())
        self.run = run
        self.store = store
        self.run_id = run_id
        self.revision = revision
        self.aid = aid
        self.clock = clock

    @classmethod
    def start_or_resume(cls, protocol: Protocol, store: Store, aid: str, case_number: str,
                        clock: Clock = _now) -> tuple[ChecklistSession, str]:
        """Resume the open run for this case number, or start one; returns a message to show."""
        for record in store.find(aid, case_number):
            if record.content_id != protocol.id or record.status == "completed":
                continue
            if record.content_version == protocol.version:
                run = ChecklistRun.restore(protocol, record.state)
                note = "Resumed where you stopped."
            else:
                run = ChecklistRun.upgrade(protocol, record.state, clock())
                note = (f"Resumed a record made with version {record.content_version}; "
                        f"this is version {protocol.version}.")
            session = cls(run, store, record.id, record.revision, aid, clock)
            return session, f"{note} {run.progress().text}"
        run = ChecklistRun.start(protocol, case_number, clock())
        record = store.create(aid, protocol.id, protocol.version, run.state.case_number,
                              run.status, run.state.model_dump_json())
        return cls(run, store, record.id, record.revision, aid, clock), "New checklist started."

    def handle(self, message: dict[str, Any]) -> dict[str, Any]:
        """Apply one front-end message; reply with saved / rejected / refused / complete."""
        kind = message.get("type")
        raw_item = message.get("item")
        # Echo back only an id this protocol has: a hostile message must not get its payload
        # (up to the websocket's size limit) sent back to it.
        item = raw_item if isinstance(raw_item, str) and raw_item in self._item_ids else None
        now = self.clock()
        before = self.run.state
        try:
            if kind == "answer":
                answer = message.get("answer")
                if not isinstance(answer, dict):
                    raise EngineError("the answer was not understood; try again")
                if answer.get("na"):
                    self.run.mark_not_applicable(raw_item, answer.get("reason"), now)
                else:
                    self.run.answer(raw_item, answer.get("value"), now)
            elif kind == "clear":
                self.run.clear(raw_item, now)
            elif kind == "hold":
                self.run.hold(raw_item, now)
            elif kind == "resume":
                self.run.resume(now)
            elif kind == "complete":
                self.run.complete(now)
            else:
                return {"type": "rejected", "item": item, "message": "unknown action"}
        except CompletionRefused as exc:
            return {"type": "refused", "message": str(exc), "open": list(exc.open_critical)}
        except EngineError as exc:
            return {"type": "rejected", "item": item, "message": str(exc)}
        return self._save(before, kind, item)

    def _save(self, before: ChecklistState, kind: Any, item: Any) -> dict[str, Any]:
        try:
            self.revision = self.store.save(self.run_id, self.revision, self.run.status,
                                            self.run.state.model_dump_json())
        except RevisionConflict as exc:
            record = self.store.get(self.run_id)
            if record is not None:
                self.run = ChecklistRun.restore(self.run.protocol, record.state)
                self.revision = record.revision
            return {"type": "rejected", "item": item, "message": str(exc),
                    "answers": answers_for_front_end(self.run)}
        except StoreError as exc:
            self.run.state = before
            return {"type": "rejected", "item": item,
                    "message": f"Not saved: {exc}. Your answer is kept on screen; try again."}
        progress = self.run.progress()
        reply: dict[str, Any] = {"type": "saved" if kind != "clear" else "cleared", "item": item,
                                 "answers": answers_for_front_end(self.run),
                                 "progress": progress.text, "status": self.run.status}
        if kind == "complete":
            reply["message"] = "Checklist complete and saved."
        elif kind in ("hold", "resume"):
            reply["message"] = progress.text
        return reply
