"""Screening: rules at their thresholds, not-answered, officer belief."""

from __future__ import annotations

import json

import pytest
from engine_content import T0, at, make_instrument

from protocols.engine import AnswerError, RunClosed, ScreeningRun, StateError
from protocols.models import ScreeningAnswer, ScreeningInstrument


def run_with(instrument: ScreeningInstrument, yes: list[int], no: list[int] = ()) -> ScreeningRun:  # type: ignore[assignment]
    run = ScreeningRun.start(instrument, "24-77", T0)
    for n in yes:
        run.answer(n, "yes", at(n))
    for n in no:
        run.answer(n, "no", at(n))
    return run


def test_all_not_answered_is_not_screened_in_and_says_so(instrument: ScreeningInstrument) -> None:
    run = ScreeningRun.start(instrument, "24-77", T0)
    result = run.evaluate()
    assert result.outcome == "not-screened-in"
    assert result.none_answered
    assert result.not_answered == 7
    assert result.follow_on_protocol is None
    assert "No questions were answered." in result.message
    assert "screen in on your belief" in result.message
    for n in range(1, 8):
        run.answer(n, "not-answered", at(n))
    result = run.evaluate()
    assert result.outcome == "not-screened-in" and result.none_answered


def test_all_not_answered_with_override_screens_in(instrument: ScreeningInstrument) -> None:
    run = ScreeningRun.start(instrument, "24-77", T0)
    run.override("Victim has visible strangulation marks", at(1))
    result = run.evaluate()
    assert result.outcome == "screened-in-officer-belief"
    assert result.none_answered
    assert result.follow_on_protocol == "test-response"
    assert "No questions were answered." in result.message
    assert result.officer_belief_reason == "Victim has visible strangulation marks"


@pytest.mark.parametrize("question", [1, 2, 3])
def test_one_yes_to_the_first_rule_screens_in(instrument: ScreeningInstrument, question: int) -> None:
    result = run_with(instrument, [question]).evaluate()
    assert result.outcome == "screened-in-protocol"
    assert [(f.description, f.yes_count) for f in result.fired] == [
        ("Any yes to questions 1-3", 1)
    ]
    assert result.follow_on_protocol == "test-response"
    assert "Any yes to questions 1-3: 1 yes (needs 1)" in result.message


def test_threshold_minus_one_does_not_fire(instrument: ScreeningInstrument) -> None:
    result = run_with(instrument, [4, 5], no=[1, 2, 3, 6, 7]).evaluate()
    assert result.outcome == "not-screened-in"
    assert result.fired == ()
    second = result.rules[1]
    assert (second.yes_count, second.at_least, second.fired) == (2, 3, False)
    assert not result.none_answered
    assert result.yes == 2 and result.no == 5 and result.not_answered == 0


def test_threshold_exactly_fires(instrument: ScreeningInstrument) -> None:
    result = run_with(instrument, [4, 5, 7], no=[1, 2, 3]).evaluate()
    assert result.outcome == "screened-in-protocol"
    assert [(f.description, f.yes_count) for f in result.fired] == [
        ("3 or more yes to questions 4-7", 3)
    ]
    assert result.not_answered_questions == (6,)
    assert "1 question was not answered." in result.message


def test_both_rules_can_fire(instrument: ScreeningInstrument) -> None:
    result = run_with(instrument, [1, 4, 5, 6, 7]).evaluate()
    assert len(result.fired) == 2
    assert result.fired[1].yes_count == 4


def test_yes_outside_a_rule_does_not_count_for_it(instrument: ScreeningInstrument) -> None:
    result = run_with(instrument, [4, 5]).evaluate()
    assert result.rules[0].yes_count == 0


def test_protocol_screen_in_wins_over_belief(instrument: ScreeningInstrument) -> None:
    run = run_with(instrument, [2])
    run.override("I believe she is in danger", at(9))
    result = run.evaluate()
    assert result.outcome == "screened-in-protocol"
    assert "belief screen-in is also recorded" in result.message


