"""The follow-up aid offers the plan the case needs, says why, and shows a closed plan read-only."""

from __future__ import annotations

import ipywidgets as widgets
from aid_helpers import Clock, click, find, one, page_text, start_case, status_text

from protocols.library.loader import Library
from protocols.records import Store
from protocols.ui.follow_up_aid import FollowUpController, day, follow_up_aid
from protocols.ui.screening_aid import ScreeningController


def _screen(library: Library, store: Store, clock: Clock, case: str, *answers: tuple[int, str],
            finish: bool = True) -> ScreeningController:
    c = ScreeningController(library.instrument("sample-danger-screen"), library, store, clock)
    c.start(case)
    for number, value in answers:
        assert c.answer(number, value).saved
    if finish:
        assert c.finish().saved
    return c


def _shown(root: widgets.Widget) -> list[widgets.Widget]:
    """Every widget on screen under ``root``: none inside a hidden box."""
    if getattr(getattr(root, "layout", None), "display", "") == "none":
        return []
    return [root, *(w for child in getattr(root, "children", ()) for w in _shown(child))]


def _plan_choice(aid: widgets.Widget) -> str:
    return str(one(aid, widgets.Dropdown, description="Which plan").value)


def test_a_case_that_screened_in_gets_the_high_danger_plan_and_the_reason(
        library: Library, store: Store, clock: Clock) -> None:
    screening = _screen(library, store, clock, "26-0900", (2, "yes"))
    finished = screening.run.state.finished_at
    assert finished is not None
    clock.advance(days=1)
    aid = follow_up_aid(library=library, store=store, clock=clock)
    start_case(aid, "26-0900")
    assert _plan_choice(aid) == "screen-in-follow-up"
    assert (f"This case screened in on {day(finished)}, so the high-danger plan is chosen. "
            "You can pick another.") in page_text(aid)
    one(aid, widgets.Dropdown, description="Which plan").value = "standard-follow-up"
    click(aid, "Make the follow-up plan")
    assert "Follow-up plan made and saved" in status_text(aid)


def test_a_belief_screen_in_counts_too(library: Library, store: Store, clock: Clock) -> None:
    c = _screen(library, store, clock, "26-0901", finish=False)
    assert c.believe("He said he would kill her tonight if she called the police").saved
    assert c.finish().saved
    controller = FollowUpController(library, store, clock)
    controller.start("26-0901")
    assert controller.first_choice()[0] == "screen-in-follow-up"


def test_no_screen_in_keeps_the_standard_plan_and_says_nothing(library: Library, store: Store,
                                                               clock: Clock) -> None:
    _screen(library, store, clock, "26-0902", *((n, "no") for n in range(1, 12)))
    _screen(library, store, clock, "26-0903", (1, "yes"), finish=False)  # no result yet
    for case in ("26-0902", "26-0903", "26-0904"):
        aid = follow_up_aid(library=library, store=store, clock=clock)
        start_case(aid, case)
        assert _plan_choice(aid) == "standard-follow-up", case
        assert "screened in" not in page_text(aid)


def test_a_closed_plan_reopens_read_only_with_a_way_to_make_a_new_one(library: Library, store: Store,
                                                                     clock: Clock) -> None:
    first = follow_up_aid(library=library, store=store, clock=clock)
    start_case(first, "26-0910")
    click(first, "Make the follow-up plan")
    one(first, widgets.Dropdown, description="Result of the first check-in (about 24 hours)").value = "reached"
    find(first, widgets.Button, description="Record this check-in")[0].click()
    one(first, widgets.Textarea, description="Reason for closing early (needed if not every item is ticked; "
        "no names)").value = "The victim asked for no more calls"
    click(first, "Close the plan")
    clock.advance(days=2)
    again = follow_up_aid(library=library, store=store, clock=clock)
    start_case(again, "26-0910")
    text = page_text(again)
    assert "The last plan was closed on" in status_text(again)
    assert "Plan closed" in text and "Reached the victim" in text
    shown = [b.description for b in _shown(again) if isinstance(b, widgets.Button)]
    assert "Record this check-in" not in shown and "Close the plan" not in shown
    click(again, "Make a new follow-up plan")
    assert "Make a follow-up plan" in page_text(again)
    click(again, "Make the follow-up plan")
    assert "Follow-up plan made and saved" in status_text(again)
    assert len(store.find("follow-up", "26-0910")) == 2
