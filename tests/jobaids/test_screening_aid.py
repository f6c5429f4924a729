"""The danger-screening aid: answers saved, outcomes in words, the screen-in checklist for the same case."""

from __future__ import annotations

import ipywidgets as widgets
import pytest
from aid_helpers import (
    Clock,
    break_saves,
    click,
    one,
    page_text,
    revisions,
    start_case,
    status_text,
    walk,
    with_class,
)

from protocols.library.loader import Library
from protocols.records import Store, StoreError
from protocols.ui.checklist import ChecklistWidget
from protocols.ui.screening_aid import AID, FOLLOW_ON_AID, ScreeningController, screening_aid


@pytest.fixture
def controller(library: Library, store: Store, clock: Clock) -> ScreeningController:
    c = ScreeningController(library.instrument("sample-danger-screen"), library, store, clock)
    assert c.start("26-0450") == "New screening started."
    return c


def test_answers_are_saved_and_resumed_by_case_number(controller: ScreeningController, library: Library,
                                                      store: Store, clock: Clock) -> None:
    assert controller.answer(4, "yes").message == "Question 4: Yes. Saved."
    assert controller.answer(5, "not-answered").saved
    again = ScreeningController(controller.instrument, library, store, clock)
    assert again.start("26-0450") == "Resumed the open screening where you stopped."
    assert again.session is not None and controller.session is not None
    assert again.session.run_id == controller.session.run_id
    assert again.run.answer_of(4).value == "yes"
    assert again.run.answer_of(5).value == "not-answered"
    other = ScreeningController(controller.instrument, library, store, clock)
    assert other.start("26-0451") == "New screening started."


def test_a_screen_in_by_the_rules_opens_the_follow_on_checklist(controller: ScreeningController,
                                                                store: Store) -> None:
    controller.answer(2, "yes")
    step = controller.finish()
    assert step.saved and step.value is not None
    assert step.value.headline == "Screened in by the protocol"
    assert step.message == "Screening finished and saved. Screened in by the protocol."
    assert revisions(store, AID, "26-0450")[0][0] == "completed"
    opened = controller.follow_on()
    assert opened is not None
    session, note = opened
    assert note == "New checklist started."
    assert session.run.protocol.id == "screen-in-response"
    assert session.run.state.case_number == "26-0450"
    assert [r.aid for r in store.find(FOLLOW_ON_AID, "26-0450")] == [FOLLOW_ON_AID]
    again, note = controller.follow_on() or (None, "")
    assert again is not None and again.run_id == session.run_id and note.startswith("Resumed")


def test_officer_belief_needs_a_reason(controller: ScreeningController) -> None:
    refused = controller.believe("  ")
    assert not refused.saved and "empty" in refused.message
    assert controller.believe("Fresh marks on the neck; suspect has left with a rifle").saved
    step = controller.finish()
    assert step.value is not None and step.value.headline == "Screened in on officer belief"
    assert controller.follow_on() is not None


def test_not_screened_in_opens_no_checklist(controller: ScreeningController, store: Store) -> None:
    for n in range(1, 12):
        controller.answer(n, "no")
    step = controller.finish()
    assert step.value is not None and step.value.headline == "Not screened in"
    assert controller.follow_on() is None
    assert store.find(FOLLOW_ON_AID, "26-0450") == []
    refused = controller.answer(1, "yes")
    assert not refused.saved and "finished" in refused.message


def test_the_aid_screens_in_and_shows_the_checklist(library: Library, store: Store, clock: Clock) -> None:
    aid = screening_aid(library=library, store=store, clock=clock)
    assert "SAMPLE" in page_text(aid)
    start_case(aid, "26-0460")
    assert "Case 26-0460: New screening started." in status_text(aid)
    one(with_class(aid, "hb-q-1"), widgets.Button, description="Yes").click()
    assert "Question 1: Yes. Saved." in status_text(aid)
    assert "Answer: Yes" in page_text(with_class(aid, "hb-q-1"))
    assert "If you finish now: screened in by the protocol" in page_text(aid)
    click(aid, "Finish screening and see the result")
    text = page_text(aid)
    assert "Screened in by the protocol: Screens in if the victim answers yes to any of questions 1-3: " \
           "1 yes (needs 1)" in text
    assert "“Act on a high-danger screen before you leave” checklist below" in text
    checklists = [w for w in walk(aid) if isinstance(w, ChecklistWidget)]
    assert len(checklists) == 1 and checklists[0].spec["id"] == "screen-in-response"
    assert one(with_class(aid, "hb-q-1"), widgets.Button, description="No").disabled


def test_a_finished_screening_reopens_with_its_result(library: Library, store: Store, clock: Clock) -> None:
    first = screening_aid(library=library, store=store, clock=clock)
    start_case(first, "26-0470")
    one(with_class(first, "hb-q-3"), widgets.Button, description="Yes").click()
    click(first, "Finish screening and see the result")
    again = screening_aid(library=library, store=store, clock=clock)
    start_case(again, "26-0470")
    assert "was screened at" in status_text(again)
    assert "Screened in by the protocol" in page_text(again)
    assert any(isinstance(w, ChecklistWidget) for w in walk(again))
    click(again, "Start a new screening for this case")
    assert "New screening started for the same case." in status_text(again)
    assert len(store.find(AID, "26-0470")) == 2


def test_a_store_failure_is_shown_and_nothing_is_reported_saved(
        library: Library, store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    aid = screening_aid(library=library, store=store, clock=clock)
    start_case(aid, "26-0480")
    break_saves(store, monkeypatch)
    one(with_class(aid, "hb-q-1"), widgets.Button, description="Yes").click()
    status = status_text(aid)
    assert "Not saved:" in status and "hb-bad" in status and 'role="alert"' in status
    assert "Not answered yet." in page_text(with_class(aid, "hb-q-1"))
    assert "saved" not in page_text(with_class(aid, "hb-q-1"))
    monkeypatch.undo()
    assert revisions(store, AID, "26-0480") == [("in-progress", 1)]


def test_a_store_that_cannot_be_read_is_reported_at_the_start(
        library: Library, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: object) -> object:
        raise StoreError("cannot read the records: the database is busy (locked); try again")

    monkeypatch.setattr(store, "find", refuse)
    aid = screening_aid(library=library, store=store)
    start_case(aid, "26-0490")
    assert "The records store cannot be used: cannot read the records" in status_text(aid)
    one(aid, widgets.Text, description="Case or incident number").value = "26-0491"
    assert "The records store cannot be used" in status_text(aid), "the form can be tried again"

