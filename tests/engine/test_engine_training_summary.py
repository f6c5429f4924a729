"""Roll call: a group's show of hands, and the trainer's summary of a session's play-throughs."""

from __future__ import annotations

import json

import pytest
from engine_content import T0, at, make_protocol, make_scenario

from protocols.engine import (
    MAX_HANDS,
    AnswerError,
    ScenarioPlayer,
    ScenarioState,
    StateError,
    TrainingSummary,
    summarise,
)
from protocols.models import Rating, Scenario


def play(scenario: Scenario, *choices: str, group: bool = False,
         hands: list[dict[str, object] | None] | None = None) -> ScenarioState:
    player = ScenarioPlayer.start(scenario, T0, group=group)
    for n, option in enumerate(choices):
        player.choose(option, at(n + 1), hands=(hands or [None] * len(choices))[n])
    return player.state


# --------------------------------------------------------------------------- hands


def test_a_group_records_a_show_of_hands(scenario: Scenario) -> None:
    player = ScenarioPlayer.start(scenario, T0, group=True)
    feedback = player.choose("check-safety", at(1), hands={"wait": 2, "check-safety": 9})
    assert feedback.hands == {"check-safety": 9, "wait": 2}, "in the node's option order"
    assert list(player.state.decisions[0].hands) == ["check-safety", "wait"]
    player.choose("open-invite", at(2))
    assert player.state.decisions[1].hands == {}
    debrief = player.debrief()
    assert debrief.entries[0].hands == {"check-safety": 9, "wait": 2}
    data = json.loads(player.state.model_dump_json())
    assert data["group"] is True
    assert ScenarioPlayer.restore(scenario, data).state == player.state


def test_an_empty_show_of_hands_is_no_show_of_hands(scenario: Scenario) -> None:
    player = ScenarioPlayer.start(scenario, T0)
    player.choose("check-safety", at(1), hands={})
    assert player.state.decisions[0].hands == {}


@pytest.mark.parametrize(("hands", "message"), [
    ({"nope": 1}, "`nope`, which is not an option here; use: check-safety, ask-why, wait"),
    ({"open-invite": 1}, "not an option here"),
    ({"wait": -1}, f"must be from 0 to {MAX_HANDS}, not -1"),
    ({"wait": MAX_HANDS + 1}, f"must be from 0 to {MAX_HANDS}, not {MAX_HANDS + 1}"),
    ({"wait": 2.5}, "must be a whole number from 0 to 500"),
    ({"wait": "3"}, "must be a whole number"),
    ({"wait": True}, "must be a whole number"),
    ({"wait": None}, "must be a whole number"),
    (["wait"], "must map each option id to a number of people"),
])
def test_bad_hands_are_refused_and_change_nothing(scenario: Scenario, hands: object, message: str) -> None:
    player = ScenarioPlayer.start(scenario, T0, group=True)
    before = player.state
    with pytest.raises(AnswerError, match="hands") as raised:
        player.choose("check-safety", at(1), hands=hands)  # type: ignore[arg-type]
    assert message in str(raised.value)
    assert player.state is before


def test_hands_need_a_group_play_through(scenario: Scenario) -> None:
    player = ScenarioPlayer.start(scenario, T0)
    with pytest.raises(AnswerError, match="roll-call mode"):
        player.choose("check-safety", at(1), hands={"wait": 1})
    assert player.state.decisions == ()


def test_saved_runs_without_hands_still_load(scenario: Scenario) -> None:
    data = json.loads(play(scenario, "wait").model_dump_json())
    del data["group"]
    del data["decisions"][0]["hands"]
    restored = ScenarioPlayer.restore(scenario, data)
    assert not restored.state.group and restored.state.decisions[0].hands == {}


@pytest.mark.parametrize("change", [
    lambda d: d["decisions"][0].update(hands={"open-invite": 3}),  # an option of another node
    lambda d: d["decisions"][0].update(hands={"wait": 900}),  # too many
    lambda d: d.update(group=False),  # hands on an individual run
])
def test_a_tampered_show_of_hands_is_refused_on_restore(scenario: Scenario, change: object) -> None:
    data = json.loads(play(scenario, "wait", group=True, hands=[{"wait": 4}]).model_dump_json())
    change(data)  # type: ignore[operator]
    with pytest.raises(StateError):
        ScenarioPlayer.restore(scenario, data)


# --------------------------------------------------------------------------- summary


def test_no_runs(scenario: Scenario) -> None:
    summary = summarise(scenario, [])
    assert isinstance(summary, TrainingSummary)
    assert (summary.play_throughs, summary.finished, summary.mean_score_percent) == (0, 0, None)
    assert summary.nodes == () and summary.reteach == () and summary.skipped == ()
    assert summary.text == "0 play-throughs, 0 finished, no decisions yet"


