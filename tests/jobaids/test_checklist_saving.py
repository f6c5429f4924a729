"""The live checklist's Python side when answers come late, from another tab, or after a reopen.

An answer the page could not get saved (no reply: the connection or the kernel was lost) is sent
again with how long ago it was given; it is recorded at that time, unless the item changed since.
A tab coming back into view, or a save refused for a conflict, reloads what another tab saved.
Messages reach the officer in plain words: sentences, item names instead of ids, no code marks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ipywidgets as widgets
from aid_helpers import Clock

from protocols.library import Library
from protocols.records import Store
from protocols.ui.checklist import ChecklistWidget
from protocols.ui.checklist_session import ChecklistSession
from protocols.ui.frame import CaseForm, StatusLine
from protocols.ui.plain import plain_message

AID = "scene-response"


def tab(library: Library, store: Store, clock: Clock, case: str = "26-SAVE-1") -> ChecklistSession:
    session, _note = ChecklistSession.start_or_resume(library.protocol(AID), store, AID, case, clock)
    return session


def answer(item: str, value: str) -> dict[str, Any]:
    """An answer as the page sends it when it is given."""
    return {"type": "answer", "item": item, "answer": {"value": value}}


def resent(item: str, value: str, given: dt.datetime, sent: dt.datetime) -> dict[str, Any]:
    """An answer as the page sends it again: its own clock's times, given and sent."""
    return {"type": "answer", "item": item, "answer": {"value": value},
            "given_at": given.isoformat(), "sent_at": sent.isoformat()}


def saved_answer(store: Store, session: ChecklistSession, item: str) -> tuple[Any, dt.datetime] | None:
    record = store.get(session.run_id)
    assert record is not None
    again = ChecklistSession.start_or_resume(session.run.protocol, store, AID, session.run.state.case_number)[0]
    answer = again.run.answer_for(item)
    assert record.revision == again.revision
    return None if answer is None else (answer.value, answer.answered_at)


def test_an_answer_sent_again_is_recorded_at_the_time_it_was_given(library: Library, store: Store,
                                                                      clock: Clock) -> None:
    session = tab(library, store, clock)
    clock.advance(minutes=10)
    # The browser's clock is an hour fast: only the gap between giving and sending counts.
    browser_now = clock.now + dt.timedelta(hours=1)
    reply = session.handle(resent("weapons-status", "secured", browser_now - dt.timedelta(minutes=4), browser_now))
    assert reply["type"] == "saved"
    assert saved_answer(store, session, "weapons-status") == ("secured", clock.now - dt.timedelta(minutes=4))


def test_an_answer_given_as_it_is_sent_takes_the_time_now(library: Library, store: Store, clock: Clock) -> None:
    session = tab(library, store, clock)
    clock.advance(minutes=3)
    browser_now = clock.now - dt.timedelta(minutes=7)  # a slow clock changes nothing either
    assert session.handle(resent("weapons-status", "secured", browser_now, browser_now))["type"] == "saved"
    assert saved_answer(store, session, "weapons-status") == ("secured", clock.now)


def test_a_late_answer_never_goes_before_the_run_started(library: Library, store: Store, clock: Clock) -> None:
    session = tab(library, store, clock)
    started = session.run.state.started_at
    clock.advance(minutes=1)
    reply = session.handle(resent("weapons-status", "secured", clock.now - dt.timedelta(hours=3), clock.now))
    assert reply["type"] == "saved"
    assert saved_answer(store, session, "weapons-status") == ("secured", started)


def test_an_old_answer_does_not_undo_a_newer_one(library: Library, store: Store, clock: Clock) -> None:
    first = tab(library, store, clock)
    given = clock.advance(minutes=1)
    clock.advance(minutes=5)
    other = tab(library, store, clock)
    assert other.handle(answer("weapons-status", "secured"))["type"] == "saved"
    clock.advance(minutes=5)
    reopened = tab(library, store, clock)
    reply = reopened.handle(resent("weapons-status", "none-reported", given, clock.now))
    assert reply["type"] == "stale" and reply["item"] == "weapons-status"
    assert reply["message"].startswith("Not sent again: this item was changed after you gave that answer")
    assert saved_answer(store, first, "weapons-status") == ("secured", given + dt.timedelta(minutes=5))


def test_the_same_answer_sent_twice_is_saved_not_refused(library: Library, store: Store, clock: Clock) -> None:
    """The kernel saved it but its reply was lost with the connection: sending it again is harmless."""
    session = tab(library, store, clock)
    given = clock.advance(minutes=1)
    assert session.handle(answer("weapons-status", "secured"))["type"] == "saved"
    clock.advance(seconds=30)
    reopened = tab(library, store, clock)
    reply = reopened.handle(resent("weapons-status", "secured", given - dt.timedelta(seconds=1), clock.now))
    assert reply["type"] == "saved"
    assert saved_answer(store, session, "weapons-status") == ("secured", given)


