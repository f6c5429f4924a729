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
from protocols.records import RevisionConflict, Store, StoreError, why_not_saved

Clock = Callable[[], dt.datetime]
ACTIONS = frozenset({"answer", "clear", "hold", "resume", "complete"})


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
        self.kept: list[tuple[dict[str, Any], dt.datetime]] = []
        """Messages applied but not saved (the store failed), with the time each was given."""

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
        """Apply one front-end message; reply with saved / rejected / refused / complete.

        If the store cannot save, the answer is kept here with the time it was given and
        saved with the next message, or by a ``retry`` message; the reply lists the items
        that wait (``unsaved``) and never says "saved" for them.
        """
        kind = message.get("type")
        raw_item = message.get("item")
        # Echo back only an id this protocol has: a hostile message must not get its payload
        # (up to the websocket's size limit) sent back to it.
        item = raw_item if isinstance(raw_item, str) and raw_item in self._item_ids else None
        now = self.clock()
        before = self.run.state
        if kind == "retry":
            if not self.kept:
                return {"type": "saved", "item": None, "answers": answers_for_front_end(self.run),
                        "progress": self.run.progress().text, "status": self.run.status,
                        "unsaved": [], "message": "Nothing is waiting to be saved."}
            self._apply_kept()
            return self._save(before, kind, item, None)
        if not isinstance(kind, str) or kind not in ACTIONS:
            return {"type": "rejected", "item": item, "message": "unknown action"}
        self._apply_kept()
        try:
            self._apply(message, now)
        except CompletionRefused as exc:
            self.run.state = before
            return {"type": "refused", "message": str(exc), "open": list(exc.open_critical)}
        except EngineError as exc:
            self.run.state = before
            return {"type": "rejected", "item": item, "message": str(exc)}
        return self._save(before, kind, item, (message, now))

    def _apply(self, message: dict[str, Any], now: dt.datetime) -> None:
        """One engine call for one front-end message (raises ``EngineError``)."""
        kind = message.get("type")
        raw_item = message.get("item")
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

    def _apply_kept(self) -> None:
        """Re-apply the kept messages at their own times; drop any the engine now refuses."""
        still = []
        for message, at in self.kept:
            try:
                self._apply(message, at)
            except EngineError:
                continue
            still.append((message, at))
        self.kept = still

    def _unsaved_items(self) -> list[str]:
        return sorted({str(m.get("item")) for m, _at in self.kept
                       if isinstance(m.get("item"), str) and m.get("item") in self._item_ids})

    def _save(self, before: ChecklistState, kind: Any, item: Any,
              new: tuple[dict[str, Any], dt.datetime] | None) -> dict[str, Any]:
        try:
            self.revision = self.store.save(self.run_id, self.revision, self.run.status,
                                            self.run.state.model_dump_json(),
                                            content_version=self.run.state.content_version)
        except RevisionConflict as exc:
            record = self.store.get(self.run_id)
            if record is not None:
                # the record may still be as it was made under an older version, if this run
                # was upgraded on resume and the other tab saved before its first save
                self.run = ChecklistRun.upgrade(self.run.protocol, record.state, self.clock())
                self.revision = record.revision
            else:
                self.run.state = before
            self.kept = []
            return {"type": "rejected", "item": item, "message": str(exc),
                    "answers": answers_for_front_end(self.run), "unsaved": []}
        except StoreError as exc:
            self.run.state = before
            if new is not None:
                self.kept.append(new)
            waiting = len(self.kept)
            kept = f"{waiting} answers are" if waiting > 1 else "Your answer is"
            again = "Still not saved" if kind == "retry" else "Not saved"
            return {"type": "rejected", "item": item, "unsaved": self._unsaved_items(),
                    "message": f"{again}: {why_not_saved(exc)}. {kept} kept here but not saved yet; press "
                               "“Retry saving” when the problem is fixed."}
        saved_kept = len(self.kept)
        self.kept = []
        progress = self.run.progress()
        reply: dict[str, Any] = {"type": "saved" if kind != "clear" else "cleared", "item": item,
                                 "answers": answers_for_front_end(self.run),
                                 "progress": progress.text, "status": self.run.status, "unsaved": []}
        if kind == "complete":
            reply["message"] = "Checklist complete and saved."
        elif kind in ("hold", "resume"):
            reply["message"] = progress.text
        if saved_kept:
            reply["message"] = (f"Saved now: {saved_kept} kept answer{'s' if saved_kept != 1 else ''}. "
                                + reply.get("message", progress.text))
        return reply
