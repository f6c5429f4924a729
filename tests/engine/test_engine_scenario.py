"""Scenarios: choices, scoring, finishing, the debrief."""

from __future__ import annotations

import json

import pytest
from engine_content import T0, at, make_protocol

from protocols.engine import AnswerError, RunClosed, ScenarioPlayer, StateError
from protocols.models import Item, Rating, Scenario


def test_choose_gives_feedback_and_the_next_node(scenario: Scenario) -> None:
    player = ScenarioPlayer.start(scenario, T0)
    assert player.current_node is not None and player.current_node.id == "arrive"
    feedback = player.choose("check-safety", at(1))
    assert feedback.rating is Rating.CORRECT
    assert feedback.points == 2
    assert feedback.feedback == "About check-safety."
    assert feedback.next_node == "talk"
    assert not feedback.finished
    assert feedback.score.text == "2 of 2 points"
    assert player.current_node is not None and player.current_node.id == "talk"


def test_scoring_and_finishing(scenario: Scenario) -> None:
    player = ScenarioPlayer.start(scenario, T0)
    player.choose("wait", at(1))  # partial = 1
    feedback = player.choose("chronology", at(2))  # partial = 1
    assert feedback.finished and player.finished
    assert player.current_node is None
    score = player.score()
    assert (score.points, score.max_points, score.decisions) == (2, 4, 2)
    with pytest.raises(RunClosed, match="finished"):
        player.choose("open-invite", at(3))


def test_wrong_scores_zero(scenario: Scenario) -> None:
    player = ScenarioPlayer.start(scenario, T0)
    assert player.choose("ask-why", at(1)).points == 0
    assert player.score().text == "0 of 2 points"


@pytest.mark.parametrize("option", ["open-invite", "nope", None, 3, ""])
def test_unknown_options(scenario: Scenario, option: object) -> None:
    player = ScenarioPlayer.start(scenario, T0)
    with pytest.raises(AnswerError):
        player.choose(option, at(1))


def test_debrief_resolves_items_with_a_dict_of_protocols(scenario: Scenario) -> None:
    player = ScenarioPlayer.start(scenario, T0)
    player.choose("check-safety", at(1))
    player.choose("open-invite", at(2))
    debrief = player.debrief({"test-response": make_protocol()})
    assert debrief.finished
    assert debrief.score.text == "4 of 4 points"
    first, second = debrief.entries
    assert (first.option_text, first.rating, first.feedback) == (
        "Do check-safety", Rating.CORRECT, "About check-safety."
    )
    assert [e.text for e in first.exercises] == ["Scene is safe"]
    assert [(e.prompt, e.text) for e in second.exercises] == [
        ("Rights notice given", "Rights notice given"),
        (None, "other / missing"),
    ]
    assert debrief.debrief_points == ("Safety first.",)


def test_debrief_with_a_lookup_function(scenario: Scenario) -> None:
    protocol = make_protocol()

    def lookup(protocol_id: str, item_id: str) -> Item | None:
        if protocol_id != protocol.id:
            raise KeyError(protocol_id)
        return protocol.item(item_id)

    player = ScenarioPlayer.start(scenario, T0)
    player.choose("check-safety", at(1))
    player.choose("open-invite", at(2))
    entries = player.debrief(lookup).entries
    assert entries[0].exercises[0].prompt == "Scene is safe"
    assert entries[1].exercises[1].prompt is None
    assert player.debrief().entries[0].exercises[0].prompt is None


def test_round_trip_mid_scenario(scenario: Scenario) -> None:
    player = ScenarioPlayer.start(scenario, T0)
    player.choose("wait", at(1))
    data = json.loads(json.dumps(player.state.model_dump(mode="json")))
    restored = ScenarioPlayer.restore(scenario, data)
    assert restored.state == player.state
    assert restored.current_node is not None and restored.current_node.id == "talk"
    data["decisions"][0]["rating"] = "correct"
    with pytest.raises(StateError):
        ScenarioPlayer.restore(scenario, data)
