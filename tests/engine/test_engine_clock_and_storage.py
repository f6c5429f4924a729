"""The injectable clock, and reading back any kind of saved run."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from engine_content import T0, make_guide, make_instrument, make_protocol, make_scenario
from engine_content import make_template as make_followup

from protocols.engine import (
    AdvisorState,
    AnswerError,
    ChecklistRun,
    ChecklistState,
    ConfidentialityAdvisor,
    FixedClock,
    FollowUpPlan,
    FollowUpState,
    ScenarioPlayer,
    ScenarioState,
    ScreeningRun,
    ScreeningState,
    StateError,
    SystemClock,
    dump_state,
    load_state,
)


def test_fixed_clock_moves_only_when_told() -> None:
    clock = FixedClock(T0)
    assert clock.now() == T0
    assert clock.advance(minutes=5) == T0 + dt.timedelta(minutes=5)
    clock.set(T0)
    assert clock.now() == T0
    with pytest.raises(AnswerError, match="time zone"):
        FixedClock(dt.datetime(2024, 1, 1))


def test_system_clock_is_timezone_aware() -> None:
    assert SystemClock().now().utcoffset() is not None


def test_runs_take_time_from_any_clock() -> None:
    clock = FixedClock(T0)
    run = ChecklistRun.start(make_protocol(), "24-1", clock.now())
    clock.advance(minutes=3)
    run.answer("scene-safe", "yes", clock.now())
    answer = run.answer_for("scene-safe")
    assert answer is not None and answer.answered_at == T0 + dt.timedelta(minutes=3)


def test_load_state_reads_every_kind() -> None:
    states = [
        ChecklistRun.start(make_protocol(), "24-1", T0).state,
        ScreeningRun.start(make_instrument(), "24-1", T0).state,
        ConfidentialityAdvisor.start(make_guide(), T0).state,
        FollowUpPlan.create(make_followup(), "24-1", T0).state,
        ScenarioPlayer.start(make_scenario(), T0).state,
    ]
    kinds = [ChecklistState, ScreeningState, AdvisorState, FollowUpState, ScenarioState]
    for state, kind in zip(states, kinds, strict=True):
        data = dump_state(state)
        assert data["kind"] == state.kind  # type: ignore[attr-defined]
        again = load_state(json.dumps(data))
        assert type(again) is kind
        assert again == state
        assert load_state(data) == state


@pytest.mark.parametrize("saved", [{}, {"kind": "checklist"}, {"kind": "other"}, "{", b"[]", 3])
def test_load_state_refuses_bad_data(saved: object) -> None:
    with pytest.raises(StateError, match="could not be read"):
        load_state(saved)


def test_unknown_keys_in_saved_state_are_refused() -> None:
    data = dump_state(ChecklistRun.start(make_protocol(), "24-1", T0).state)
    data["victim_name"] = "Jane"
    with pytest.raises(StateError) as error:
        load_state(data)
    assert "Jane" not in str(error.value)
