"""The follow-up aid: a plan with dated check-ins, statuses in words, contacts recorded, closure."""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets
import pytest
from aid_helpers import (
    Clock,
    break_saves,
    click,
    find,
    one,
    page_text,
    revisions,
    start_case,
    status_text,
    with_class,
)

from protocols.library.loader import Library
from protocols.records import Store
from protocols.ui.follow_up_aid import AID, FollowUpController, follow_up_aid


def test_create_record_close_and_resume(library: Library, store: Store, clock: Clock) -> None:
    c = FollowUpController(library, store, clock)
    assert c.start("26-0800") == "No open plan for this case yet. Make one below."
    start = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)  # Wednesday
    step = c.create("standard-follow-up", start, method="phone", window="09:00-17:00", may_leave_message=False)
    assert step.saved and step.message == "Follow-up plan made and saved: 4 check-ins."
    overview = c.overview()  # now: Friday 20 Nov, 21:00
    assert [s.status for s in overview.statuses] == ["overdue", "upcoming", "upcoming", "upcoming"]
    assert overview.text == "1 overdue · 3 upcoming"
    assert "leave no message" in overview.contact
    assert c.record("first-contact", "not-reached").message == \
        "Check-in recorded and saved: Could not reach the victim."
    assert c.record("first-contact", "reached", "Safe; staying with family.").saved
    clock.advance(days=5)
    assert [s.status for s in c.overview().statuses][:2] == ["done", "due-today"]
    again = FollowUpController(library, store, clock)
    assert again.start("26-0800") == "Resumed the open follow-up plan."
    assert len(again.plan.state.check_ins[0].attempts) == 2
    refused = again.close([0, 1])
    assert not refused.saved and "not confirmed" in refused.message
    assert again.close([0, 1], "Victim asked to stop follow-up").saved
    assert revisions(store, AID, "26-0800")[0][0] == "completed"
    later = FollowUpController(library, store, clock)
    assert later.start("26-0800").startswith("No open plan")
    assert later.earlier and "was closed" in later.earlier[0]


def test_bad_input_makes_no_plan(library: Library, store: Store, clock: Clock) -> None:
    c = FollowUpController(library, store, clock)
    c.start("26-0801")
    step = c.create("standard-follow-up", clock(), window="17:00-09:00")
    assert not step.saved and step.message.startswith("The safe contact window must end later")
    assert store.find(AID, "26-0801") == [] and not c.has_plan


def test_the_aid_makes_a_plan_and_records_a_check_in(library: Library, store: Store, clock: Clock) -> None:
    aid = follow_up_aid(library=library, store=store, clock=clock)
    start_case(aid, "26-0810")
    assert "Ask the victim about safe contact:" in page_text(aid)
    one(aid, widgets.Dropdown, description="Which plan").value = "screen-in-follow-up"
    assert "A victim who screened in" in page_text(aid)
    one(aid, widgets.Dropdown, description="Safe way to contact the victim").value = "through-advocate"
    one(aid, widgets.TimePicker, description="Safe to contact from (optional)").value = dt.time(9, 0)
    click(aid, "Make the follow-up plan")
    assert "Give both times of the safe contact window, or neither." in status_text(aid)
    one(aid, widgets.TimePicker, description="Safe to contact until (optional)").value = dt.time(12, 0)
    one(aid, widgets.Dropdown, description="May we leave a message?").value = "no"
    click(aid, "Make the follow-up plan")
    assert "Follow-up plan made and saved" in status_text(aid)
    text = page_text(aid)
    assert "Case 26-0810 · " in text and "upcoming" in text
    assert "through an advocate; between 09:00 and 12:00; leave no message" in text
    card = with_class(aid, "hb-check-in-next-business-day")
    assert "Mon 23 Nov 2026" in page_text(card), "Friday night + 24 h is Saturday: moved to Monday"
    one(card, widgets.Dropdown).value = "declined"
    one(card, widgets.Button, description="Record this check-in").click()
    assert "Check-in recorded and saved: The victim declined the check-in." in status_text(aid)
    assert "Done" in page_text(with_class(aid, "hb-check-in-next-business-day"))
    reopened = follow_up_aid(library=library, store=store, clock=clock)
    start_case(reopened, "26-0810")
    assert "Resumed the open follow-up plan." in status_text(reopened)
    for box in find(reopened, widgets.Checkbox):
        box.value = True
    click(reopened, "Close the plan")
    assert "Follow-up plan closed and saved." in status_text(reopened)
    assert "Plan closed" in page_text(reopened)


def test_a_failed_save_makes_no_plan(library: Library, store: Store, clock: Clock,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    aid = follow_up_aid(library=library, store=store, clock=clock)
    start_case(aid, "26-0820")
    break_saves(store, monkeypatch)
    click(aid, "Make the follow-up plan")
    assert "Not saved:" in status_text(aid)
    assert "Make a follow-up plan" in page_text(aid)