def test_override_needs_a_reason(instrument: ScreeningInstrument) -> None:
    run = ScreeningRun.start(instrument, "24-77", T0)
    for reason in (None, "", "  ", 5):
        with pytest.raises(AnswerError, match="reason for screening in"):
            run.override(reason, at(1))
    assert run.state.officer_belief is None


def test_override_refused_when_instrument_disallows_it() -> None:
    run = ScreeningRun.start(make_instrument(override=False), "24-77", T0)
    with pytest.raises(AnswerError, match="does not allow a screen-in on officer belief"):
        run.override("Strong belief", at(1))


def test_withdrawing_an_override(instrument: ScreeningInstrument) -> None:
    run = ScreeningRun.start(instrument, "24-77", T0)
    with pytest.raises(StateError):
        run.withdraw_override(at(1))
    run.override("Belief", at(1))
    run.override("Better reason", at(2))
    run.withdraw_override(at(3))
    assert run.evaluate().outcome == "not-screened-in"
    assert [b.reason for b in run.state.withdrawn_beliefs] == ["Belief", "Better reason"]


def test_questions_by_number_or_id(instrument: ScreeningInstrument) -> None:
    run = ScreeningRun.start(instrument, "24-77", T0)
    run.answer("q4", "yes", at(1))
    run.answer("5", "YES", at(2))
    run.answer(6, ScreeningAnswer.YES, at(3))
    assert run.answer_of(4) is ScreeningAnswer.YES
    assert run.answer_of("q5") is ScreeningAnswer.YES
    assert run.answer_of(7) is ScreeningAnswer.NOT_ANSWERED
    assert run.evaluate().outcome == "screened-in-protocol"


@pytest.mark.parametrize("ref", [0, 8, -1, "q99", "99", True, None, 2.0, "²"])
def test_unknown_questions(instrument: ScreeningInstrument, ref: object) -> None:
    run = ScreeningRun.start(instrument, "24-77", T0)
    with pytest.raises(AnswerError, match="question"):
        run.answer(ref, "yes", at(1))


@pytest.mark.parametrize("value", ["maybe", True, 1, None, "", ["yes"], "yes" * 10])
def test_bad_answers(instrument: ScreeningInstrument, value: object) -> None:
    run = ScreeningRun.start(instrument, "24-77", T0)
    with pytest.raises(AnswerError, match='"yes", "no" or "not-answered"'):
        run.answer(1, value, at(1))


def test_changing_an_answer_keeps_history(instrument: ScreeningInstrument) -> None:
    run = ScreeningRun.start(instrument, "24-77", T0)
    run.answer(1, "yes", at(1))
    run.answer(1, "no", at(2))
    assert run.answer_of(1) is ScreeningAnswer.NO
    (past,) = run.state.history
    assert (past.answer.answer, past.answer.answered_at, past.replaced_at) == (
        ScreeningAnswer.YES, at(1), at(2)
    )


def test_finish_locks_the_screening(instrument: ScreeningInstrument) -> None:
    run = run_with(instrument, [1])
    result = run.finish(at(10))
    assert result.screened_in
    with pytest.raises(RunClosed):
        run.answer(2, "yes", at(11))
    with pytest.raises(RunClosed):
        run.override("x", at(11))


def test_round_trip_and_restore(instrument: ScreeningInstrument) -> None:
    run = run_with(instrument, [4, 5], no=[1])
    run.override("Belief", at(9))
    data = json.loads(json.dumps(run.state.model_dump(mode="json")))
    restored = ScreeningRun.restore(instrument, data)
    assert restored.state == run.state
    assert restored.evaluate() == run.evaluate()
    data["answers"][0]["question_id"] = "q9"
    with pytest.raises(StateError):
        ScreeningRun.restore(instrument, data)


def test_result_records_instrument_and_sample_flag(instrument: ScreeningInstrument) -> None:
    result = ScreeningRun.start(instrument, "24-77", T0).evaluate()
    assert (result.instrument_id, result.content_version, result.sample) == (
        "sample-screen", "1.0", True
    )
