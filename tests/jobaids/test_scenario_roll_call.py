"""Roll-call mode of the scenario player: large type, a show of hands, a group debrief and the
trainer's summary of every play-through saved under the session label."""

from __future__ import annotations

import json

import ipywidgets as widgets
import pytest
from aid_helpers import Clock, click, find, one, page_text, status_text, walk, with_class

from protocols.library.loader import Library
from protocols.records import Store
from protocols.ui.scenario_player_aid import (
    AID,
    ROLL_CALL_CSS,
    PageQuery,
    ScenarioController,
    scenario_player_aid,
    session_records,
)

SCENARIO = "crisis-hotline-night"


def best_id(c: ScenarioController) -> str:
    node = c.player.current_node
    assert node is not None
    return next(o.id for o in node.options if o.rating.value == "correct")


def worst_id(c: ScenarioController) -> str:
    node = c.player.current_node
    assert node is not None
    return next(o.id for o in node.options if o.rating.value != "correct")


def play_on_phone(library: Library, store: Store, clock: Clock, label: str, *, best: bool) -> None:
    c = ScenarioController(library, store, clock)
    assert c.start(SCENARIO, label).saved
    while c.player.current_node is not None:
        assert c.choose(best_id(c) if best else worst_id(c)).saved


def roll_call_aid(library: Library, store: Store, clock: Clock, label: str = "roll-call-7") -> widgets.VBox:
    aid = scenario_player_aid(library=library, store=store, clock=clock)
    query = next(w for w in walk(aid) if isinstance(w, PageQuery))
    query.params = {"mode": "roll-call", "scenario": SCENARIO, "label": label}
    return aid


# --------------------------------------------------------------------------- controller


def test_a_group_play_through_saves_the_hands(library: Library, store: Store, clock: Clock) -> None:
    c = ScenarioController(library, store, clock)
    assert c.start(SCENARIO, "roll-call-7", roll_call=True).saved and c.roll_call
    node = c.player.current_node
    assert node is not None
    step = c.choose(best_id(c), {node.options[0].id: 7, node.options[1].id: 2})
    assert step.saved and step.value is not None and step.value.hands == {node.options[0].id: 7,
                                                                        node.options[1].id: 2}
    (record,) = store.find(AID, "roll-call-7")
    state = json.loads(record.state)
    assert state["group"] is True and state["decisions"][0]["hands"] == {node.options[0].id: 7,
                                                                        node.options[1].id: 2}


def test_all_zero_hands_are_not_a_count(library: Library, store: Store, clock: Clock) -> None:
    c = ScenarioController(library, store, clock)
    c.start(SCENARIO, "roll-call-7", roll_call=True)
    node = c.player.current_node
    assert node is not None
    step = c.choose(best_id(c), {o.id: 0 for o in node.options})
    assert step.saved and c.player.state.decisions[0].hands == {}


@pytest.mark.parametrize(("count", "message"), [
    (-2, "from 0 to 500, not -2"), (501, "from 0 to 500, not 501"), ("7", "a whole number")])
def test_bad_hands_are_refused_and_nothing_is_saved(library: Library, store: Store, clock: Clock,
                                                    count: object, message: str) -> None:
    c = ScenarioController(library, store, clock)
    c.start(SCENARIO, "roll-call-7", roll_call=True)
    node = c.player.current_node
    assert node is not None
    step = c.choose(best_id(c), {node.options[0].id: count})
    assert not step.saved and message in step.message and step.message.startswith("The hands up for option")
    assert c.player.state.decisions == ()
    assert [r.revision for r in store.find(AID, "roll-call-7")] == [1]


def test_hands_are_refused_outside_roll_call(library: Library, store: Store, clock: Clock) -> None:
    c = ScenarioController(library, store, clock)
    c.start(SCENARIO, "training")
    node = c.player.current_node
    assert node is not None
    step = c.choose(best_id(c), {node.options[0].id: 3})
    assert not step.saved and "roll-call mode" in step.message