def test_individual_runs_count_one_each(scenario: Scenario) -> None:
    states = [
        play(scenario, "check-safety", "open-invite"),  # 4 of 4 = 100%
        play(scenario, "wait", "chronology"),  # 2 of 4 = 50%
        play(scenario, "ask-why"),  # unfinished, 0 of 2 = 0%
        play(scenario),  # started, no decision: not in the mean
    ]
    summary = summarise(scenario, states, {"test-response": make_protocol()})
    assert summary.play_throughs == 4 and summary.group_play_throughs == 0
    assert summary.finished == 2
    assert summary.mean_score_percent == 50
    assert summary.text == "4 play-throughs, 2 finished, mean score 50%"
    arrive, talk = summary.nodes
    assert (arrive.node_id, arrive.number, arrive.reached) == ("arrive", 1, 3)
    assert [(o.option_id, o.count, o.best) for o in arrive.options] == [
        ("check-safety", 1, True), ("ask-why", 1, False), ("wait", 1, False)]
    assert (arrive.best_count, arrive.best_percent) == (1, 33)
    assert [e.text for e in arrive.best_exercises] == ["Scene is safe"]
    assert (talk.reached, talk.best_count, talk.best_percent) == (2, 1, 50)
    assert [n.node_id for n in summary.reteach] == ["arrive", "talk"], "weakest first"


def test_hand_counts_count_every_hand(scenario: Scenario) -> None:
    group = play(scenario, "check-safety", "open-invite", group=True,
                 hands=[{"check-safety": 8, "ask-why": 1, "wait": 3}, None])
    phone = play(scenario, "ask-why", "open-invite")
    summary = summarise(scenario, [group, phone])
    assert summary.group_play_throughs == 1
    assert summary.text == "2 play-throughs (1 roll-call group), 2 finished, mean score 75%"
    arrive, talk = summary.nodes
    assert arrive.reached == 13  # 12 hands + 1 phone
    assert {o.option_id: o.count for o in arrive.options} == {"check-safety": 8, "ask-why": 2, "wait": 3}
    assert arrive.best_percent == 62
    assert talk.reached == 2 and talk.best_percent == 100, "a group without hands counts as one"
    assert [n.node_id for n in summary.reteach] == ["arrive"]
    assert all(0 <= n.best_share <= 1 for n in summary.nodes)


def test_all_zero_hands_count_the_groups_choice(scenario: Scenario) -> None:
    group = play(scenario, "wait", group=True, hands=[{"check-safety": 0, "wait": 0}])
    (arrive,) = summarise(scenario, [group]).nodes
    assert arrive.reached == 1 and {o.option_id: o.count for o in arrive.options}["wait"] == 1


def test_only_reached_nodes_in_scenario_order(scenario: Scenario) -> None:
    summary = summarise(scenario, [play(scenario, "check-safety")])
    assert [n.node_id for n in summary.nodes] == ["arrive"]
    assert summary.reteach == () and summary.finished == 0 and summary.mean_score_percent == 100


def test_other_scenarios_and_versions_are_reported_not_mixed(scenario: Scenario) -> None:
    data = scenario.model_dump()
    other = Scenario.model_validate({**data, "id": "another-scenario"})
    newer = Scenario.model_validate({**data, "version": "2.0"})
    states = [
        play(scenario, "check-safety").model_dump_json(),  # JSON, as the store holds it
        play(other, "ask-why"),
        play(other, "ask-why"),
        play(newer, "ask-why"),
        "{not json",
        {"kind": "checklist"},
    ]
    summary = summarise(scenario, states)
    assert summary.play_throughs == 1 and summary.nodes[0].reached == 1
    assert [(s.reason, s.count) for s in summary.skipped] == [
        ("2 play-throughs of another scenario (`another-scenario`)", 2),
        ("1 play-through of version `2.0` of this scenario (this summary is for version 1.0)", 1),
        ("2 saved runs that could not be read", 2),
    ]


def test_a_run_that_no_longer_fits_the_scenario_is_unreadable(scenario: Scenario) -> None:
    data = json.loads(play(scenario, "wait").model_dump_json())
    data["decisions"][0]["rating"] = "correct"
    summary = summarise(scenario, [data])
    assert summary.play_throughs == 0 and summary.skipped[0].count == 1


def test_the_summary_holds_no_names_or_labels(scenario: Scenario) -> None:
    state = ScenarioPlayer.start(scenario, T0, case_number="ROLLCALL-7").state
    dumped = summarise(scenario, [state]).model_dump_json()
    assert "ROLLCALL-7" not in dumped and "case_number" not in dumped


def test_a_node_without_a_correct_option_uses_its_best_rating() -> None:
    data = make_scenario().model_dump()
    for option in data["nodes"][1]["options"]:
        option["rating"] = "partial" if option["id"] == "open-invite" else "wrong"
    scenario = Scenario.model_validate(data)
    summary = summarise(scenario, [play(scenario, "check-safety", "open-invite")])
    talk = summary.nodes[1]
    assert [(o.option_id, o.rating, o.best) for o in talk.options] == [
        ("open-invite", Rating.PARTIAL, True), ("chronology", Rating.WRONG, False)]
    assert talk.best_percent == 100
