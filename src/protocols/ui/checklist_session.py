"""Connects a live checklist widget to the engine and the records store.

Each message from the front end becomes one engine call and one saved
revision; the reply goes back only after the store confirms, so the page never
says "saved" for an answer that was not.

An answer the page could not get saved (the connection or the kernel was lost)
comes again later, with how long ago it was given (``given_at`` and ``sent_at``,
both by the browser's clock, so a clock set wrong does not move it). It is
recorded at the time it was given, unless the item was changed after that.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from protocols.engine import ChecklistRun, ChecklistState
from protocols.engine.errors import CompletionRefused, EngineError
from protocols.engine.scene_log import scene_log
from protocols.models import Protocol
from protocols.records import RevisionConflict, Store, StoreError, why_not_saved
from protocols.ui.plain import plain_message
from protocols.ui.session import Clock, SavedRun, local_now

ACTIONS = frozenset({"answer", "clear", "hold", "resume", "complete"})
OLDEST_RESENT = dt.timedelta(days=7)
"""An answer sent again later than this after it was given is refused (ask the officer again)."""
CHANGED_ELSEWHERE = ("Not saved: this checklist was changed in another tab or by another officer. "
                     "The answers saved there are shown now; check them, then answer again.")
SHOWN_FROM_ELSEWHERE = ("This checklist was changed in another tab or by another officer. "
                        "The answers shown now are the ones saved there.")
NEWER_ANSWER = ("Not sent again: this item was changed after you gave that answer "
                "(in another tab or by another officer). The newer answer is kept.")


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


class ChecklistSession(SavedRun[ChecklistRun]):
    """One checklist run, saved after every change."""

    def __init__(self, run: ChecklistRun, store: Store, run_id: str, revision: int,
                 aid: str, clock: Clock = local_now) -> None:
        super().__init__(run, store, aid, run_id, revision, clock)
        self._item_ids = frozenset(i.id for i in run.protocol.items())
        self._names = {i.id: i.prompt for i in run.protocol.items()}
        self.kept: list[tuple[dict[str, Any], dt.datetime]] = []
        """Messages applied but not saved (the store failed), with the time each was given."""

    @classmethod
    def start_or_resume(cls, protocol: Protocol, store: Store, aid: str, case_number: str,
                        clock: Clock = local_now) -> tuple[ChecklistSession, str]:
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
                              run.status, run.state.model_dump_json(), scene_log=scene_log(run))
        return cls(run, store, record.id, record.revision, aid, clock), "New checklist started."

    def handle(self, message: dict[str, Any]) -> dict[str, Any]:
        """Apply one front-end message; reply with saved / cleared / rejected / refused / stale.

        A ``rejected`` reply with ``conflict`` set carries the answers now in the store (another
        tab saved first); ``stale`` refuses an answer sent again after the item was changed.

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
        if kind == "check":
            return self._check()
        if not isinstance(kind, str) or kind not in ACTIONS:
            return {"type": "rejected", "item": item, "message": "That action was not understood."}
        try:
            given = self._given_at(message, now)
        except EngineError as exc:
            return {"type": "rejected", "item": item, "message": self._plain(str(exc))}
        self._apply_kept()
        kept_applied = self.run.state
        newer = given is not None and item is not None and self._changed_since(item, given)
        try:
            self._apply(message, given or now)
        except CompletionRefused as exc:
            self.run.state = before
            return {"type": "refused", "message": self._plain(str(exc)), "open": list(exc.open_critical)}
        except EngineError as exc:
            self.run.state = before
            return {"type": "rejected", "item": item, "message": self._plain(str(exc))}
        if newer and self.run.state != kept_applied:
            # An answer sent again that would undo a later change; the same answer is just saved.
            self.run.state = before
            return {"type": "stale", "item": item, "message": NEWER_ANSWER}
        return self._save(before, kind, item, (message, given or now))

    def _check(self) -> dict[str, Any]:
        """Reload the run if it was saved elsewhere since this page read it (the tab came back
        into view); answers waiting to be saved here are left alone."""
        try:
            record = None if self.kept else self.store.get(self.run_id)
        except StoreError:
            record = None
        if record is None or record.revision == self.revision:
            return {"type": "checked", "item": None}
        self._reload(record.state, record.revision)
        return {"type": "refreshed", "item": None, "message": SHOWN_FROM_ELSEWHERE,
                "answers": answers_for_front_end(self.run), "progress": self.run.progress().text,
                "status": self.run.status, "unsaved": []}

    def _reload(self, state: str, revision: int) -> None:
        # the record may still be as it was made under an older version, if this run was
        # upgraded on resume and the other tab saved before its first save
        self.run = ChecklistRun.upgrade(self.run.protocol, state, self.clock())
        self.revision = revision

    def _plain(self, text: str) -> str:
        """An engine message as the officer reads it: item ids become the items' prompts."""
        return plain_message(text, self._names)

    def _given_at(self, message: dict[str, Any], now: dt.datetime) -> dt.datetime | None:
        """When an answer sent again was given (None for one sent as it was given).

        The browser says when it gave the answer and when it sent it, by its own clock; the
        difference, taken from ``now``, is the time given. Never before the run started.
        """
        given, sent = message.get("given_at"), message.get("sent_at")
        if given is None and sent is None:
            return None
        try:
            age = dt.datetime.fromisoformat(str(sent)) - dt.datetime.fromisoformat(str(given))
        except (TypeError, ValueError):
            raise EngineError("the time the answer was given was not understood; give it again") from None
        if age < dt.timedelta(0) or age > OLDEST_RESENT:
            raise EngineError("this answer was given too long ago to record now; give it again")
        if age < dt.timedelta(seconds=2):
            return None
        return max(now - age, self.run.state.started_at)

    def _changed_since(self, item_id: str, given: dt.datetime) -> bool:
        """The item's answer was given, changed or cleared after ``given``."""
        current = self.run.answer_for(item_id)
        if current is not None and current.answered_at > given:
            return True
        return any(past.answer.item_id == item_id and past.replaced_at > given
                   for past in self.run.state.history)

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
                                            content_version=self.run.state.content_version,
                                            scene_log=scene_log(self.run))
        except RevisionConflict:
            record = self.store.get(self.run_id)
            if record is not None:
                self._reload(record.state, record.revision)
            else:
                self.run.state = before
            self.kept = []
            return {"type": "rejected", "conflict": True, "item": item, "message": CHANGED_ELSEWHERE,
                    "answers": answers_for_front_end(self.run), "progress": self.run.progress().text,
                    "status": self.run.status, "unsaved": []}
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
            reply["tone"] = "ok"
        elif kind in ("hold", "resume"):
            reply["message"] = progress.text
        if saved_kept:
            reply["message"] = (f"Saved now: {saved_kept} kept answer{'s' if saved_kept != 1 else ''}. "
                                + reply.get("message", progress.text))
            reply["tone"] = "ok"
        return reply