def test_elapsed_time_against_the_scenarios_minutes(library: Library, store: Store, clock: Clock) -> None:
    c = ScenarioController(library, store, clock)
    c.start(SCENARIO, roll_call=True)
    assert c.time_text() == "0 of about 15 minutes"
    clock.advance(minutes=1, seconds=30)
    assert c.time_text() == "1 of about 15 minutes"
    clock.advance(minutes=14)
    assert c.time_text() == "15 of about 15 minutes: time to wrap up"


def test_the_summary_covers_every_play_through_under_the_label(library: Library, store: Store,
                                                                clock: Clock) -> None:
    play_on_phone(library, store, clock, "roll-call-7", best=True)
    play_on_phone(library, store, clock, "roll-call-7", best=False)
    play_on_phone(library, store, clock, "another-label", best=False)
    other = ScenarioController(library, store, clock)
    assert other.start("peer-support-after-dv", "roll-call-7").saved
    c = ScenarioController(library, store, clock)
    step = c.summary(SCENARIO, "roll-call-7")
    assert step.saved and step.value is not None
    summary = step.value
    assert summary.play_throughs == 2 and summary.finished == 2 and summary.mean_score_percent is not None
    assert all(n.reached == 2 and n.best_percent == 50 for n in summary.nodes)
    assert [s.reason for s in summary.skipped] == ["1 play-through of another scenario (`peer-support-after-dv`)"]
    assert step.message == f"Trainer's summary: {summary.text}."
    assert "roll-call-7" not in summary.model_dump_json()


def test_the_summary_refuses_a_name_and_says_when_nothing_is_saved(library: Library, store: Store) -> None:
    c = ScenarioController(library, store)
    step = c.summary(SCENARIO, "Jane Doe")
    assert not step.saved and "session label" in step.message and "Jane" not in step.message
    empty = c.summary(SCENARIO, "nobody-yet")
    assert empty.saved and empty.value is not None and empty.value.play_throughs == 0
    assert empty.message == "Nothing is saved under this session label yet."
    assert not c.summary("no-such-scenario", "x").saved


def test_more_than_fifty_play_throughs_are_all_counted(library: Library, store: Store) -> None:
    scenario = library.scenario(SCENARIO)
    from protocols.engine import ScenarioPlayer

    state = ScenarioPlayer.start(scenario, Clock()()).state.model_dump_json()
    for _ in range(55):
        store.create(AID, scenario.id, scenario.version, "big-class", "in-progress", state)
    assert len(session_records(store, "big-class")) == 55
    step = ScenarioController(library, store).summary(SCENARIO, "big-class")
    assert step.value is not None and step.value.play_throughs == 55


# --------------------------------------------------------------------------- view


def test_the_page_address_turns_on_roll_call_mode(library: Library, store: Store, clock: Clock) -> None:
    aid = roll_call_aid(library, store, clock)
    assert "hb-roll-call" in aid._dom_classes
    assert one(aid, widgets.Checkbox).value is True
    assert one(aid, widgets.Dropdown, description="Scenario").value == SCENARIO
    assert one(aid, widgets.Text).value == "roll-call-7"
    assert "show this screen on a projector" in page_text(aid)
    assert ROLL_CALL_CSS in page_text(aid)


def test_the_first_screen_offers_roll_call_mode(library: Library, store: Store) -> None:
    aid = scenario_player_aid(library=library, store=store)
    box = one(aid, widgets.Checkbox)
    assert box.description == "Roll-call mode: for a projector, the group decides together"
    assert "hb-roll-call" not in aid._dom_classes
    box.value = True
    assert "hb-roll-call" in aid._dom_classes
    box.value = False
    assert "hb-roll-call" not in aid._dom_classes
    query = next(w for w in walk(aid) if isinstance(w, PageQuery))
    query.params = {"mode": "something-else"}
    assert box.value is False


