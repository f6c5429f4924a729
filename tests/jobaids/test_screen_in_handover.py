"""After a screen-in, the screen-in checklist starts with the screening's answer to "why", marked so.

And a completed checklist reopens as a read-only record with a way to start a new one.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets
from aid_helpers import Clock, click, page_text, start_case, status_text, walk

from protocols.engine import ChecklistRun
from protocols.engine.screening import BELIEF_REASON_ITEM, SCREEN_IN_BASIS_ITEM
from protocols.library.loader import Library
from protocols.models import Item, ValueType
from protocols.records import Store
from protocols.ui.checklist import ChecklistWidget
from protocols.ui.checklist_aid import checklist_aid
from protocols.ui.screening_aid import FOLLOW_ON_AID, ScreeningController, screening_aid

REASON = "He choked her tonight and said he would find her if she left"


def _screened_in(library: Library, store: Store, clock: Clock, case: str, *yes: int,
                 belief: str | None = None) -> ScreeningController:
    c = ScreeningController(library.instrument("sample-danger-screen"), library, store, clock)
    c.start(case)
    for number in yes:
        assert c.answer(number, "yes").saved
    if belief is not None:
        assert c.believe(belief).saved
    assert c.finish().saved
    return c


def test_a_rule_screen_in_fills_in_why_from_the_screening(library: Library, store: Store, clock: Clock) -> None:
    c = _screened_in(library, store, clock, "26-0930", 2)
    opened = c.follow_on()
    assert opened is not None
    session, _note = opened
    answer = session.run.answer_for(SCREEN_IN_BASIS_ITEM)
    assert answer is not None and answer.value == "rule-questions-1-3" and answer.source == "screening"
    assert session.run.answer_for(BELIEF_REASON_ITEM) is None
    (record,) = store.find(FOLLOW_ON_AID, "26-0930")
    assert '"source":"screening"' in record.state and record.revision == session.revision
    assert [e.event for e in session.run.state.events] == ["started", "prefilled"]


def test_four_yes_answers_and_a_belief_fill_in_the_rule_and_the_reason(library: Library, store: Store,
                                                                       clock: Clock) -> None:
    c = _screened_in(library, store, clock, "26-0931", 4, 5, 6, 7, belief=REASON)
    opened = c.follow_on()
    assert opened is not None
    run = opened[0].run
    assert run.answer_text(SCREEN_IN_BASIS_ITEM) == "Four or more yes answers to questions 4-11"
    assert run.answer_text(BELIEF_REASON_ITEM) == REASON


def test_a_belief_screen_in_fills_in_officer_belief(library: Library, store: Store, clock: Clock) -> None:
    c = _screened_in(library, store, clock, "26-0932", belief=REASON)
    opened = c.follow_on()
    assert opened is not None
    assert opened[0].run.answer_text(SCREEN_IN_BASIS_ITEM) == "Officer belief"


def test_the_filled_in_answer_is_shown_as_such_and_can_be_changed(library: Library, store: Store,
                                                                  clock: Clock) -> None:
    aid = screening_aid(library=library, store=store, clock=clock)
    start_case(aid, "26-0933")
    for w in walk(aid):
        if isinstance(w, widgets.Button) and w.description == "Yes" and "Question 1" in w.tooltip:
            w.click()
    click(aid, "Finish screening and see the result")
    text = page_text(aid)
    assert "Filled in from the screening." in text
    assert "“Why did this case screen in?”: <strong>A yes to one of questions 1-3</strong>" in text
    (checklist,) = [w for w in walk(aid) if isinstance(w, ChecklistWidget)]
    assert checklist.answers[SCREEN_IN_BASIS_ITEM]["value"] == "rule-questions-1-3"
    handler = checklist._handler  # what the page's answer goes through
    assert handler is not None
    reply = handler({"type": "answer", "item": SCREEN_IN_BASIS_ITEM, "answer": {"value": "officer-belief"}})
    assert reply["type"] == "saved"
    again = ScreeningController(library.instrument("sample-danger-screen"), library, store, clock)
    again.start("26-0933")
    opened = again.follow_on()
    assert opened is not None
    answer = opened[0].run.answer_for(SCREEN_IN_BASIS_ITEM)
    assert answer is not None and answer.value == "officer-belief" and answer.source is None
    assert opened[0].run.history(SCREEN_IN_BASIS_ITEM)[0].answer.source == "screening"


def test_the_checklist_opened_on_its_own_is_filled_in_for_a_case_that_screened_in(
        library: Library, store: Store, clock: Clock) -> None:
    _screened_in(library, store, clock, "26-0934", belief=REASON)
    aid = checklist_aid("screen-in-response", FOLLOW_ON_AID, library=library, store=store, clock=clock)
    start_case(aid, "26-0934")
    assert "Filled in from the screening." in page_text(aid)
    (checklist,) = [w for w in walk(aid) if isinstance(w, ChecklistWidget)]
    assert checklist.answers[SCREEN_IN_BASIS_ITEM]["value"] == "officer-belief"
    other = checklist_aid("screen-in-response", FOLLOW_ON_AID, library=library, store=store, clock=clock)
    start_case(other, "26-0935")  # no screening: nothing is filled in
    (empty,) = [w for w in walk(other) if isinstance(w, ChecklistWidget)]
    assert empty.answers == {} and "Filled in from the screening." not in page_text(other)


def _valid(item: Item) -> object:
    spec = item.value
    if spec.type is ValueType.CHOICE:
        first = (spec.choices or [])[0].id
        return [first] if spec.multiple else first
    return {ValueType.YES_NO: "yes", ValueType.TIME: "21:30", ValueType.TEXT: "Done",
            ValueType.NUMBER: spec.min if spec.min is not None else 1}[spec.type]


def test_a_completed_checklist_reopens_read_only_with_a_way_to_start_again(
        library: Library, store: Store, clock: Clock) -> None:
    protocol = library.protocol("scene-response")
    run = ChecklistRun.start(protocol, "26-0940", clock())
    answered_at = clock() + dt.timedelta(minutes=4)
    for item in protocol.items():
        if item.critical:
            run.answer(item.id, _valid(item), answered_at)
    run.complete(clock() + dt.timedelta(minutes=9))
    store.create("scene-response", protocol.id, protocol.version, "26-0940", run.status,
                 run.state.model_dump_json())
    aid = checklist_aid("scene-response", "scene-response", library=library, store=store, clock=clock)
    start_case(aid, "26-0940")
    text = page_text(aid)
    assert "This checklist was finished. It is shown below and cannot be changed." in status_text(aid)
    assert "Finished on " in text and "This record cannot be changed." in text
    first = next(i for i in protocol.items() if i.critical)
    assert first.prompt.replace("'", "&#x27;") in text
    assert not [w for w in walk(aid) if isinstance(w, ChecklistWidget)]
    click(aid, "Start a new checklist for this case")
    assert "New checklist started." in status_text(aid)
    (checklist,) = [w for w in walk(aid) if isinstance(w, ChecklistWidget)]
    assert checklist.answers == {} and len(store.find("scene-response", "26-0940")) == 2


def test_a_completed_screen_in_checklist_reopens_read_only_under_its_screening(
        library: Library, store: Store, clock: Clock) -> None:
    c = _screened_in(library, store, clock, "26-0941", 1)
    opened = c.follow_on()
    assert opened is not None
    session = opened[0]
    for item in session.run.protocol.items():
        if item.critical and session.run.answer_for(item.id) is None:
            assert session.handle({"type": "answer", "item": item.id, "answer": {"value": _valid(item)}})[
                "type"] == "saved"
    assert session.handle({"type": "complete"})["type"] == "saved"
    clock.advance(hours=3)
    aid = screening_aid(library=library, store=store, clock=clock)
    start_case(aid, "26-0941")
    text = page_text(aid)
    assert "Finished on " in text and "filled in from the screening" in text
    assert not [w for w in walk(aid) if isinstance(w, ChecklistWidget)]
    click(aid, "Start a new screen-in checklist for this case")
    (checklist,) = [w for w in walk(aid) if isinstance(w, ChecklistWidget)]
    assert checklist.answers[SCREEN_IN_BASIS_ITEM]["value"] == "rule-questions-1-3"
    assert len(store.find(FOLLOW_ON_AID, "26-0941")) == 2


def test_a_fill_in_problem_on_resume_is_not_written_over_by_the_resume_note(
        library: Library, store: Store, clock: Clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Reopening a screened-in case: what went wrong filling in the checklist stays on screen."""
    import protocols.ui.screening_aid as aid_module

    _screened_in(library, store, clock, "26-0990", 2)
    monkeypatch.setattr(aid_module, "fill_in_from_screening",
                        lambda *_args: "The screening's answers could not be filled in.")
    aid = screening_aid(library=library, store=store, clock=clock)
    start_case(aid, "26-0990")
    assert "could not be filled in" in status_text(aid)
