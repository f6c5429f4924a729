"""The scenario player: content warning first, one decision per screen, feedback, score and debrief."""

from __future__ import annotations

import ipywidgets as widgets
import pytest
from aid_helpers import Clock, break_saves, click, find, one, page_text, revisions, status_text, walk, with_class

from protocols.library.loader import Library
from protocols.records import Store
from protocols.ui.scenario_player_aid import AID, PageQuery, ScenarioController, scenario_player_aid
from protocols.ui.widget_kit import ScreenTop


def test_a_play_through_is_saved_under_the_session_label(library: Library, store: Store, clock: Clock) -> None:
    c = ScenarioController(library, store, clock)
    assert c.start("crisis-hotline-night").saved
    scenario = library.scenario("crisis-hotline-night")
    steps = 0
    while c.player.current_node is not None:
        node = c.player.current_node
        best = next(o for o in node.options if o.rating.value == "correct")
        step = c.choose(best.id)
        assert step.saved and step.value is not None and step.message == "Good choice. Saved."
        steps += 1
    debrief = c.debrief()
    assert debrief.finished and debrief.score.points == debrief.score.max_points == 2 * steps
    assert debrief.entries[0].exercises and debrief.entries[0].exercises[0].prompt is not None
    assert revisions(store, AID, "training") == [("completed", steps + 1)]
    (record,) = store.find(AID, "training")
    assert record.content_id == scenario.id and '"case_number":null' in record.state


def test_the_session_label_must_not_be_a_name(library: Library, store: Store, clock: Clock) -> None:
    c = ScenarioController(library, store, clock)
    step = c.start("crisis-hotline-night", "Jane Doe")
    assert not step.saved and "session label" in step.message and "case number" not in step.message
    assert c.start("crisis-hotline-night", "roll-call-12").saved
    assert store.find(AID, "roll-call-12")


def test_the_aid_goes_warning_decision_feedback_debrief(library: Library, store: Store, clock: Clock) -> None:
    aid = scenario_player_aid(library=library, store=store, clock=clock)
    one(aid, widgets.Dropdown, description="Scenario").value = "peer-support-after-dv"
    click(aid, "Continue")
    assert "Content warning:" in page_text(aid)
    assert find(aid, widgets.Button, description="Next decision") == []
    click(aid, "I am ready: start the scenario")
    assert "decision 1 · score so far 0 of 0 points" in page_text(aid)
    decisions = 0
    while True:
        options = [b for b in find(with_class(aid, "hb-options"), widgets.Button)]
        options[-1].click()
        decisions += 1
        text = page_text(aid)
        assert "You chose:" in text and "Score so far:" in text
        if find(aid, widgets.Button, description="See the debrief"):
            break
        click(aid, "Next decision")
    click(aid, "See the debrief")
    text = page_text(aid)
    assert "Debrief: " in text and f"over {decisions} decisions" in text
    assert text.count("Checklist items this practises:") == decisions
    assert "Points to discuss" in text
    click(aid, "Play it again")
    assert "Content warning:" in page_text(aid)
    assert len(store.find(AID, "training")) == 1


def test_the_page_address_picks_the_scenario(library: Library, store: Store) -> None:
    aid = scenario_player_aid(library=library, store=store)
    query = next(w for w in walk(aid) if isinstance(w, PageQuery))
    query.params = {"scenario": "embedded-mental-health-team"}
    assert one(aid, widgets.Dropdown, description="Scenario").value == "embedded-mental-health-team"
    query.params = {"scenario": "<script>"}
    assert one(aid, widgets.Dropdown, description="Scenario").value == "embedded-mental-health-team"
    assert scenario_player_aid("crisis-hotline-night", library=library, store=store) is not None


def test_a_failed_save_does_not_start(library: Library, store: Store, clock: Clock,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    aid = scenario_player_aid(library=library, store=store, clock=clock)
    click(aid, "Continue")
    break_saves(store, monkeypatch)
    click(aid, "I am ready: start the scenario")
    assert "Not started:" in status_text(aid)
    assert "Content warning:" in page_text(aid)


def test_a_decision_the_store_refused_is_kept_and_saved_by_retry(library: Library, store: Store, clock: Clock,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    aid = scenario_player_aid(library=library, store=store, clock=clock)
    click(aid, "Continue")
    click(aid, "I am ready: start the scenario")
    first = next(w for w in walk(aid) if isinstance(w, widgets.Button) and "hb-wide" in w._dom_classes)
    break_saves(store, monkeypatch)
    first.click()
    assert "Not saved: the disk is full. Your answer is kept here" in status_text(aid)
    assert "What is happening" in page_text(aid) and "You chose:" not in page_text(aid), \
        "the screen stays on the decision; nothing says saved"
    assert revisions(store, AID, "training") == [("in-progress", 1)]
    monkeypatch.undo()
    top = next(w for w in walk(aid) if isinstance(w, ScreenTop))
    screens = top.screen
    click(aid, "Retry saving")
    assert top.screen == screens + 1, "the new screen is scrolled into view"
    assert "Your answer saved now." in status_text(aid)
    assert "You chose:" in page_text(aid), "the feedback the first click would have shown"
    assert revisions(store, AID, "training") == [("in-progress", 2)]
    assert not [w for w in find(aid, widgets.Button, description="Retry saving") if w.layout.display != "none"]
