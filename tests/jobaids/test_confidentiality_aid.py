"""The confidentiality aid: the opening script first, one question at a time, Back, and the outcome."""

from __future__ import annotations

import pytest
from aid_helpers import Clock, break_saves, click, page_text, revisions, start_case, status_text

from protocols.library.loader import Library
from protocols.records import Store
from protocols.ui.confidentiality_aid import AID, AdvisorController, confidentiality_aid


def test_walk_to_an_outcome_back_and_resume(library: Library, store: Store, clock: Clock) -> None:
    guide = library.guide("confidentiality-decisions")
    c = AdvisorController(guide, store, clock)
    assert c.start("26-0600") == "Started. Answer the first question."
    assert c.advisor.current_question is not None and c.advisor.current_question.id == "who-holds-it"
    assert c.answer("yes").message == "Yes. Saved."
    assert c.answer("yes").saved  # imminent harm: yes
    outcome = c.summary().outcome
    assert outcome is not None and outcome.id == "share-to-prevent-harm"
    assert outcome.decision_text == "You must share it"
    assert revisions(store, AID, "26-0600")[0][0] == "completed"
    assert c.back().saved
    assert revisions(store, AID, "26-0600")[0][0] == "in-progress"
    again = AdvisorController(guide, store, clock)
    assert again.start("26-0600") == "Resumed where you stopped."
    assert [s.answer for s in again.summary().steps] == ["yes"]
    refused = AdvisorController(guide, store, clock)
    refused.start("26-0601")
    step = refused.back()
    assert not step.saved and "first question" in step.message


def test_the_aid_shows_the_script_first_then_questions_then_the_outcome(
        library: Library, store: Store, clock: Clock) -> None:
    aid = confidentiality_aid(library=library, store=store, clock=clock)
    text = page_text(aid)
    assert "Say this first, before the victim tells you anything:" in text
    assert text.index("Say this first") < text.index("Use the case or incident number only")
    start_case(aid, "26-0610")
    assert "Question 1" in page_text(aid)
    assert "Do you work for the police or the prosecutor?" in page_text(aid)
    click(aid, "No")  # a community advocate
    text = page_text(aid)
    assert "Keep it private" in text
    assert "Community advocates keep the victim&#x27;s details private" in text
    assert "34 U.S.C. § 12291(b)(2)" in text
    assert "Say to the victim:" in text
    click(aid, "Back")
    assert "Went back one question. Saved." in status_text(aid)
    assert "Question 1" in page_text(aid)
    click(aid, "Yes")
    click(aid, "Start again")
    assert "Started again from the first question." in status_text(aid)
    assert len(store.find(AID, "26-0610")) == 2


def test_a_failed_save_does_not_move_on(library: Library, store: Store, clock: Clock,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    aid = confidentiality_aid(library=library, store=store, clock=clock)
    start_case(aid, "26-0620")
    break_saves(store, monkeypatch)
    click(aid, "Yes")
    assert "Not saved:" in status_text(aid)
    assert "Question 1" in page_text(aid)