def test_times_that_make_no_sense_are_refused_in_plain_words(library: Library, store: Store,
                                                            clock: Clock) -> None:
    session = tab(library, store, clock)
    now = clock.now
    bad = [
        {"type": "answer", "item": "weapons-status", "answer": {"value": "secured"}, "given_at": "yesterday",
         "sent_at": now.isoformat()},
        resent("weapons-status", "secured", now + dt.timedelta(minutes=5), now),  # given after it was sent
        resent("weapons-status", "secured", now - dt.timedelta(days=30), now),
        {"type": "answer", "item": "weapons-status", "answer": {"value": "secured"},
         "given_at": now.replace(tzinfo=None).isoformat(), "sent_at": now.isoformat()},
    ]
    for message in bad:
        reply = session.handle(message)
        assert reply["type"] == "rejected", message
        assert reply["message"][0].isupper() and "`" not in reply["message"], reply["message"]
    assert session.revision == 1


def test_a_conflict_reloads_the_other_tabs_answers_and_says_so_plainly(library: Library, store: Store,
                                                                      clock: Clock) -> None:
    one, two = tab(library, store, clock), tab(library, store, clock)
    assert one.handle(answer("suspect-status", "in-custody"))["type"] == "saved"
    reply = two.handle(answer("suspect-status", "left-scene"))
    assert reply["type"] == "rejected" and reply["conflict"] is True
    assert reply["answers"]["suspect-status"]["value"] == "in-custody", "tab two now shows what tab one saved"
    assert reply["message"].startswith("Not saved: this checklist was changed in another tab")
    assert "run" not in reply["message"] and "`" not in reply["message"]


def test_a_tab_coming_back_into_view_reloads_what_another_tab_saved(library: Library, store: Store,
                                                                    clock: Clock) -> None:
    one, two = tab(library, store, clock), tab(library, store, clock)
    assert two.handle({"type": "check"}) == {"type": "checked", "item": None}
    assert one.handle(answer("suspect-status", "in-custody"))["type"] == "saved"
    reply = two.handle({"type": "check"})
    assert reply["type"] == "refreshed"
    assert reply["answers"]["suspect-status"]["value"] == "in-custody"
    assert reply["message"].startswith("This checklist was changed in another tab or by another officer.")
    assert two.handle(answer("weapons-status", "secured"))["type"] == "saved"


def test_a_refusal_names_items_by_their_prompts(library: Library, store: Store, clock: Clock) -> None:
    session = tab(library, store, clock)
    reply = session.handle({"type": "complete"})
    assert reply["type"] == "refused"
    assert "(danger-screen-result)" not in reply["message"] and "(suspect-status)" not in reply["message"]
    prompt = library.protocol(AID).pause_points[0].items[0].prompt
    assert f"“{prompt[:30]}" in reply["message"]
    assert session.handle({"type": "bogus"})["message"] == "That action was not understood."


def test_plain_message() -> None:
    names = {"danger-screen-result": "Danger screen result"}
    assert plain_message("this checklist is on hold at item `danger-screen-result` since 21:04", names) == \
        "This checklist is on hold at item “Danger screen result” since 21:04."
    assert plain_message("1 critical item is unanswered: “Danger screen result” (danger-screen-result). "
                         "Answer it.", names) == "1 critical item is unanswered: “Danger screen result”. Answer it."
    assert plain_message("this record was changed; run `handbook validate`") == \
        "This record was changed; run handbook validate."
    assert plain_message("see (not-an-item)") == "See (not-an-item)."


def test_the_page_learns_which_message_a_reply_answers(library: Library, store: Store, clock: Clock) -> None:
    session = tab(library, store, clock)
    widget = ChecklistWidget.for_protocol(AID, library=library, handler=session.handle)
    sent: list[dict[str, Any]] = []
    widget.send = lambda reply: sent.append(reply)
    message = answer("weapons-status", "secured")
    widget._on_front_end_message(widget, {**message, "seq": 7}, [])
    widget._on_front_end_message(widget, {**message, "seq": True}, [])
    assert sent[0]["seq"] == 7 and sent[0]["type"] == "saved"
    assert "seq" not in sent[1], "only a message number is echoed"
    assert widget.answers["weapons-status"]["value"] == "secured"


def test_the_status_line_writes_sentences_and_marks_a_refusal_with_an_icon() -> None:
    status = StatusLine()
    status.show("the case number is empty; type it `again`", bad=True)
    assert ">⚠ </span>The case number is empty; type it again.</p>" in status.text.value
    assert 'role="alert"' in status.text.value
    before = status.link.shown
    status.show("Saved.")
    assert "⚠" not in status.text.value and status.link.shown == before + 1


def test_reopening_the_case_after_a_reload_starts_it_again() -> None:
    """The browser hands back the case this tab had open; the form starts it as if typed."""
    status = StatusLine()
    started: list[str] = []
    form = CaseForm(started.append, status)
    status.link.reopen = "26-REOPEN-1"
    assert started == ["26-REOPEN-1"]
    assert form.text.value == "26-REOPEN-1"
    assert status.link.case_number == "26-REOPEN-1", "the case is remembered for the next reopen"
    status.link.reopen = "26-OTHER"
    assert started == ["26-REOPEN-1"], "a started form does not start another case"
    assert isinstance(status.widget, widgets.VBox) and status.link in status.widget.children
