"""Reopening a case whose run was finished shows that record, read-only, with a way to start anew."""

from __future__ import annotations

import ipywidgets as widgets
from aid_helpers import T0, Clock, click, find, one, page_text, start_case, status_text, with_class

from protocols.library.loader import Library
from protocols.records import Store
from protocols.ui.confidentiality_aid import AID as CONFIDENTIALITY_AID
from protocols.ui.confidentiality_aid import confidentiality_aid
from protocols.ui.markup import when
from protocols.ui.needs_and_referrals_aid import AID as NEEDS_AID
from protocols.ui.needs_and_referrals_aid import needs_and_referrals_aid
from protocols.ui.screening_aid import screening_aid


def _shown(root: widgets.Widget) -> list[widgets.Widget]:
    """Every widget on screen under ``root``: none inside a hidden box."""
    if getattr(getattr(root, "layout", None), "display", "") == "none":
        return []
    return [root, *(w for child in getattr(root, "children", ()) for w in _shown(child))]


def _buttons(root: widgets.Widget) -> list[str]:
    return [w.description for w in _shown(root) if isinstance(w, widgets.Button)]


def test_a_finished_needs_assessment_reopens_read_only(library: Library, store: Store, clock: Clock) -> None:
    first = needs_and_referrals_aid(library=library, store=store, clock=clock)
    start_case(first, "26-0920")
    one(with_class(first, "hb-need-needs-transport"), widgets.Checkbox).value = True
    click(first, "Finish and save the assessment")
    assert "Assessment finished and saved." in status_text(first)
    clock.advance(hours=5)
    again = needs_and_referrals_aid(library=library, store=store, clock=clock)
    start_case(again, "26-0920")
    assert "needs assessment was finished on" in status_text(again)
    text = page_text(again)
    assert "Finished on " in text and "This assessment cannot be changed." in text
    assert f"Needs found:</strong></p><ul class=\"hb-list\"><li>Needs a ride · {when(T0)}</li>" in text
    box = one(with_class(again, "hb-need-needs-transport"), widgets.Checkbox)
    assert box.value and box.disabled
    assert "Finish and save the assessment" not in _buttons(again)
    click(again, "Start a new needs assessment for this case")
    assert "New needs assessment started for the same case." in status_text(again)
    assert not one(with_class(again, "hb-need-needs-transport"), widgets.Checkbox).value
    assert "Finished on " not in page_text(again)
    assert len(store.find(NEEDS_AID, "26-0920")) == 2


def test_a_finished_confidentiality_answer_reopens_read_only(library: Library, store: Store,
                                                             clock: Clock) -> None:
    first = confidentiality_aid(library=library, store=store, clock=clock)
    start_case(first, "26-0921")
    click(first, "No")  # a community advocate: an answer at once
    assert "Keep it private" in page_text(first)
    clock.advance(days=1)
    again = confidentiality_aid(library=library, store=store, clock=clock)
    start_case(again, "26-0921")
    assert "This case already has an answer, reached on" in status_text(again)
    assert "Finished on " in page_text(again) and "Keep it private" in page_text(again)
    assert "<strong>No</strong> · " in page_text(again), "each answer shows its time"
    shown = _buttons(again)
    assert "Back" not in shown and "Start again" not in shown and "Yes" not in shown
    click(again, "Start new questions for this case")
    assert "Started again from the first question." in status_text(again)
    assert "Question 1" in page_text(again) and "Start new questions for this case" not in _buttons(again)
    assert len(store.find(CONFIDENTIALITY_AID, "26-0921")) == 2


def test_a_finished_screening_says_when_it_was_finished(library: Library, store: Store, clock: Clock) -> None:
    first = screening_aid(library=library, store=store, clock=clock)
    start_case(first, "26-0922")
    for n in range(1, 12):
        find(with_class(first, f"hb-q-{n}"), widgets.Button, description="No")[0].click()
    click(first, "Finish screening and see the result")
    clock.advance(days=1)
    again = screening_aid(library=library, store=store, clock=clock)
    start_case(again, "26-0922")
    text = page_text(again)
    assert "Finished on " in text and "Not screened in" in text
    assert "Start a new screening for this case" in _buttons(again)
    assert all(one(with_class(again, f"hb-q-{n}"), widgets.Button, description="Yes").disabled
               for n in range(1, 12))