def test_roll_call_to_the_group_debrief(library: Library, store: Store, clock: Clock) -> None:
    play_on_phone(library, store, clock, "roll-call-7", best=False)  # a trainee on a phone, same label
    aid = roll_call_aid(library, store, clock)
    click(aid, "Continue")
    assert "Read it aloud to the group." in page_text(aid)
    click(aid, "I am ready: start the scenario")
    decisions = 0
    while True:
        text = page_text(aid)
        assert f"Decision {decisions + 1} · time: {decisions} of about 15 minutes" in text
        assert "What is happening" in text
        counts = find(aid, widgets.IntText)
        assert [w.description for w in counts] == [f"Hands up for {x}" for x in "ABCDE"[:len(counts)]]
        counts[0].value = 6
        counts[1].value = 3
        choose = find(with_class(aid, "hb-options"), widgets.Button)
        assert [b.description for b in choose] == [f"The group chose {x}" for x in "ABCDE"[:len(counts)]]
        choose[0].click()
        decisions += 1
        text = page_text(aid)
        assert "The group chose A:" in text and "Show of hands" in text
        assert "6 hands</strong> (67%)" in text and "3 hands</strong> (33%)" in text
        assert status_text(aid).count("Saved.") == 1
        clock.advance(minutes=1)
        if find(aid, widgets.Button, description="See the group debrief"):
            break
        click(aid, "Next decision")
    click(aid, "See the group debrief")
    text = page_text(aid)
    assert "Group debrief: " in text and f"over {decisions} decisions" in text
    assert f"Time: {decisions} minutes (planned about 15)" in text
    assert text.count("Checklist items practised:") == decisions
    assert text.count("Show of hands:") == decisions
    assert "Discuss as a group" in text and "One calm voice" in text
    assert "Trainer&#x27;s summary for this session label" in text
    assert "2 play-throughs (1 roll-call group), 2 finished" in text
    assert '<table class="hb-summary">' in text and "Teach again" in text
    assert "roll-call-7" not in text.split("Trainer&#x27;s summary for this session label")[1]
    click(aid, "Play it again")
    assert "Content warning:" in page_text(aid)
    assert "hb-roll-call" in aid._dom_classes


def test_a_refused_count_stays_on_the_decision(library: Library, store: Store, clock: Clock) -> None:
    aid = roll_call_aid(library, store, clock)
    click(aid, "Continue")
    click(aid, "I am ready: start the scenario")
    find(aid, widgets.IntText)[1].value = 900
    click(aid, "The group chose A")
    assert "must be from 0 to 500, not 900" in status_text(aid)
    assert 'role="alert"' in status_text(aid)
    assert "Decision 1 · time" in page_text(aid) and "Show of hands" not in page_text(aid)
    find(aid, widgets.IntText)[1].value = 9
    click(aid, "The group chose A")
    assert "9 hands" in page_text(aid)


def test_normal_mode_offers_the_trainers_summary(library: Library, store: Store, clock: Clock) -> None:
    play_on_phone(library, store, clock, "class-3", best=True)
    aid = scenario_player_aid(SCENARIO, library=library, store=store, clock=clock)
    one(aid, widgets.Text).value = "class-3"
    click(aid, "Trainer's summary for this session label")
    assert "1 play-through, 1 finished, mean score 100%" in page_text(aid)
    assert "At every decision, most people chose the best option." in page_text(aid)
    click(aid, "Continue")
    click(aid, "I am ready: start the scenario")
    while find(with_class(aid, "hb-options"), widgets.Button):
        find(with_class(aid, "hb-options"), widgets.Button)[-1].click()
        if find(aid, widgets.Button, description="See the debrief"):
            click(aid, "See the debrief")
            break
        click(aid, "Next decision")
    assert "Debrief: " in page_text(aid) and "<table" not in page_text(aid)
    assert find(aid, widgets.IntText) == []
    click(aid, "Trainer's summary for this session label")
    assert "2 play-throughs, 2 finished" in page_text(aid)
    assert "Teach again" in page_text(aid) or "most people chose the best option" in page_text(aid)
